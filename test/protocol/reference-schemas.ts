import * as z from 'zod/mini'
import { ACTIVITY_STATUSES, COMPACTION_REASONS, PROMPT_DELIVERIES } from '../../src/protocol/constants.js'
import type { EventType } from '../../src/protocol/events.js'

/*
 * The reference schemas of the wire catalogue, in zod, written from opencode's OpenAPI
 * document as `../shared/reference/opencode-wire.md` records it: the independent oracle that
 * reference.property.test.ts holds the client's own validator (src/protocol/shape.ts) to,
 * value by value and type by type. Objects are loose: a server may add fields before
 * clients learn them, and a frame from a newer server must still decode.
 */

const count = z.number().check(z.gte(0))
const record = z.looseObject({})

export const durableSchema = z.looseObject({ aggregateID: z.string(), seq: z.int().check(z.gte(0)), version: z.int() })
export const locationSchema = z.looseObject({ directory: z.string(), workspaceID: z.optional(z.string()) })

export const envelopeSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  durable: z.optional(durableSchema),
  location: z.optional(locationSchema),
  metadata: z.optional(record),
  data: record,
})

export const modelRefSchema = z.looseObject({ id: z.string(), providerID: z.string(), variant: z.optional(z.string()) })
export const errorInfoSchema = z.looseObject({ type: z.string(), message: z.string() })
export const retryErrorSchema = z.looseObject({
  message: z.string(),
  statusCode: z.optional(z.number()),
  isRetryable: z.boolean(),
})
export const tokensSchema = z.looseObject({
  input: count,
  output: count,
  reasoning: count,
  cache: z.looseObject({ read: count, write: count }),
})
export const toolContentSchema = z.looseObject({ type: z.string() })
export const promptSchema = z.looseObject({
  text: z.string(),
  files: z.optional(
    z.array(
      z.looseObject({
        uri: z.string(),
        mime: z.string(),
        name: z.optional(z.string()),
        description: z.optional(z.string()),
        source: z.optional(z.unknown()),
      }),
    ),
  ),
  agents: z.optional(z.array(z.looseObject({ name: z.string(), source: z.optional(z.unknown()) }))),
})
const provider = z.looseObject({ executed: z.boolean(), metadata: z.optional(record) })

const base = { timestamp: z.number(), sessionID: z.string() }
const step = { ...base, assistantMessageID: z.string() }
const text = { ...step, textID: z.string() }
const reasoning = { ...step, reasoningID: z.string(), providerMetadata: z.optional(record) }
const call = { ...step, callID: z.string() }
const prompt = z.looseObject({ ...base, messageID: z.string(), prompt: promptSchema, delivery: z.enum(PROMPT_DELIVERIES) })
const userText = z.looseObject({ ...base, messageID: z.string(), text: z.string() })
const content = z.array(toolContentSchema)
const reason = z.enum(COMPACTION_REASONS)

/** One data schema per catalogued event type. */
export const dataSchemas = {
  'session.next.prompt.admitted': prompt,
  'session.next.prompted': prompt,
  'session.next.agent.switched': z.looseObject({ ...base, messageID: z.string(), agent: z.string() }),
  'session.next.model.switched': z.looseObject({ ...base, messageID: z.string(), model: modelRefSchema }),
  'session.next.moved': z.looseObject({ ...base, location: locationSchema, subdirectory: z.optional(z.string()) }),
  'session.next.context.updated': userText,
  'session.next.synthetic': userText,
  'session.next.shell.started': z.looseObject({ ...base, messageID: z.string(), callID: z.string(), command: z.string() }),
  'session.next.shell.ended': z.looseObject({ ...base, callID: z.string(), output: z.string() }),
  'session.next.step.started': z.looseObject({ ...step, agent: z.string(), model: modelRefSchema, snapshot: z.optional(z.string()) }),
  'session.next.step.ended': z.looseObject({
    ...step,
    finish: z.string(),
    cost: count,
    tokens: tokensSchema,
    snapshot: z.optional(z.string()),
    files: z.optional(z.array(z.unknown())),
  }),
  'session.next.step.failed': z.looseObject({ ...step, error: errorInfoSchema }),
  'session.next.text.started': z.looseObject(text),
  'session.next.text.delta': z.looseObject({ ...text, delta: z.string() }),
  'session.next.text.ended': z.looseObject({ ...text, text: z.string() }),
  'session.next.reasoning.started': z.looseObject(reasoning),
  'session.next.reasoning.delta': z.looseObject({ ...step, reasoningID: z.string(), delta: z.string() }),
  'session.next.reasoning.ended': z.looseObject({ ...reasoning, text: z.string() }),
  'session.next.tool.input.started': z.looseObject({ ...call, name: z.string() }),
  'session.next.tool.input.delta': z.looseObject({ ...call, delta: z.string() }),
  'session.next.tool.input.ended': z.looseObject({ ...call, text: z.string() }),
  'session.next.tool.called': z.looseObject({ ...call, tool: z.string(), input: record, provider }),
  'session.next.tool.progress': z.looseObject({ ...call, structured: record, content }),
  'session.next.tool.success': z.looseObject({
    ...call,
    structured: record,
    content,
    outputPaths: z.optional(z.array(z.string())),
    result: z.optional(z.unknown()),
    provider,
  }),
  'session.next.tool.failed': z.looseObject({ ...call, error: errorInfoSchema, result: z.optional(z.unknown()), provider }),
  'session.next.retried': z.looseObject({ ...base, attempt: z.int().check(z.gte(0)), error: retryErrorSchema }),
  'session.next.compaction.started': z.looseObject({ ...base, messageID: z.string(), reason }),
  'session.next.compaction.delta': z.looseObject({ ...base, messageID: z.string(), text: z.string() }),
  'session.next.compaction.ended': z.looseObject({
    ...base,
    messageID: z.string(),
    reason,
    text: z.string(),
    recent: z.optional(z.unknown()),
  }),
  'session.next.revert.staged': z.looseObject({
    ...base,
    revert: z.looseObject({
      messageID: z.string(),
      partID: z.optional(z.string()),
      snapshot: z.optional(z.string()),
      diff: z.optional(z.unknown()),
      files: z.optional(z.unknown()),
    }),
  }),
  'session.next.revert.cleared': z.looseObject(base),
  'session.next.revert.committed': z.looseObject({ ...base, messageID: z.string() }),
  'session.activity': z.looseObject({ ...base, status: z.enum(ACTIVITY_STATUSES), cutoff: z.int().check(z.gte(-1)) }),
} as const satisfies Record<EventType, z.ZodMiniType>

export type DataSchemas = typeof dataSchemas

/** The live-only types, listed independently of the client's catalogue (opencode-wire.md). */
export const LIVE_TYPES: ReadonlySet<string> = new Set([
  'session.next.text.delta',
  'session.next.reasoning.delta',
  'session.next.tool.input.delta',
  'session.next.compaction.delta',
  'session.activity',
])
