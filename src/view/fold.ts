import { CURSOR_START } from '../protocol/constants.js'
import { isDurable, type ErrorInfo, type SessionEvent, type SessionEventOf } from '../protocol/events.js'
import { createDraft, type ApplyOutcome, type Draft } from './draft.js'
import {
  applySnapshot,
  inboxEnqueued,
  retryScheduled,
  settleStreaming,
  stepEnd,
  stepStarted,
  usageUpdated,
} from './messages.js'
import { textDelta, textEnded, textStarted, toolEvent, toolInputStarted } from './parts.js'
import type { AssistantStatus, ExecutionState, InterruptReason, SessionView } from './types.js'

export type { ApplyOutcome } from './draft.js'

const noExecution: ExecutionState = { status: 'none', error: undefined, reason: undefined }

export const initialView = (sessionID?: string): SessionView => ({
  sessionID,
  info: {
    title: undefined,
    parentID: undefined,
    agent: undefined,
    model: undefined,
    createdAt: undefined,
    deleted: false,
  },
  activity: 'unknown',
  cursor: CURSOR_START,
  execution: noExecution,
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
    const outcome = apply(d, event)
    if (isDurable(event) && d.view.cursor !== event.durable.seq) d.root().cursor = event.durable.seq
    onOutcome?.(event, outcome)
  }
  return d.finish()
}

export function foldEvent(state: SessionView, event: SessionEvent): SessionView {
  return foldEvents([event], state)
}

function apply(d: Draft, event: SessionEvent): ApplyOutcome {
  switch (event.type) {
    case 'session.created':
      return sessionCreated(d, event)
    case 'session.renamed':
      d.info().title = event.data.title
      return 'applied'
    case 'session.deleted':
      d.info().deleted = true
      return 'applied'
    case 'session.inbox.enqueued':
      return inboxEnqueued(d, event)
    case 'session.execution.started':
      // A new run means anything still streaming from an earlier one (cut off by a crash,
      // which writes nothing) can never finish: the log alone must say so, as an idle
      // snapshot would have told a connected client.
      return execution(d, 'running', 'interrupted')
    case 'session.execution.succeeded':
      return execution(d, 'succeeded', 'completed')
    case 'session.execution.failed':
      return execution(d, 'failed', 'failed', event.data.error)
    case 'session.execution.interrupted':
      return execution(d, 'interrupted', 'interrupted', undefined, event.data.reason)
    case 'session.step.started':
      return stepStarted(d, event)
    case 'session.step.ended':
    case 'session.step.failed':
      return stepEnd(d, event)
    case 'session.text.started':
      return textStarted(d, 'text', event)
    case 'session.reasoning.started':
      return textStarted(d, 'reasoning', event)
    case 'session.text.delta':
      return textDelta(d, 'text', event)
    case 'session.reasoning.delta':
      return textDelta(d, 'reasoning', event)
    case 'session.text.ended':
      return textEnded(d, 'text', event)
    case 'session.reasoning.ended':
      return textEnded(d, 'reasoning', event)
    case 'session.tool.input.started':
      return toolInputStarted(d, event)
    case 'session.tool.input.delta':
    case 'session.tool.input.ended':
    case 'session.tool.called':
    case 'session.tool.progress':
    case 'session.tool.success':
    case 'session.tool.failed':
      return toolEvent(d, event)
    case 'session.retry.scheduled':
      return retryScheduled(d, event)
    case 'session.usage.updated':
      return usageUpdated(d, event)
    case 'session.activity':
      if (d.view.activity !== event.data.status) d.root().activity = event.data.status
      applySnapshot(d, event.data.status === 'idle')
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

/** A run started or ended: whatever still streams from before ends as `settled`. */
function execution(
  d: Draft,
  status: ExecutionState['status'],
  settled: AssistantStatus,
  error?: ErrorInfo,
  reason?: InterruptReason,
): ApplyOutcome {
  settleStreaming(d, settled)
  d.root().execution = { status, error, reason }
  return 'applied'
}

function sessionCreated(d: Draft, event: SessionEventOf<'session.created'>): ApplyOutcome {
  const { sessionID, title, parentID, agent, model } = event.data
  d.root().sessionID = sessionID
  const info = d.info()
  info.title = title
  info.parentID = parentID
  info.agent = agent
  info.model = model
  info.createdAt = event.created
  return 'applied'
}
