import * as fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type * as z from 'zod/mini'
import { decodeEvent } from '../../src/protocol/decode.js'
import type { DurableInfo, ErrorInfo, EventData, EventType, Location, ModelRef, Prompt, RetryError, Tokens, ToolContent } from '../../src/protocol/events.js'
import {
  LIVE_TYPES,
  dataSchemas,
  durableSchema,
  envelopeSchema,
  errorInfoSchema,
  locationSchema,
  modelRefSchema,
  promptSchema,
  retryErrorSchema,
  tokensSchema,
  toolContentSchema,
  type DataSchemas,
} from './reference-schemas.js'

/*
 * The client validates frames with its own small checker (src/protocol/shape.ts); zod is the
 * reference. These properties hold the two to the same verdict on every value fast-check
 * can reach from a valid event by breaking, dropping or adding fields, and the inferred
 * types to the same shape.
 */

const runs = { numRuns: Number(process.env.FC_RUNS ?? 3000), ...(process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) }) }

const error = { type: 'unknown', message: 'boom' }
const tokens = { input: 1, output: 2, reasoning: 0, cache: { read: 0, write: 1 } }
const base = { timestamp: 5, sessionID: 's' }
const step = { ...base, assistantMessageID: 'm' }
const call = { ...step, callID: 'c' }
const model = { id: 'm', providerID: 'p', variant: 'v' }
const provider = { executed: false, metadata: { a: 1 } }
const prompt = {
  ...base,
  messageID: 'u',
  prompt: { text: 'hi', files: [{ uri: 'file:///a', mime: 'text/plain', name: 'a', description: 'd', source: 1 }], agents: [{ name: 'a', source: 1 }] },
  delivery: 'steer' as const,
}
const revert = { messageID: 'u', partID: 'p', snapshot: 's', diff: 'd', files: [] }

/** One valid `data` per type, with every optional field present so each can be broken. */
const valid: { [T in EventType]: EventData<T> } = {
  'session.next.prompt.admitted': prompt,
  'session.next.prompted': { ...prompt, delivery: 'queue' },
  'session.next.agent.switched': { ...base, messageID: 'u', agent: 'plan' },
  'session.next.model.switched': { ...base, messageID: 'u', model },
  'session.next.moved': { ...base, location: { directory: '/w', workspaceID: 'w' }, subdirectory: 'sub' },
  'session.next.context.updated': { ...base, messageID: 'u', text: 't' },
  'session.next.synthetic': { ...base, messageID: 'u', text: 't' },
  'session.next.shell.started': { ...base, messageID: 'u', callID: 'c', command: 'ls' },
  'session.next.shell.ended': { ...base, callID: 'c', output: 'a' },
  'session.next.step.started': { ...step, agent: 'build', model, snapshot: 'abc' },
  'session.next.step.ended': { ...step, finish: 'stop', cost: 0.5, tokens, snapshot: 'abc', files: [] },
  'session.next.step.failed': { ...step, error },
  'session.next.text.started': { ...step, textID: 't' },
  'session.next.text.delta': { ...step, textID: 't', delta: 'd' },
  'session.next.text.ended': { ...step, textID: 't', text: 't' },
  'session.next.reasoning.started': { ...step, reasoningID: 'r', providerMetadata: { a: 1 } },
  'session.next.reasoning.delta': { ...step, reasoningID: 'r', delta: 'd' },
  'session.next.reasoning.ended': { ...step, reasoningID: 'r', text: 't', providerMetadata: { a: 1 } },
  'session.next.tool.input.started': { ...call, name: 'read' },
  'session.next.tool.input.delta': { ...call, delta: '{' },
  'session.next.tool.input.ended': { ...call, text: '{}' },
  'session.next.tool.called': { ...call, tool: 'read', input: { path: 'a' }, provider },
  'session.next.tool.progress': { ...call, structured: { n: 1 }, content: [{ type: 'text', text: 'x' }] },
  'session.next.tool.success': { ...call, structured: {}, content: [{ type: 'text', text: 'ok' }], outputPaths: ['a'], result: 1, provider },
  'session.next.tool.failed': { ...call, error, result: 1, provider },
  'session.next.retried': { ...base, attempt: 1, error: { message: 'slow', statusCode: 429, isRetryable: true } },
  'session.next.compaction.started': { ...base, messageID: 'k', reason: 'auto' },
  'session.next.compaction.delta': { ...base, messageID: 'k', text: 'sum' },
  'session.next.compaction.ended': { ...base, messageID: 'k', reason: 'manual', text: 'summary', recent: [] },
  'session.next.revert.staged': { ...base, revert },
  'session.next.revert.cleared': base,
  'session.next.revert.committed': { ...base, messageID: 'u' },
  'session.activity': { ...base, status: 'running', cutoff: -1 },
}
const types = Object.keys(valid) as EventType[]

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
/** Values that sit on the edges of the catalogue's rules: negatives, fractions, unsafe integers, wrong kinds. */
const edge: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(-1, 0, 0.5, -0.5, 2 ** 53, -(2 ** 53), 1e308, null, true, false, '', 'idle', 'steer', 'auto', [], {}, [{}], [{ type: 1 }]),
  fc.string({ maxLength: 3 }),
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)

/** Keys an object may lack that some shape knows: setting one tests the optional fields of both validators. */
const ADDABLE = ['name', 'text', 'files', 'snapshot', 'variant', 'statusCode', 'result', 'location', 'metadata', 'durable', 'extra']

