import type { SessionEventOf } from '../protocol/events.js'
import type { ApplyOutcome, Draft, DraftAssistant, DraftPart } from './draft.js'
import { findAssistant, findMessage, newAssistant } from './lookup.js'
import { isActive } from './parts.js'
import type { AssistantStatus, Message, ModelRef, Part, UserMessage } from './types.js'

type Prompt = SessionEventOf<'session.next.prompt.admitted' | 'session.next.prompted'>

/**
 * `prompt.admitted` shows the prompt at once, queued; `prompted` (the agent took it) clears
 * the flag. Either may come alone: a server may admit and prompt in one step.
 */
export function prompt(d: Draft, event: Prompt): ApplyOutcome {
  const { messageID, prompt: input, delivery, timestamp } = event.data
  const queued = event.type === 'session.next.prompt.admitted'
  const found = findMessage(d, messageID, 'user')
  if (found === undefined) {
    if (d.indexOf(messageID) !== -1) return 'ignored'
    const message: UserMessage = {
      role: 'user',
      id: messageID,
      created: timestamp,
      text: input.text,
      files: input.files,
      agents: input.agents,
      delivery,
      queued,
    }
    d.append(message)
    return 'applied'
  }
  // Admitted again after it was prompted: a replay overlap, nothing to undo.
  if (queued || !found.message.queued) return 'ignored'
  const message = d.messageAt(found.index)
  if (message.role === 'user') message.queued = false
  return 'applied'
}

type Simple = SessionEventOf<
  'session.next.context.updated' | 'session.next.synthetic' | 'session.next.agent.switched' | 'session.next.model.switched'
>

/** Messages that are one event each: added once, the same id again updates them in place. */
export function simpleMessage(d: Draft, event: Simple): ApplyOutcome {
  const { messageID, timestamp } = event.data
  let message: Message
  switch (event.type) {
    case 'session.next.context.updated':
    case 'session.next.synthetic': {
      const role = event.type === 'session.next.synthetic' ? 'synthetic' : 'context'
      message = { role, id: messageID, created: timestamp, text: event.data.text }
      break
    }
    case 'session.next.agent.switched':
      d.info().agent = event.data.agent
      message = { role: 'agent-switched', id: messageID, created: timestamp, agent: event.data.agent, model: undefined }
      break
    case 'session.next.model.switched':
      d.info().model = event.data.model
      message = { role: 'model-switched', id: messageID, created: timestamp, agent: undefined, model: event.data.model }
      break
  }
  const index = d.indexOf(messageID)
  if (index === -1) d.append(message)
  else if (d.message(index)?.role === message.role) d.replace(index, { ...message, created: d.message(index)?.created ?? timestamp })
  else return 'ignored'
  return 'applied'
}

export function shellStarted(d: Draft, event: SessionEventOf<'session.next.shell.started'>): ApplyOutcome {
  const { messageID, callID, command, timestamp } = event.data
  if (d.indexOf(messageID) !== -1) return 'ignored'
  d.append({ role: 'shell', id: messageID, created: timestamp, callID, command, output: '', status: 'running' })
  return 'applied'
}

export function shellEnded(d: Draft, event: SessionEventOf<'session.next.shell.ended'>): ApplyOutcome {
  // Keyed by callID only; the command is nearly always the newest message, so look back.
  for (let i = d.messageCount() - 1; i >= 0; i--) {
    const message = d.message(i)
    if (message?.role !== 'shell' || message.callID !== event.data.callID) continue
    const shell = d.messageAt(i)
    if (shell.role === 'shell') {
      shell.output = event.data.output
      shell.status = 'completed'
    }
    return 'applied'
  }
  return 'orphan'
}

