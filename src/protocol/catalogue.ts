import { ACTIVITY_STATUSES, COMPACTION_REASONS, PROMPT_DELIVERIES } from './constants.js'
import { array, atLeast, boolean, integer, number, object, oneOf, optional, string, unknown } from './shape.js'

/*
 * The event catalogue: opencode's `session.next.*` events as its released server sends them
 * (its OpenAPI document, measured on 1.18.34), plus the seed's live-only `session.activity`.
 * Shapes are loose: a server may add fields before clients learn them, and a frame from a
 * newer server must still decode. Every `data` carries `timestamp` and `sessionID`.
 */

const count = atLeast(0)
/** Free-form JSON objects the view keeps as they are (tool input, structured output, metadata). */
const record = object({})

export const durableShape = object({ aggregateID: string, seq: integer(0), version: integer() })
export const locationShape = object({ directory: string, workspaceID: optional(string) })

export const envelopeShape = object({
  id: string,
  type: string,
  durable: optional(durableShape),
  location: optional(locationShape),
  metadata: optional(record),
  data: record,
})

export const modelRefShape = object({ id: string, providerID: string, variant: optional(string) })
export const errorInfoShape = object({ type: string, message: string })
export const retryErrorShape = object({ message: string, statusCode: optional(number), isRetryable: boolean })
export const tokensShape = object({
  input: count,
  output: count,
  reasoning: count,
  cache: object({ read: count, write: count }),
})
/** One item of a tool's output; `type` says which (text, file, …), the rest is kept as sent. */
export const toolContentShape = object({ type: string })
export const fileRefShape = object({
  uri: string,
  mime: string,
  name: optional(string),
  description: optional(string),
  source: optional(unknown),
})
export const promptShape = object({
  text: string,
  files: optional(array(fileRefShape)),
  agents: optional(array(object({ name: string, source: optional(unknown) }))),
})
const providerShape = object({ executed: boolean, metadata: optional(record) })

const base = { timestamp: number, sessionID: string }
const step = { ...base, assistantMessageID: string }
const text = { ...step, textID: string }
const reasoning = { ...step, reasoningID: string, providerMetadata: optional(record) }
const call = { ...step, callID: string }
const userText = object({ ...base, messageID: string, text: string })
const prompt = object({ ...base, messageID: string, prompt: promptShape, delivery: oneOf(PROMPT_DELIVERIES) })
const content = array(toolContentShape)

/** Persisted with `durable.seq`, replayed on reconnect: the only events that move the cursor. */
export const durableData = {
  'session.next.prompt.admitted': prompt,
  'session.next.prompted': prompt,
  'session.next.agent.switched': object({ ...base, messageID: string, agent: string }),
  'session.next.model.switched': object({ ...base, messageID: string, model: modelRefShape }),
  'session.next.moved': object({ ...base, location: locationShape, subdirectory: optional(string) }),
  'session.next.context.updated': userText,
  'session.next.synthetic': userText,
  'session.next.shell.started': object({ ...base, messageID: string, callID: string, command: string }),
  'session.next.shell.ended': object({ ...base, callID: string, output: string }),
  'session.next.step.started': object({ ...step, agent: string, model: modelRefShape, snapshot: optional(string) }),
  'session.next.step.ended': object({
    ...step,
    finish: string,
    cost: count,
    tokens: tokensShape,
    snapshot: optional(string),
    files: optional(array(unknown)),
  }),
  'session.next.step.failed': object({ ...step, error: errorInfoShape }),
  'session.next.text.started': object(text),
  'session.next.text.ended': object({ ...text, text: string }),
  'session.next.reasoning.started': object(reasoning),
  'session.next.reasoning.ended': object({ ...reasoning, text: string }),
  'session.next.tool.input.started': object({ ...call, name: string }),
  'session.next.tool.input.ended': object({ ...call, text: string }),
  'session.next.tool.called': object({ ...call, tool: string, input: record, provider: providerShape }),
  'session.next.tool.progress': object({ ...call, structured: record, content }),
  'session.next.tool.success': object({
    ...call,
    structured: record,
    content,
    outputPaths: optional(array(string)),
    result: optional(unknown),
    provider: providerShape,
  }),
  'session.next.tool.failed': object({ ...call, error: errorInfoShape, result: optional(unknown), provider: providerShape }),
  'session.next.retried': object({ ...base, attempt: integer(0), error: retryErrorShape }),
  'session.next.compaction.started': object({ ...base, messageID: string, reason: oneOf(COMPACTION_REASONS) }),
  'session.next.compaction.ended': object({
    ...base,
    messageID: string,
    reason: oneOf(COMPACTION_REASONS),
    text: string,
    recent: optional(unknown),
  }),
  'session.next.revert.staged': object({
    ...base,
    revert: object({
      messageID: string,
      partID: optional(string),
      snapshot: optional(string),
      diff: optional(unknown),
      files: optional(unknown),
    }),
  }),
  'session.next.revert.cleared': object(base),
  'session.next.revert.committed': object({ ...base, messageID: string }),
}

/** Never replayed, never carry `durable`, never move the cursor. */
export const liveData = {
  'session.next.text.delta': object({ ...text, delta: string }),
  'session.next.reasoning.delta': object({ ...step, reasoningID: string, delta: string }),
  'session.next.tool.input.delta': object({ ...call, delta: string }),
  /** A fragment of the summary, appended (the end event carries the whole of it). */
  'session.next.compaction.delta': object({ ...base, messageID: string, text: string }),
  /** The seed's addition: one authoritative snapshot after the replay, then transitions. */
  'session.activity': object({
    ...base,
    status: oneOf(ACTIVITY_STATUSES),
    // The durable cutoff B the snapshot was taken at (the latest seq, private rows included).
    cutoff: integer(-1),
  }),
}
