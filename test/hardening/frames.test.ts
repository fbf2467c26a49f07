import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { activity, bytes, durable, frame, row, SESSION, textDelta } from '../support/events.js'
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
const c0 = json(row(1))
const r1 = row(2, 'ü🚀')
const utf8 = bytes(frame(r1))
const split = utf8.indexOf(0xf0) + 2 // inside the 4-byte 🚀

const cases: Case[] = [
  { name: 'LF line endings', chunks: [`data: ${c0}\n\n`], seqs: [1] },
  // A CR ends its line at once, even at the very end of a chunk; a LF opening the next chunk is then skipped (see the split CRLF below).
  { name: 'CR line endings', chunks: [`data: ${c0}\r\r`, ': heartbeat\r\r'], seqs: [1] },
  { name: 'CRLF line endings', chunks: [`data: ${c0}\r\n\r\n`], seqs: [1] },
  { name: 'a CRLF split across two chunks', chunks: [`data: ${c0}\r`, `\n\r`, `\ndata: ${json(row(2))}\r\n\r\n`], seqs: [1, 2] },
  { name: 'a UTF-8 character split across chunks', chunks: [frame(row(1)), utf8.slice(0, split), utf8.slice(split)], seqs: [1, 2] },
  { name: 'a leading BOM', chunks: [`\uFEFFdata: ${c0}\n\n`], seqs: [1] },
  { name: 'comment-only frames', chunks: [': heartbeat\n\n', ':\n\n', `data: ${c0}\n\n`], seqs: [1] },
  { name: 'id: and retry: fields the protocol does not use', chunks: [`id: 99\nretry: 1\nevent: x\ndata: ${c0}\n\n`, 'id: 5\n\n', 'retry: 10\n\n'], seqs: [1] },
  { name: 'multiple data: lines joined by a newline', chunks: [`data: ${c0.slice(0, c0.indexOf(',') + 1)}\ndata: ${c0.slice(c0.indexOf(',') + 1)}\n\n`], seqs: [1] },
  { name: 'an empty data: field', chunks: ['data:\n\n', 'data: \n\n', `data: ${c0}\n\n`], seqs: [1] },
  { name: 'one byte per chunk', chunks: [...bytes(frame(row(1)) + frame(r1))].map((b) => Uint8Array.of(b)), seqs: [1, 2] },
  {
    name: 'malformed JSON (a corrupt stream: resubscribes, never skips past it)',
    chunks: [`data: ${c0}\n\n`, 'data: {nope\n\n', `data: ${json(row(2))}\n\n`],
    seqs: [1],
    error: 'malformed-json',
    counters: { protocolErrors: 1 },
    reconnects: true,
  },
  {
    name: 'a torn last row before the snapshot and heartbeats',
    chunks: [`data: ${c0}\n\n`, 'data: {"id":"evt_x","type":"session.next.prom\n\n', frame(activity('idle', 2)), ': heartbeat\n\n'],
    seqs: [1],
    error: 'malformed-json',
    counters: { protocolErrors: 1 },
    reconnects: true,
  },
  {
    name: 'a valid envelope with an unknown type',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ id: 'x', type: 'session.next.future', data: { sessionID: SESSION } })}\n\n`],
    seqs: [1],
    counters: { unknown: 1 },
  },
  {
    name: 'a known live type with invalid data',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ ...textDelta('x'), data: { ...textDelta('x').data, delta: 5 } })}\n\n`],
    seqs: [1],
    error: 'invalid-event',
    counters: { invalid: 1 },
  },
  {
    name: 'a known durable type with invalid data (ordered, moves the cursor, not folded)',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ ...r1, data: { ...r1.data, prompt: {} } })}\n\n`, `data: ${json(row(3))}\n\n`],
    seqs: [1, 3],
    error: 'invalid-event',
    counters: { invalid: 1 },
  },
  {
    name: 'a durable event with a non-integer seq',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ ...r1, durable: { aggregateID: SESSION, seq: 1.5, version: 1 } })}\n\n`],
    seqs: [1],
    error: 'invalid-event',
    counters: { protocolErrors: 1 },
    reconnects: true,
  },
  {
    name: 'a durable event with a negative seq',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ ...r1, durable: { aggregateID: SESSION, seq: -3, version: 1 } })}\n\n`],
    seqs: [1],
    error: 'invalid-event',
    counters: { protocolErrors: 1 },
    reconnects: true,
  },
  {
    name: 'a durable block on a live-only type (ordered by its seq, not folded)',
    chunks: [`data: ${c0}\n\n`, `data: ${json({ ...textDelta('x'), durable: { aggregateID: SESSION, seq: 2, version: 1 } })}\n\n`],
    seqs: [1],
    error: 'invalid-event',
    counters: { invalid: 1 },
  },
  {
    name: 'an event of another session',
    chunks: [`data: ${c0}\n\n`, frame(durable('session.next.prompted', 2, { messageID: 'm', prompt: { text: 'x' }, delivery: 'steer' }, 'ses_other'))],
    seqs: [1],
    error: 'wrong-session',
    counters: { protocolErrors: 1 },
    reconnects: true,
  },
  {
    name: 'an event larger than the maximum, in pieces',
    chunks: [`data: ${c0}\n\n`, `data: {"a":"${'x'.repeat(700)}`, `${'x'.repeat(700)}"}\n\n`],
    seqs: [1],
    error: 'event-too-large',
    reconnects: true,
  },
  { name: 'a duplicate durable event', chunks: [frame(row(1)), frame(row(1)), frame(r1)], seqs: [1, 2], counters: { duplicates: 1 } },
  { name: 'a skipped seq (a private row)', chunks: [frame(row(1)), frame(row(3))], seqs: [1, 3], counters: { skips: 1 } },
  { name: 'two activity snapshots', chunks: [frame(row(1)), frame(activity('idle', 1)), frame(activity('running', 1)), frame(r1)], seqs: [1, 2] },
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
