import type { SessionEventOf } from '../protocol/events.js'
import type { ApplyOutcome, Draft, DraftAssistant, Mutable } from './draft.js'
import { findAssistant, newAssistant } from './lookup.js'
import { partIndexOf } from './part-index.js'
import type { TextPart, ToolPart, ToolProvider } from './types.js'

type TextKind = 'text' | 'reasoning'
type TextStarted = SessionEventOf<'session.next.text.started' | 'session.next.reasoning.started'>
type TextDelta = SessionEventOf<'session.next.text.delta' | 'session.next.reasoning.delta'>
type TextEnded = SessionEventOf<'session.next.text.ended' | 'session.next.reasoning.ended'>

/** The part's id on the wire: text and reasoning name it differently. */
function textID(event: TextStarted | TextDelta | TextEnded): string {
  switch (event.type) {
    case 'session.next.text.started':
    case 'session.next.text.delta':
    case 'session.next.text.ended':
      return event.data.textID
    default:
      return event.data.reasoningID
  }
}

/**
 * Index of the named assistant message, creating it when a part event arrives before its
 * step: the part's data must not be dropped just because `step.started` was not seen.
 */
function ensureAssistant(d: Draft, id: string, created: number): number {
  return findAssistant(d, id)?.index ?? d.append(newAssistant(id, created, undefined, undefined))
}

function addText(d: Draft, message: DraftAssistant, type: TextKind, id: string, text: string, streaming: boolean): ApplyOutcome {
  const part: TextPart = { type, key: `${type}:${id}`, id, text, streaming, incomplete: false }
  d.appendPart(message, part)
  return 'applied'
}

export function textStarted(d: Draft, type: TextKind, event: TextStarted): ApplyOutcome {
  const { assistantMessageID } = event.data
  const id = textID(event)
  const found = findAssistant(d, assistantMessageID)
  if (found !== undefined && partIndexOf(found.message.parts, type, id) !== -1) return 'ignored'
  return addText(d, d.assistantAt(ensureAssistant(d, assistantMessageID, event.data.timestamp)), type, id, '', true)
}

export function textDelta(d: Draft, type: TextKind, event: TextDelta): ApplyOutcome {
  const found = findAssistant(d, event.data.assistantMessageID)
  if (found === undefined) return 'orphan'
  const index = partIndexOf(found.message.parts, type, textID(event))
  const part = found.message.parts[index]
  if (part === undefined) return 'orphan'
  // A delta after the end event is stale: the end already carried the full value.
  if (!part.streaming) return 'ignored'
  const draft = d.partAt(d.assistantAt(found.index), index)
  if (draft.type !== 'tool') draft.text += event.data.delta
  return 'applied'
}

export function textEnded(d: Draft, type: TextKind, event: TextEnded): ApplyOutcome {
  const id = textID(event)
  const message = d.assistantAt(ensureAssistant(d, event.data.assistantMessageID, event.data.timestamp))
  const index = partIndexOf(message.parts, type, id)
  // The end event is the replayable full value, so it stands on its own without a start.
  if (index === -1) return addText(d, message, type, id, event.data.text, false)
  const draft = d.partAt(message, index)
  if (draft.type !== 'tool') draft.text = event.data.text
  draft.streaming = false
  draft.incomplete = false
  return 'applied'
}

const newTool = (callID: string, name: string): ToolPart => ({
  type: 'tool',
  key: `tool:${callID}`,
  id: callID,
  name,
  inputText: '',
  input: undefined,
  status: 'pending',
  streaming: true,
  incomplete: false,
  structured: undefined,
  content: undefined,
  outputPaths: undefined,
  result: undefined,
  error: undefined,
  provider: undefined,
})

export function toolInputStarted(d: Draft, event: SessionEventOf<'session.next.tool.input.started'>): ApplyOutcome {
  const { assistantMessageID, callID, name } = event.data
  const found = findAssistant(d, assistantMessageID)
  if (found !== undefined && partIndexOf(found.message.parts, 'tool', callID) !== -1) return 'ignored'
  const message = d.assistantAt(ensureAssistant(d, assistantMessageID, event.data.timestamp))
  d.appendPart(message, newTool(callID, name))
  return 'applied'
}

/** A tool that has not reported a result yet. */
export const isActive = (part: ToolPart): boolean => part.status === 'pending' || part.status === 'running'

