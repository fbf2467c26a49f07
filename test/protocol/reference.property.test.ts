import * as fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type * as z from 'zod/mini'
import { decodeEvent } from '../../src/protocol/decode.js'
import type { DurableInfo, ErrorInfo, EventData, EventType, Tokens, ToolContent } from '../../src/protocol/events.js'
import {
  DURABLE_TYPES,
  dataSchemas,
  durableSchema,
  envelopeSchema,
  errorInfoSchema,
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

const error = { message: 'boom', name: 'E' }
const tokens = { input: 1, output: 2, reasoning: 0, cache: { read: 0, write: 1 } }
const msg = { sessionID: 's', assistantMessageID: 'm' }
const part = { ...msg, ordinal: 0 }

/** One valid `data` per type, with every optional field present so each can be broken. */
const valid: { [T in EventType]: EventData<T> } = {
  'session.created': { sessionID: 's', title: 't', parentID: 'p', agent: 'a', model: { providerID: 'p', modelID: 'm' } },
  'session.renamed': { sessionID: 's', title: 't' },
  'session.deleted': { sessionID: 's' },
  'session.inbox.enqueued': { sessionID: 's', messageID: 'u', text: 'hi' },
  'session.execution.started': { sessionID: 's' },
  'session.execution.succeeded': { sessionID: 's' },
  'session.execution.failed': { sessionID: 's', error },
  'session.execution.interrupted': { sessionID: 's', reason: 'user' },
  'session.step.started': { ...msg, agent: 'a', model: { providerID: 'p', modelID: 'm' } },
  'session.step.ended': { ...msg, finish: 'stop', cost: 0.5, tokens },
  'session.step.failed': { ...msg, error },
  'session.text.started': part,
  'session.text.delta': { ...part, delta: 'd' },
  'session.text.ended': { ...part, text: 't' },
  'session.reasoning.started': part,
  'session.reasoning.delta': { ...part, delta: 'd' },
  'session.reasoning.ended': { ...part, text: 't' },
  'session.tool.input.started': { ...msg, id: 't', name: 'bash' },
  'session.tool.input.delta': { ...msg, id: 't', delta: '{' },
  'session.tool.input.ended': { ...msg, id: 't', text: '{}' },
  'session.tool.called': { ...msg, id: 't', input: { a: 1 } },
  'session.tool.progress': { ...msg, id: 't', metadata: { n: 1 } },
  'session.tool.success': { ...msg, id: 't', content: [{ type: 'text', text: 'ok' }] },
  'session.tool.failed': { ...msg, id: 't', error },
  'session.retry.scheduled': { ...msg, attempt: 1, at: 5, error },
  'session.usage.updated': { ...msg, cost: 1, tokens },
  'session.activity': { sessionID: 's', status: 'running', cutoff: -1 },
}
const types = Object.keys(valid) as EventType[]

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
/** Values that sit on the edges of the catalogue's rules: negatives, fractions, unsafe integers, wrong kinds. */
const edge: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(-1, 0, 0.5, -0.5, 2 ** 53, -(2 ** 53), 1e308, null, true, '', 'idle', 'user', [], {}, [{}], [{ type: 1 }]),
  fc.string({ maxLength: 3 }),
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)

/** Keys an object may lack that some shape knows: setting one tests the optional fields of both validators. */
const ADDABLE = ['name', 'text', 'title', 'agent', 'model', 'finish', 'reasoning', 'cache', 'durable', 'extra']

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
      { weight: 1, arbitrary: fc.constantFrom<string>(...types, 'session.compacted', 'constructor', '__proto__', 'toString') },
    ),
    durable: fc.oneof({ weight: 8, arbitrary: fc.constant(DURABLE_TYPES.has(dataOf)) }, { weight: 1, arbitrary: fc.boolean() }),
    seq: fc.oneof({ weight: 4, arbitrary: fc.constant<Json>(3) }, { weight: 1, arbitrary: edge }),
  }),
)

/** A valid event, then up to three random breakages anywhere in it (including `type` and `data` mismatches). */
const event = envelope
  .map(({ type, dataOf, durable, seq }) => {
    const base: { [key: string]: Json } = { id: 'evt_1', created: 1, type, data: valid[dataOf] as Json }
    if (durable) base.durable = { aggregateID: 's', seq, version: 1 }
    return base as Json
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

/** What zod says decodeEvent should answer. */
function referenceVerdict(raw: unknown): 'event' | 'unknown' | 'error' {
  const parsed = envelopeSchema.safeParse(raw)
  if (!parsed.success) return 'error'
  const { type, durable, data } = parsed.data
  if (!Object.hasOwn(dataSchemas, type)) return 'unknown'
  if (DURABLE_TYPES.has(type) !== (durable !== undefined)) return 'error'
  return dataSchemas[type as EventType].safeParse(data).success ? 'event' : 'error'
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
      const raw = { id: 'e', created: 1, type, data: valid[type], ...(DURABLE_TYPES.has(type) ? { durable: { aggregateID: 's', seq: 0, version: 1 } } : {}) }
      expect(decodeEvent(JSON.stringify(raw))).toEqual({ kind: 'event', event: raw })
    }
  })

  it('names the failing field in the message', () => {
    const raw = { id: 'e', created: 1, type: 'session.step.ended', durable: { aggregateID: 's', seq: 2, version: 1 }, data: { ...valid['session.step.ended'], tokens: { input: -1, output: 0 } } }
    const decoded = decodeEvent(JSON.stringify(raw))
    expect(decoded.kind === 'error' ? decoded.error.message : '').toBe('invalid session.step.ended data: tokens.input: expected a number ≥ 0')
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
  })
})
