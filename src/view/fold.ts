import { CURSOR_START } from '../protocol/constants.js'
import { isDurable, type SessionEvent } from '../protocol/events.js'
import { createDraft, type ApplyOutcome, type Draft } from './draft.js'
import { compaction, prompt, retried, revert, settleOpen, shellEnded, shellStarted, simpleMessage, stepEnd, stepStarted } from './messages.js'
import { textDelta, textEnded, textStarted, toolEvent, toolInputStarted } from './parts.js'
import type { SessionView } from './types.js'

export type { ApplyOutcome } from './draft.js'

export const initialView = (sessionID?: string): SessionView => ({
  sessionID,
  info: {
    agent: undefined,
    model: undefined,
    location: undefined,
    subdirectory: undefined,
    revert: undefined,
    deleted: false,
  },
  activity: 'unknown',
  cursor: CURSOR_START,
  retry: undefined,
  messages: [],
})

/**
 * Folds `events` onto `state` and returns the new view, or `state` itself when nothing
 * changed. Never writes to `state` or anything reachable from it: all writes go to copies
 * made on first touch within this call (see Draft), so untouched messages and parts keep
 * their identity. (Behind the view, its message list's caches may be extended: the id index
 * and the streaming floor, which only a later fold's speed can observe; see list.ts.)
 * Events must already be ordered and deduplicated; durable events set the cursor to their
 * seq whatever their outcome, because the caller has accepted them.
 */
export function foldEvents(
  events: Iterable<SessionEvent>,
  state: SessionView = initialView(),
  onOutcome?: (event: SessionEvent, outcome: ApplyOutcome) => void,
): SessionView {
  const d = createDraft(state)
  for (const event of events) {
    // A fold of history alone learns whose it is, so it equals a live view of that session.
    if (d.view.sessionID === undefined) d.root().sessionID = event.data.sessionID
    const outcome = apply(d, event)
    if (isDurable(event) && d.view.cursor !== event.durable.seq) d.root().cursor = event.durable.seq
    onOutcome?.(event, outcome)
  }
  return d.finish()
}

export function foldEvent(state: SessionView, event: SessionEvent): SessionView {
  return foldEvents([event], state)
}

/**
 * What the view shows when no connection can vouch for activity (stopped for good, or down
 * too long), or when the session is gone (`deleted`): nothing keeps streaming (open parts are
 * closed as cut short, running steps interrupted) and activity is `unknown` — or `idle` for a
 * deleted session, which cannot run — until a snapshot settles it.
 */
export function withoutActivity(state: SessionView, deleted = false): SessionView {
  const d = createDraft(state)
  settleOpen(d, 'idle')
  const activity = deleted ? 'idle' : 'unknown'
  if (d.view.activity !== activity) d.root().activity = activity
  if (deleted && !d.view.info.deleted) d.info().deleted = true
  return d.finish()
}

function apply(d: Draft, event: SessionEvent): ApplyOutcome {
  switch (event.type) {
    case 'session.next.prompt.admitted':
    case 'session.next.prompted':
      return prompt(d, event)
    case 'session.next.context.updated':
    case 'session.next.synthetic':
    case 'session.next.agent.switched':
    case 'session.next.model.switched':
      return simpleMessage(d, event)
    case 'session.next.moved': {
      const info = d.info()
      info.location = event.data.location
      info.subdirectory = event.data.subdirectory
      return 'applied'
    }
    case 'session.next.shell.started':
      return shellStarted(d, event)
    case 'session.next.shell.ended':
      return shellEnded(d, event)
    case 'session.next.step.started':
      return stepStarted(d, event)
    case 'session.next.step.ended':
    case 'session.next.step.failed':
      return stepEnd(d, event)
    case 'session.next.text.started':
      return textStarted(d, 'text', event)
    case 'session.next.reasoning.started':
      return textStarted(d, 'reasoning', event)
    case 'session.next.text.delta':
      return textDelta(d, 'text', event)
    case 'session.next.reasoning.delta':
      return textDelta(d, 'reasoning', event)
    case 'session.next.text.ended':
      return textEnded(d, 'text', event)
    case 'session.next.reasoning.ended':
      return textEnded(d, 'reasoning', event)
    case 'session.next.tool.input.started':
      return toolInputStarted(d, event)
    case 'session.next.tool.input.delta':
    case 'session.next.tool.input.ended':
    case 'session.next.tool.called':
    case 'session.next.tool.progress':
    case 'session.next.tool.success':
    case 'session.next.tool.failed':
      return toolEvent(d, event)
    case 'session.next.retried':
      return retried(d, event)
    case 'session.next.compaction.started':
    case 'session.next.compaction.delta':
    case 'session.next.compaction.ended':
      return compaction(d, event)
    case 'session.next.revert.staged':
    case 'session.next.revert.cleared':
    case 'session.next.revert.committed':
      return revert(d, event)
    case 'session.activity':
      if (d.view.activity !== event.data.status) d.root().activity = event.data.status
      settleOpen(d, event.data.status)
      return 'applied'
    default:
      return unreachable(event)
  }
}

/**
 * Compile-time exhaustiveness check. At run time an uncatalogued event from an untyped
 * caller is ignored rather than thrown, so one bad event cannot stop a whole frame.
 */
function unreachable(event: never): ApplyOutcome {
  void event
  return 'ignored'
}
