import * as z from 'zod/mini'
import { ACTIVITY_STATUSES, INTERRUPT_REASONS } from '../../src/protocol/constants.js'
import type { EventType } from '../../src/protocol/events.js'

/*
 * The reference schemas of the wire catalogue, in zod: the independent oracle that
 * reference.property.test.ts holds the client's own validator (src/protocol/shape.ts) to,
 * value by value and type by type. Data schemas are loose objects: a server may add fields before clients learn them,
 * and a frame from a newer server must still decode. Field names follow the real
 * system (sessionID, assistantMessageID, ordinal, id, delta, text).
 */

const seq = z.int().check(z.gte(0))
const count = z.number().check(z.gte(0))

export const durableSchema = z.looseObject({
  aggregateID: z.string(),
  seq,
  version: z.int(),
})

export const envelopeSchema = z.looseObject({
  id: z.string(),
  created: z.number(),
  type: z.string(),
  durable: z.optional(durableSchema),
  data: z.looseObject({}),
})

export const errorInfoSchema = z.looseObject({
  message: z.string(),
  name: z.optional(z.string()),
})

export const modelRefSchema = z.looseObject({
  providerID: z.string(),
  modelID: z.string(),
})

export const tokensSchema = z.looseObject({
  input: count,
  output: count,
  reasoning: z.optional(count),
  cache: z.optional(z.looseObject({ read: count, write: count })),
})

export const toolContentSchema = z.looseObject({
  type: z.string(),
  text: z.optional(z.string()),
})

const session = { sessionID: z.string() }
const message = { ...session, assistantMessageID: z.string() }
const optionalMessage = { ...session, assistantMessageID: z.optional(z.string()) }
const part = { ...message, ordinal: z.int().check(z.gte(0)) }
const tool = { ...optionalMessage, id: z.string() }

/** One data schema per catalogued event type. */
export const dataSchemas = {
  'session.created': z.looseObject({
    ...session,
    title: z.optional(z.string()),
    parentID: z.optional(z.string()),
    agent: z.optional(z.string()),
    model: z.optional(modelRefSchema),
  }),
  'session.renamed': z.looseObject({ ...session, title: z.string() }),
  'session.deleted': z.looseObject(session),
  'session.inbox.enqueued': z.looseObject({ ...session, messageID: z.string(), text: z.string() }),
  'session.execution.started': z.looseObject(session),
  'session.execution.succeeded': z.looseObject(session),
  'session.execution.failed': z.looseObject({ ...session, error: errorInfoSchema }),
  'session.execution.interrupted': z.looseObject({ ...session, reason: z.enum(INTERRUPT_REASONS) }),
  'session.step.started': z.looseObject({
    ...message,
    agent: z.optional(z.string()),
    model: z.optional(modelRefSchema),
  }),
  'session.step.ended': z.looseObject({
    ...optionalMessage,
    finish: z.optional(z.string()),
    cost: count,
    tokens: tokensSchema,
  }),
  'session.step.failed': z.looseObject({ ...optionalMessage, error: errorInfoSchema }),
  'session.text.started': z.looseObject(part),
  'session.text.delta': z.looseObject({ ...part, delta: z.string() }),
  'session.text.ended': z.looseObject({ ...part, text: z.string() }),
  'session.reasoning.started': z.looseObject(part),
  'session.reasoning.delta': z.looseObject({ ...part, delta: z.string() }),
  'session.reasoning.ended': z.looseObject({ ...part, text: z.string() }),
  'session.tool.input.started': z.looseObject({ ...message, id: z.string(), name: z.string() }),
  'session.tool.input.delta': z.looseObject({ ...tool, delta: z.string() }),
  'session.tool.input.ended': z.looseObject({ ...tool, text: z.string() }),
  'session.tool.called': z.looseObject({ ...tool, input: z.unknown() }),
  'session.tool.progress': z.looseObject({ ...tool, metadata: z.unknown() }),
  'session.tool.success': z.looseObject({ ...tool, content: z.array(toolContentSchema) }),
  'session.tool.failed': z.looseObject({ ...tool, error: errorInfoSchema }),
  'session.retry.scheduled': z.looseObject({
    ...message,
    attempt: z.int().check(z.gte(0)),
    at: z.number(),
    error: errorInfoSchema,
  }),
  'session.usage.updated': z.looseObject({ ...optionalMessage, cost: count, tokens: tokensSchema }),
  'session.activity': z.looseObject({
    ...session,
    status: z.enum(ACTIVITY_STATUSES),
    // The durable cutoff B the snapshot was taken at; -1 when the session has no rows.
    cutoff: z.int().check(z.gte(-1)),
  }),
} as const satisfies Record<EventType, z.ZodMiniType>

export type DataSchemas = typeof dataSchemas

/** The durable types, listed independently of the client's catalogue. */
export const DURABLE_TYPES: ReadonlySet<string> = new Set([
  'session.created',
  'session.renamed',
  'session.deleted',
  'session.inbox.enqueued',
  'session.execution.started',
  'session.execution.succeeded',
  'session.execution.failed',
  'session.execution.interrupted',
  'session.step.started',
  'session.step.ended',
  'session.step.failed',
  'session.text.started',
  'session.text.ended',
  'session.reasoning.started',
  'session.reasoning.ended',
  'session.tool.input.started',
  'session.tool.input.ended',
  'session.tool.called',
  'session.tool.success',
  'session.tool.failed',
  'session.retry.scheduled',
])