type ToolEvent = SessionEventOf<
  | 'session.next.tool.input.delta'
  | 'session.next.tool.input.ended'
  | 'session.next.tool.called'
  | 'session.next.tool.progress'
  | 'session.next.tool.success'
  | 'session.next.tool.failed'
>

/**
 * Applies one tool event to its part. A tool the view never saw start is an orphan, except
 * for `tool.called`, which names the tool and so can stand on its own.
 */
export function toolEvent(d: Draft, event: ToolEvent): ApplyOutcome {
  const { assistantMessageID, callID } = event.data
  const found = findAssistant(d, assistantMessageID)
  const index = found === undefined ? -1 : partIndexOf(found.message.parts, 'tool', callID)
  const current = found?.message.parts[index]
  if (found === undefined || current?.type !== 'tool') {
    return event.type === 'session.next.tool.called' ? calledUnseen(d, event) : 'orphan'
  }
  // Live input after the input ended, or progress after a result: the later event won.
  // Progress after an interruption is not stale: the interruption was a snapshot's guess,
  // and progress is durable, so it must count as it does when the log is replayed.
  if (event.type === 'session.next.tool.input.delta' && !current.streaming) return 'ignored'
  if (event.type === 'session.next.tool.progress' && !isActive(current) && current.status !== 'interrupted') return 'ignored'
  const part = d.partAt(d.assistantAt(found.index), index)
  if (part.type === 'tool') applyTool(part, event)
  return 'applied'
}

/** A call whose input never streamed (or was not seen): `tool.called` names the tool. */
function calledUnseen(d: Draft, event: SessionEventOf<'session.next.tool.called'>): ApplyOutcome {
  const message = d.assistantAt(ensureAssistant(d, event.data.assistantMessageID, event.data.timestamp))
  const part: Mutable<ToolPart> = { ...newTool(event.data.callID, event.data.tool), streaming: false }
  applyTool(part, event)
  d.appendPart(message, part)
  return 'applied'
}

function applyTool(part: Mutable<ToolPart>, event: ToolEvent): void {
  switch (event.type) {
    case 'session.next.tool.input.delta':
      part.inputText += event.data.delta
      return
    case 'session.next.tool.input.ended':
      part.inputText = event.data.text
      part.streaming = false
      part.incomplete = false
      return
    case 'session.next.tool.called':
      part.name = event.data.tool
      part.input = event.data.input
      part.provider = providerOf(event.data.provider.executed, event.data.provider.metadata)
      part.status = 'running'
      part.streaming = false
      return
    case 'session.next.tool.progress':
      // Progress replaces the running output wholesale; a tool that reports runs.
      if (part.status === 'interrupted') part.status = 'running'
      part.structured = event.data.structured
      part.content = orNone(event.data.content)
      return
    case 'session.next.tool.success':
      part.status = 'success'
      part.structured = event.data.structured
      part.content = orNone(event.data.content)
      part.outputPaths = event.data.outputPaths && orNone(event.data.outputPaths)
      part.result = event.data.result
      part.provider = mergeProvider(part, event.data.provider.executed)
      return finish(part)
    case 'session.next.tool.failed':
      part.status = 'failed'
      part.error = event.data.error
      part.result = event.data.result
      part.provider = mergeProvider(part, event.data.provider.executed)
      return finish(part)
  }
}

const mergeProvider = (part: ToolPart, executed: boolean) =>
  providerOf(executed || part.provider?.executed === true, part.provider?.metadata)

// Nearly every tool has no provider metadata and lists nothing: such parts share one frozen
// value instead of holding a copy each (a view is never written, so sharing is safe).
const LOCAL: ToolProvider = Object.freeze({ executed: false, metadata: undefined })
const providerOf = (executed: boolean, metadata: ToolProvider['metadata']): ToolProvider =>
  executed || metadata !== undefined ? { executed, metadata } : LOCAL
const NONE: readonly never[] = Object.freeze([])
const orNone = <T>(items: readonly T[]): readonly T[] => (items.length === 0 ? NONE : items)

function finish(part: Mutable<ToolPart>): void {
  part.streaming = false
  // The result is the tool's last event: after it nothing live is left to lose, even if an
  // earlier snapshot or idle had marked the part incomplete.
  part.incomplete = false
}
