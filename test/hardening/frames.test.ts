import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { activity, bytes, created, durable, frame, renames, textDelta } from '../support/events.js'
import { connectHarness, settle } from '../transport/harness.js'

/*
 * The bad-input matrix, frames: each case feeds raw bytes to one open connection and
 * checks the defined end state: which events were delivered (durable ones exactly once,
 * in order), the counters, and the typed error code where there is one.
 */

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

interface Case {
  readonly name: string
  readonly chunks: readonly (string | Uint8Array)[]
  readonly seqs: readonly number[]
  readonly error?: string
  readonly counters?: Record<string, number>
  readonly reconnects?: boolean
}

const json = (value: object) => JSON.stringify(value)
const c0 = json(created(0))
const r1 = durable('session.renamed', 1, { title: 'ü🚀' })
const utf8 = bytes(frame(r1))
const split = utf8.indexOf(0xf0) + 2 // inside the 4-byte 🚀

const cases: Case[] = [
  { name: 'LF line endings', chunks: [`data: ${c0}\n\n`], seqs: [0] },
  // A CR ends its line at once, even at the very end of a chunk; a LF opening the next chunk is then skipped (see the split CRLF below).
  { name: 'CR line endings', chunks: [`data: ${c0}\r\r`, ': heartbeat\r\r'], seqs: [0] },
  { name: 'CRLF line endings', chunks: [`data: ${c0}\r\n\r\n`], seqs: [0] },
  { name: 'a CRLF split across two chunks', chunks: [`data: ${c0}\r`, `\n\r`, `\ndata: ${json(renames(1, 1)[0]!)}\r\n\r\n`], seqs: [0, 1] },
  { name: 'a UTF-8 character split across chunks', chunks: [frame(created(0)), utf8.slice(0, split), utf8.slice(split)], seqs: [0, 1] },
  { name: 'a leading BOM', chunks: [`\uFEFFdata: ${c0}\n\n`], seqs: [0] },
  { name: 'comment-only frames', chunks: [': heartbeat\n\n', ':\n\n', `data: ${c0}\n\n`], seqs: [0] },
  { name: 'id: and retry: fields the protocol does not use', chunks: [`id: 99\nretry: 1\nevent: x\ndata: ${c0}\n\n`, 'id: 5\n\n', 'retry: 10\n\n'], seqs: [0] },
  { name: 'multiple data: lines joined by a newline', chunks: [`data: ${c0.slice(0, c0.indexOf(',') + 1)}\ndata: ${c0.slice(c0.indexOf(',') + 1)}\n\n`], seqs: [0] },
  { name: 'an empty data: field', chunks: ['data:\n\n', 'data: \n\n', `data: ${c0}\n\n`], seqs: [0] },
  { name: 'one byte per chunk', chunks: [...bytes(frame(created(0)) + frame(r1))].map((b) => Uint8Array.of(b)), seqs: [0, 1] },
  { name: 'malformed JSON', chunks: ['data: {nope\n\n', `data: ${c0}\n\n`], seqs: [0], error: 'malformed-json', counters: { invalid: 1 } },
  {
    name: 'a valid envelope with an unknown type',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ id: 'x', created: 1, type: 'session.future', data: {} })}\n\n`],
    seqs: [0],
    counters: { unknown: 1 },
  },
  {
    name: 'a known live type with invalid data',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ ...textDelta('x'), data: { delta: 5 } })}\n\n`],
    seqs: [0],
    error: 'invalid-event',
    counters: { invalid: 1 },
  },
  {
    name: 'a known durable type with invalid data (resubscribes, never skips)',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ ...r1, data: {} })}\n\n`, `data: ${json(renames(2, 2)[0]!)}\n\n`],
    seqs: [0],
    error: 'invalid-event',
    reconnects: true,
  },
  {
    name: 'a durable event with a non-integer seq',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ ...r1, durable: { aggregateID: 's', seq: 1.5, version: 1 } })}\n\n`],
    seqs: [0],
    error: 'invalid-event',
    counters: { invalid: 1 },
  },
  {
    name: 'a durable event with a negative seq',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ ...r1, durable: { aggregateID: 's', seq: -3, version: 1 } })}\n\n`],
    seqs: [0],
    error: 'invalid-event',
    counters: { invalid: 1 },
  },
  {
    name: 'a durable block on a live-only type',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ ...textDelta('x'), durable: { aggregateID: 's', seq: 1, version: 1 } })}\n\n`],
    seqs: [0],
    error: 'invalid-event',
    reconnects: true,
  },
  {
    name: 'an event larger than the maximum, in pieces',
    chunks: [`data: ${c0}\n\n`, `data: {"a":"${'x'.repeat(700)}`, `${'x'.repeat(700)}"}\n\n`],
    seqs: [0],
    error: 'event-too-large',
    reconnects: true,
  },
  { name: 'a duplicate durable event', chunks: [frame(created(0)), frame(created(0)), frame(r1)], seqs: [0, 1], counters: { duplicates: 1 } },
  { name: 'a gap', chunks: [frame(created(0)), frame(renames(2, 2)[0]!)], seqs: [0], error: 'sequence-gap', counters: { gaps: 1 }, reconnects: true },
  { name: 'two activity snapshots', chunks: [frame(created(0)), frame(activity('idle', 0)), frame(activity('running', 0)), frame(r1)], seqs: [0, 1] },
]

describe('bad input: frames', () => {
  it.each(cases)('$name', async ({ chunks, seqs, error, counters = {}, reconnects = false }) => {
    const h = connectHarness({ maxEventBytes: 1024 })
    await settle()
    for (const chunk of chunks) {
      h.server.last.raw(chunk)
      await settle()
    }
    expect(h.durableSeqs()).toEqual(seqs)
    expect(h.status().lastError?.code).toBe(error)
    expect(h.status().counters).toMatchObject(counters)
    expect(h.server.streams[0]?.aborted).toBe(reconnects)
    expect(['open', 'backoff']).toContain(h.status().state)
    h.connection.close()
  })
})