/** Every path into a JSON value, objects and arrays included, and a few keys objects may gain. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix]
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
  const added = Array.isArray(value) ? [] : ADDABLE.filter((key) => !(key in value)).map((key) => [...prefix, key])
  return [prefix, ...added, ...keys.flatMap((key) => paths((value as Record<string | number, Json>)[key] ?? null, [...prefix, key]))]
}

/** Replaces (or, with `undefined`, deletes) the value at `path`; a path of [] replaces the root. */
function mutate(root: Json, path: readonly (string | number)[], next: Json | undefined): Json {
  if (path.length === 0) return next ?? null
  const copy = structuredClone(root) as Record<string | number, Json>
  let target = copy
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, Json>
  const last = path.at(-1) as string | number
  if (next === undefined) delete target[last]
  else target[last] = next
  return copy as Json
}

/** Mostly the matching type and durability for the data, sometimes not (those must fail, or be unknown). */
const envelope = fc.constantFrom(...types).chain((dataOf) =>
  fc.record({
    dataOf: fc.constant(dataOf),
    type: fc.oneof(
      { weight: 8, arbitrary: fc.constant<string>(dataOf) },
      { weight: 1, arbitrary: fc.constantFrom<string>(...types, 'session.next.compacted', 'constructor', '__proto__', 'toString') },
    ),
    durable: fc.oneof({ weight: 8, arbitrary: fc.constant(!LIVE_TYPES.has(dataOf)) }, { weight: 1, arbitrary: fc.boolean() }),
    seq: fc.oneof({ weight: 4, arbitrary: fc.constant<Json>(3) }, { weight: 1, arbitrary: edge }),
  }),
)

/** A valid event, then up to three random breakages anywhere in it (including `type` and `data` mismatches). */
const event = envelope
  .map(({ type, dataOf, durable, seq }) => {
    const event: { [key: string]: Json } = { id: 'evt_1', type, data: valid[dataOf] as Json }
    if (durable) event.durable = { aggregateID: 's', seq, version: 1 }
    return event as Json
  })
  .chain((base) =>
    fc
      .array(fc.tuple(fc.nat(), fc.option(edge, { nil: undefined })), { maxLength: 3 })
      .map((changes) =>
        changes.reduce<Json>((value, [pick, next]) => {
          const all = paths(value)
          return mutate(value, all[pick % all.length] ?? [], next)
        }, base),
      ),
  )

/**
 * What zod says decodeEvent should answer: a broken envelope is an error; a sound one of an
 * unknown type is unknown; of a known type whose data or durability does not fit, invalid.
 */
function referenceVerdict(raw: unknown): 'event' | 'unknown' | 'invalid' | 'error' {
  const parsed = envelopeSchema.safeParse(raw)
  if (!parsed.success) return 'error'
  const { type, durable, data } = parsed.data
  if (!Object.hasOwn(dataSchemas, type)) return 'unknown'
  if (LIVE_TYPES.has(type) === (durable !== undefined)) return 'invalid'
  return dataSchemas[type as EventType].safeParse(data).success ? 'event' : 'invalid'
}

describe('the validator against the zod reference', () => {
  it('gives the same verdict on every frame (property)', () => {
    fc.assert(
      fc.property(event, (raw) => {
        const text = JSON.stringify(raw)
        expect(decodeEvent(text).kind).toBe(referenceVerdict(JSON.parse(text)))
      }),
      runs,
    )
  })

  it('accepts every valid event of the catalogue unchanged', () => {
    for (const type of types) {
      const raw = { id: 'e', type, data: valid[type], ...(LIVE_TYPES.has(type) ? {} : { durable: { aggregateID: 's', seq: 1, version: 1 } }) }
      expect(decodeEvent(JSON.stringify(raw))).toEqual({ kind: 'event', event: raw })
    }
  })

  it('names the failing field in the message', () => {
    const raw = {
      id: 'e',
      type: 'session.next.step.ended',
      durable: { aggregateID: 's', seq: 2, version: 1 },
      data: { ...valid['session.next.step.ended'], tokens: { ...tokens, input: -1 } },
    }
    const decoded = decodeEvent(JSON.stringify(raw))
    expect(decoded.kind === 'invalid' ? decoded.error.message : '').toBe('invalid session.next.step.ended data: tokens.input: expected a number ≥ 0')
    const envelope = decodeEvent(JSON.stringify({ ...raw, durable: { aggregateID: 's', seq: -2, version: 1 } }))
    expect(envelope.kind === 'error' ? envelope.error.message : '').toBe('invalid envelope: durable.seq: expected an integer ≥ 0')
  })

  it('infers the same types as zod (checked by tsc)', () => {
    type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false
    const perType: { [T in EventType]: Same<EventData<T>, z.infer<DataSchemas[T]>> } = Object.fromEntries(
      types.map((type) => [type, true]),
    ) as { [T in EventType]: true }
    expect(Object.values(perType).every(Boolean)).toBe(true)
    expectTypeOf<DurableInfo>().toEqualTypeOf<z.infer<typeof durableSchema>>()
    expectTypeOf<ErrorInfo>().toEqualTypeOf<z.infer<typeof errorInfoSchema>>()
    expectTypeOf<Tokens>().toEqualTypeOf<z.infer<typeof tokensSchema>>()
    expectTypeOf<ToolContent>().toEqualTypeOf<z.infer<typeof toolContentSchema>>()
    expectTypeOf<Location>().toEqualTypeOf<z.infer<typeof locationSchema>>()
    expectTypeOf<ModelRef>().toEqualTypeOf<z.infer<typeof modelRefSchema>>()
    expectTypeOf<Prompt>().toEqualTypeOf<z.infer<typeof promptSchema>>()
    expectTypeOf<RetryError>().toEqualTypeOf<z.infer<typeof retryErrorSchema>>()
  })
})
