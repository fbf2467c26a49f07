import { ACTIVITY_STATUSES, INTERRUPT_REASONS } from './constants.js'
import { array, atLeast, integer, number, object, oneOf, optional, string, unknown } from './shape.js'

/*
 * The event catalogue: every type the client knows, whether it is durable, and the shape
 * of its `data`. Shapes are loose: a server may add fields before clients learn them, and
 * a frame from a newer server must still decode. Field names follow the real system
 * (sessionID, assistantMessageID, ordinal, id, delta, text).
 */

const count = atLeast(0)

export const durableShape = object({ aggregateID: string, seq: integer(0), version: integer() })

export const envelopeShape = object({
  id: string,
  created: number,
  type: string,
  durable: optional(durableShape),
  data: object({}),
})

export const errorInfoShape = object({ message: string, name: optional(string) })
const modelRef = object({ providerID: string, modelID: string })
export const tokensShape = object({
  input: count,
  output: count,
  reasoning: optional(count),
  cache: optional(object({ read: count, write: count })),
})
export const toolContentShape = object({ type: string, text: optional(string) })

const session = { sessionID: string }
const message = { ...session, assistantMessageID: string }
const optionalMessage = { ...session, assistantMessageID: optional(string) }
const part = { ...message, ordinal: integer(0) }
const tool = { ...optionalMessage, id: string }
const text = object({ ...part, delta: string })
const ended = object({ ...part, text: string })
const started = object(part)
const failed = { error: errorInfoShape }

/** Persisted with `durable.seq`, replayed on reconnect: the only events that move the cursor. */
export const durableData = {
  'session.created': object({
    ...session,
    title: optional(string),
    parentID: optional(string),
    agent: optional(string),
    model: optional(modelRef),
  }),
  'session.renamed': object({ ...session, title: string }),
  'session.deleted': object(session),
  'session.inbox.enqueued': object({ ...session, messageID: string, text: string }),
  'session.execution.started': object(session),
  'session.execution.succeeded': object(session),
  'session.execution.failed': object({ ...session, ...failed }),
  'session.execution.interrupted': object({ ...session, reason: oneOf(INTERRUPT_REASONS) }),
  'session.step.started': object({ ...message, agent: optional(string), model: optional(modelRef) }),
  'session.step.ended': object({ ...optionalMessage, finish: optional(string), cost: count, tokens: tokensShape }),
  'session.step.failed': object({ ...optionalMessage, ...failed }),
  'session.text.started': started,
  'session.text.ended': ended,
  'session.reasoning.started': started,
  'session.reasoning.ended': ended,
  'session.tool.input.started': object({ ...message, id: string, name: string }),
  'session.tool.input.ended': object({ ...tool, text: string }),
  'session.tool.called': object({ ...tool, input: unknown }),
  'session.tool.success': object({ ...tool, content: array(toolContentShape) }),
  'session.tool.failed': object({ ...tool, ...failed }),
  'session.retry.scheduled': object({ ...message, attempt: integer(0), at: number, ...failed }),
}

/** Never replayed, never carry `durable`, never move the cursor. */
export const liveData = {
  'session.text.delta': text,
  'session.reasoning.delta': text,
  'session.tool.input.delta': object({ ...tool, delta: string }),
  'session.tool.progress': object({ ...tool, metadata: unknown }),
  'session.usage.updated': object({ ...optionalMessage, cost: count, tokens: tokensShape }),
  'session.activity': object({
    ...session,
    status: oneOf(ACTIVITY_STATUSES),
    // The durable cutoff B the snapshot was taken at; -1 when the session has no rows.
    cutoff: integer(-1),
  }),
}