export function stepStarted(d: Draft, event: SessionEventOf<'session.next.step.started'>): ApplyOutcome {
  const { assistantMessageID, timestamp } = event.data
  // One step runs at a time: a step still streaming was cut short (a crash writes nothing).
  // Not this step itself: a part may have opened it before its start (or the start repeats).
  settleOpen(d, 'step', assistantMessageID)
  const root = d.root()
  root.retry = undefined
  const info = d.info()
  // Every step names its agent and model, nearly always the last step's: the messages share
  // one copy of them, and each step's own copy is let go (a third of a message's memory).
  const agent = (info.agent = event.data.agent === info.agent ? info.agent : event.data.agent)
  const model = (info.model = sameModel(info.model, event.data.model) ? info.model : event.data.model)
  const found = findAssistant(d, assistantMessageID)
  if (found === undefined) {
    d.append(newAssistant(assistantMessageID, timestamp, agent, model))
    return 'applied'
  }
  // A message created by an early part event learns its agent and model here.
  const message = d.assistantAt(found.index)
  message.agent = agent
  message.model = model
  message.status = 'streaming'
  return 'applied'
}

type StepEnd = SessionEventOf<'session.next.step.ended' | 'session.next.step.failed'>

export function stepEnd(d: Draft, event: StepEnd): ApplyOutcome {
  const found = findAssistant(d, event.data.assistantMessageID)
  if (found === undefined) return 'orphan'
  const message = d.assistantAt(found.index)
  if (event.type === 'session.next.step.ended') {
    message.finish = event.data.finish
    message.cost = event.data.cost
    message.tokens = event.data.tokens
    settle(d, message, 'completed')
  } else {
    message.error = event.data.error
    settle(d, message, 'failed')
  }
  return 'applied'
}

export function retried(d: Draft, event: SessionEventOf<'session.next.retried'>): ApplyOutcome {
  const { attempt, error, timestamp } = event.data
  d.root().retry = { attempt, error, at: timestamp }
  return 'applied'
}

type Compaction = SessionEventOf<
  'session.next.compaction.started' | 'session.next.compaction.delta' | 'session.next.compaction.ended'
>

export function compaction(d: Draft, event: Compaction): ApplyOutcome {
  const { messageID, timestamp } = event.data
  const found = findMessage(d, messageID, 'compaction')
  if (found === undefined) {
    if (event.type === 'session.next.compaction.delta') return 'orphan'
    if (d.indexOf(messageID) !== -1) return 'ignored'
    const ended = event.type === 'session.next.compaction.ended'
    d.append({
      role: 'compaction',
      id: messageID,
      created: timestamp,
      reason: event.data.reason,
      text: ended ? event.data.text : '',
      recent: ended ? event.data.recent : undefined,
      status: ended ? 'completed' : 'streaming',
      incomplete: false,
    })
    return 'applied'
  }
  if (event.type === 'session.next.compaction.started') return 'ignored'
  // A fragment after the end is stale: the end carried the whole summary.
  if (event.type === 'session.next.compaction.delta' && found.message.status !== 'streaming') return 'ignored'
  const message = d.messageAt(found.index)
  if (message.role !== 'compaction') return 'ignored'
  if (event.type === 'session.next.compaction.delta') message.text += event.data.text
  else {
    message.text = event.data.text
    message.recent = event.data.recent
    message.status = 'completed'
    message.incomplete = false
  }
  return 'applied'
}

type Revert = SessionEventOf<'session.next.revert.staged' | 'session.next.revert.cleared' | 'session.next.revert.committed'>

/**
 * A staged revert is only shown (the app decides whether to hide what it would remove); a
 * committed one removes every message after its message, as opencode's log does.
 */
export function revert(d: Draft, event: Revert): ApplyOutcome {
  if (event.type === 'session.next.revert.staged') {
    const { messageID, partID, snapshot, diff, files } = event.data.revert
    d.info().revert = { messageID, partID, snapshot, diff, files }
    return 'applied'
  }
  if (d.view.info.revert !== undefined) d.info().revert = undefined
  if (event.type === 'session.next.revert.cleared') return 'applied'
  const index = d.indexOf(event.data.messageID)
  if (index === -1) return 'orphan'
  d.truncate(index + 1)
  return 'applied'
}

