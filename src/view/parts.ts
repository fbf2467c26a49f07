import type { SessionEventOf } from '../protocol/events.js'
import type { ApplyOutcome, Draft, DraftAssistant, Mutable } from './draft.js'
import { findAssistant, lastAssistant, newAssistant } from './lookup.js'
import type { Part, ToolPart } from './types.js'

type TextKind = 'text' | 'reasoning'
type TextStarted = SessionEventOf<'session.text.started' | 'session.reasoning.started'>
type TextDelta = SessionEventOf<'session.text.delta' | 'session.reasoning.delta'>
type TextEnded = SessionEventOf<'session.text.ended' | 'session.reasoning.ended'>

/** Compares fields instead of building `key` strings, so a delta allocates nothing to find its part. */
function findTextPart(parts: readonly Part[], type: TextKind, ordinal: number): number {
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]
    if (part !== undefined && part.type === type && part.ordinal === ordinal) return i
  }
  return -1
}

/** Adds a text or reasoning part before the first with a greater ordinal; tool parts keep arrival order. */
function insertText(d: Draft, message: DraftAssistant, type: TextKind, ordinal: number, text: string, streaming: boolean): ApplyOutcome {
  const after = message.parts.findIndex((part) => part.type !== 'tool' && part.ordinal > ordinal)
  const part = { type, key: `${type}:${ordinal}`, ordinal, text, streaming, incomplete: false }
  d.insertPart(message, after === -1 ? message.parts.length : after, part)
  return 'applied'
}

/**
 * Index of the named assistant message, creating it when a part event arrives before its
 * step: the part's data must not be dropped just because `step.started` was not seen.
 */
function ensureAssistant(d: Draft, id: string, created: number): number {
  return findAssistant(d, id)?.index ?? d.append(newAssistant(id, created, undefined, undefined))
}

export function textStarted(d: Draft, type: TextKind, event: TextStarted): ApplyOutcome {
  const { assistantMessageID, ordinal } = event.data
  const found = findAssistant(d, assistantMessageID)
  if (found !== undefined && findTextPart(found.message.parts, type, ordinal) !== -1) return 'ignored'
  return insertText(d, d.assistantAt(ensureAssistant(d, assistantMessageID, event.created)), type, ordinal, '', true)
}

export function textDelta(d: Draft, type: TextKind, event: TextDelta): ApplyOutcome {
  const { assistantMessageID, ordinal, delta } = event.data
  const found = findAssistant(d, assistantMessageID)
  if (found === undefined) return 'orphan'
  const index = findTextPart(found.message.parts, type, ordinal)
  const part = found.message.parts[index]
  if (part === undefined) return 'orphan'
  // A delta after the end event is stale: the end already carried the full value.
  if (!part.streaming) return 'ignored'
  const draft = d.partAt(d.assistantAt(found.index), index)
  if (draft.type !== 'tool') draft.text += delta
  return 'applied'
}

export function textEnded(d: Draft, type: TextKind, event: TextEnded): ApplyOutcome {
  const { assistantMessageID, ordinal, text } = event.data
  const message = d.assistantAt(ensureAssistant(d, assistantMessageID, event.created))
  const index = findTextPart(message.parts, type, ordinal)
  if (index === -1) {
    // The end event is the replayable full value, so it stands on its own without a start.
    return insertText(d, message, type, ordinal, text, false)
  }
  const draft = d.partAt(message, index)
  if (draft.type !== 'tool') draft.text = text
  draft.streaming = false
  draft.incomplete = false
  return 'applied'
}

interface ToolLocation {
  readonly messageIndex: number
  readonly partIndex: number
  readonly part: ToolPart
}

function toolIn(parts: readonly Part[], id: string): number {
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]
    if (part?.type === 'tool' && part.id === id) return i
  }
  return -1
}

/** Finds a tool in its named message, or anywhere (newest first) when the event names none. */
function findTool(d: Draft, id: string, assistantMessageID: string | undefined): ToolLocation | undefined {
  const found =
    assistantMessageID === undefined
      ? lastAssistant(d, (message) => toolIn(message.parts, id) !== -1)
      : findAssistant(d, assistantMessageID)
  const partIndex = found === undefined ? -1 : toolIn(found.message.parts, id)
  const part = found?.message.parts[partIndex]
  return part?.type === 'tool' && found !== undefined ? { messageIndex: found.index, partIndex, part } : undefined
}

type ToolEvent = SessionEventOf<
  | 'session.tool.input.delta'
  | 'session.tool.input.ended'
  | 'session.tool.called'
  | 'session.tool.progress'
  | 'session.tool.success'
  | 'session.tool.failed'
>

export function toolInputStarted(d: Draft, event: SessionEventOf<'session.tool.input.started'>): ApplyOutcome {
  const { assistantMessageID, id, name } = event.data
  const found = findAssistant(d, assistantMessageID)
  if (found !== undefined && toolIn(found.message.parts, id) !== -1) return 'ignored'
  const message = d.assistantAt(ensureAssistant(d, assistantMessageID, event.created))
  const part: ToolPart = {
    type: 'tool',
    key: `tool:${id}`,
    id,
    name,
    inputText: '',
    input: undefined,
    status: 'pending',
    streaming: true,
    incomplete: false,
    output: undefined,
    error: undefined,
    progress: undefined,
  }
  d.insertPart(message, message.parts.length, part)
  return 'applied'
}

/** A tool that has not reported a result yet. */
export const isActive = (part: ToolPart): boolean => part.status === 'pending' || part.status === 'running'

/**
 * Applies one tool event to its part. Unknown tools are orphans for every tool event: a
 * tool part cannot be created without the name its `input.started` carries.
 */
export function toolEvent(d: Draft, event: ToolEvent): ApplyOutcome {
  const location = findTool(d, event.data.id, event.data.assistantMessageID)
  if (location === undefined) return 'orphan'
  // Live-only updates to a finished part would survive into a view that durable replay
  // cannot reproduce, so they are dropped.
  if (event.type === 'session.tool.input.delta' && !location.part.streaming) return 'ignored'
  if (event.type === 'session.tool.progress' && !isActive(location.part)) return 'ignored'
  const part = d.partAt(d.assistantAt(location.messageIndex), location.partIndex)
  if (part.type !== 'tool') return 'ignored'
  switch (event.type) {
    case 'session.tool.input.delta':
      part.inputText += event.data.delta
      break
    case 'session.tool.input.ended':
      part.inputText = event.data.text
      part.streaming = false
      part.incomplete = false
      break
    case 'session.tool.called':
      part.input = event.data.input
      part.status = 'running'
      part.streaming = false
      break
    case 'session.tool.progress':
      part.progress = event.data.metadata
      break
    case 'session.tool.success':
      part.status = 'success'
      part.output = event.data.content
      finishTool(part)
      break
    case 'session.tool.failed':
      part.status = 'failed'
      part.error = event.data.error
      finishTool(part)
      break
  }
  return 'applied'
}

function finishTool(part: Mutable<ToolPart>): void {
  part.progress = undefined
  part.streaming = false
  // The result is the tool's last end event: after it nothing live is left to lose, even
  // if an earlier snapshot or idle had marked the part incomplete.
  part.incomplete = false
}