/** Open = still streaming, or a tool that was never given a result. */
const isOpenPart = (part: Part): boolean => part.streaming || (part.type === 'tool' && isActive(part))

/** Whether `settleOpen` has anything to close on this message. */
function isOpen(message: Message): boolean {
  switch (message.role) {
    case 'assistant':
      return message.status === 'streaming' || message.parts.some(isOpenPart)
    case 'shell':
      return message.status === 'running'
    case 'compaction':
      return message.status === 'streaming'
    default:
      return false
  }
}

/**
 * Ends a part whose run is over without its end event: what it shows may be partial, and
 * a tool with no result is interrupted, so nothing keeps spinning.
 */
function closePart(part: DraftPart): void {
  part.streaming = false
  part.incomplete = true
  if (part.type === 'tool' && isActive(part)) part.status = 'interrupted'
}

/** Moves a message out of `streaming`: its open parts will never get their end events. */
function settle(d: Draft, message: DraftAssistant, status: AssistantStatus): void {
  message.status = status
  const parts = message.parts
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]
    if (part !== undefined && isOpenPart(part)) closePart(d.partAt(message, i))
  }
}

/**
 * What a snapshot or a new step does to what is still open, from the streaming floor on
 * (below it nothing is open, so the cost is what is open, not the session's length):
 * - `idle`: nothing runs, so everything open is closed as interrupted;
 * - `running`: live fragments sent before the snapshot may be lost, so streaming parts and
 *   summaries are flagged incomplete (they keep streaming; their end events clear it);
 * - `step`: a new step began, so an earlier step still streaming was cut short (`starting`,
 *   the new step's id, is left open).
 */
export function settleOpen(d: Draft, mode: 'idle' | 'running' | 'step', starting?: string): void {
  const count = d.messageCount()
  let firstOpen = count
  for (let i = d.streamingFloor(); i < count; i++) {
    const message = d.message(i)
    if (message === undefined || !isOpen(message)) continue
    if (mode === 'running') flagIncomplete(d, i, message)
    else if (mode === 'idle') close(d, i)
    else if (message.role === 'assistant' && message.status === 'streaming' && message.id !== starting) {
      settle(d, d.assistantAt(i), 'interrupted')
    }
    const after = d.message(i)
    if (after !== undefined && isOpen(after)) firstOpen = Math.min(firstOpen, i)
  }
  d.setFloor(firstOpen)
  if (mode === 'idle' && d.view.retry !== undefined) d.root().retry = undefined
}

function close(d: Draft, index: number): void {
  const message = d.messageAt(index)
  if (message.role === 'assistant') settle(d, message, message.status === 'streaming' ? 'interrupted' : message.status)
  else if (message.role === 'shell') message.status = 'interrupted'
  else if (message.role === 'compaction') {
    message.status = 'interrupted'
    message.incomplete = true
  }
}

function flagIncomplete(d: Draft, index: number, message: Message): void {
  if (message.role === 'compaction') {
    if (!message.incomplete) {
      const draft = d.messageAt(index)
      if (draft.role === 'compaction') draft.incomplete = true
    }
    return
  }
  if (message.role !== 'assistant') return
  const parts = message.parts
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]
    if (part?.streaming === true && !part.incomplete) d.partAt(d.assistantAt(index), p).incomplete = true
  }
}

/** The same reference, field for field (a newer server may add fields; one holding an object is never the same). */
function sameModel(a: ModelRef | undefined, b: ModelRef): boolean {
  if (a === undefined) return false
  const x: Readonly<Record<string, unknown>> = a
  const y: Readonly<Record<string, unknown>> = b
  let fields = 0
  // for…in allocates nothing; a step comes with every tool call, so this runs often.
  for (const key in y) {
    if (x[key] !== y[key]) return false
    fields++
  }
  for (const _field in x) fields--
  return fields === 0
}
