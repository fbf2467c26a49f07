import { createParser } from 'eventsource-parser'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSplitter } from '../../src/transport/sse-lines.js'
import { readFrames } from '../../src/transport/sse.js'

/*
 * Differential: random SSE streams cut into random chunks through our splitter, against
 * eventsource-parser as the oracle. After every chunk, what we have emitted must equal what
 * the oracle emits for all text so far fed in one piece (each payload comes out with the
 * chunk that completes it), and at the end, what it emits fed the same chunks. A chunk-final
 * CR already ends its line for us; the oracle holds it until a later chunk brings a line
 * break (at the end of the stream it never dispatches that event), so the oracle gets such
 * a chunk joined to the next, and a trailing CR as CRLF (the same break).
 * Reproduce a failure with FC_SEED=<seed> (printed by fast-check); FC_RUNS raises the count.
 */
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED)
const numRuns = Number(process.env.FC_RUNS ?? 400)

/** eventsource-parser's payloads, less empty ones (not events for us); chunks ending in CR joined as above. */
function oracle(chunks: readonly string[]): string[] {
  const payloads: string[] = []
  const parser = createParser({ onEvent: ({ data }) => void (data === '' || payloads.push(data)) })
  let carry = ''
  for (const chunk of chunks) {
    carry += chunk
    if (!carry.endsWith('\r')) {
      parser.feed(carry)
      carry = ''
    }
  }
  if (carry !== '') parser.feed(`${carry}\n`)
  return payloads
}

const value = fc.oneof(
  fc.constantFrom('', ' ', ':', ' : x', '  two', 'data: nested', '{"a":1}', 'ü🚀', '\u2028'),
  fc.string({ unit: 'binary', maxLength: 12 }).map((text) => text.replace(/[\r\n]/g, '')),
)
const line = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('data:', 'data: ', 'data:  ', 'data'), value).map(([field, rest]) => field + rest) },
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('event:', 'event: x', 'id: ', 'retry: ', ':', ': ', 'Data:', 'data ', ' data:', 'dat', 'datum:', 'x'), value)
      .map(([field, rest]) => field + rest),
  },
)
const stream = fc
  .tuple(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r', '\r\n')), { maxLength: 30 }), fc.option(line, { nil: '' }))
  .map(([lines, tail]) => lines.map(([text, end]) => text + end).join('') + tail)

/** Cut points: every character, right after every CR, or random (repeats give empty chunks). */
const cutting = fc.oneof(fc.constant('chars' as const), fc.constant('after-cr' as const), fc.array(fc.nat(), { maxLength: 12 }))

function cut(text: string, how: 'chars' | 'after-cr' | readonly number[]): string[] {
  if (how === 'chars') return text.split('')
  if (how === 'after-cr') return text.split(/(?<=\r)/)
  const at = [0, ...how.map((n) => n % (text.length + 1)).toSorted((a, b) => a - b), text.length]
  return at.slice(1).map((end, index) => text.slice(at[index], end))
}

describe('SSE splitter against eventsource-parser', () => {
  it('emits the same payloads, each with the chunk that completes it', () => {
    fc.assert(
      fc.property(stream, cutting, (text, how) => {
        const chunks = cut(text, how)
        // The tightest limit that never needs to fire: nothing buffered exceeds the stream.
        const split = createSplitter(text.length)
        const emitted: string[] = []
        let seen = ''
        for (const chunk of chunks) {
          emitted.push(...split(chunk))
          seen += chunk
          expect(emitted).toEqual(oracle([seen]))
        }
        expect(emitted).toEqual(oracle(chunks))
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    )
  })
})

/** The stream's UTF-8 bytes cut at random byte offsets: inside multi-byte characters, between CR and LF. */
function cutBytes(bytes: Uint8Array, at: readonly number[]): Uint8Array[] {
  const cuts = [0, ...at.map((n) => n % (bytes.length + 1)).toSorted((a, b) => a - b), bytes.length]
  return cuts.slice(1).map((end, index) => bytes.slice(cuts[index], end))
}

const bodyOf = (chunks: readonly Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })

/** What reading gives: each batch of payloads with the index of the chunk it came with, and the error and its chunk. */
interface Outcome {
  readonly batches: (readonly [number, readonly string[]])[]
  readonly error: readonly [number, unknown] | undefined
}

/** The reference: every chunk decoded and split as it comes (what readFrames did before it held bytes). */
function decodeEachChunk(chunks: readonly Uint8Array[], limit: number): Outcome {
  const split = createSplitter(limit)
  const decoder = new TextDecoder()
  const batches: (readonly [number, readonly string[]])[] = []
  for (let i = 0; i < chunks.length; i++) {
    try {
      const frames = split(decoder.decode(chunks[i], { stream: true }))
      if (frames.length > 0) batches.push([i, frames])
    } catch (error) {
      return { batches, error: [i, (error as { code?: unknown }).code] }
    }
  }
  return { batches, error: undefined }
}

async function read(chunks: readonly Uint8Array[], limit: number): Promise<Outcome> {
  const batches: (readonly [number, readonly string[]])[] = []
  let chunk = -1
  try {
    await readFrames(bodyOf(chunks), limit, {
      onBytes: () => void chunk++,
      onFrames: (frames) => void batches.push([chunk, [...frames]]),
    })
    return { batches, error: undefined }
  } catch (error) {
    return { batches, error: [chunk, (error as { code?: unknown }).code] }
  }
}

describe('readFrames on bytes cut anywhere', () => {
  // Chunks without a line break are held as bytes and decoded with the chunk that ends their
  // line: the payloads, the chunk each comes out with, and where an oversized event stops the
  // reading must all be what decoding every chunk gives, whatever the limit.
  it('gives what decoding every chunk gives: the same payloads with the same chunks, the same limit at the same chunk', async () => {
    await fc.assert(
      fc.asyncProperty(stream, fc.array(fc.nat(), { maxLength: 40 }), fc.nat(), async (text, at, limitSeed) => {
        const bytes = new TextEncoder().encode(text)
        const chunks = cutBytes(bytes, at)
        const limit = 1 + (limitSeed % (bytes.length + 2))
        const outcome = await read(chunks, limit)
        expect(outcome).toEqual(decodeEachChunk(chunks, limit))
        // And with room for every event, the payloads are the oracle's.
        const whole = await read(chunks, bytes.length + 1)
        expect(whole.batches.flatMap(([, frames]) => frames)).toEqual(oracle([text]))
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    )
  })

  it('still stops a long line without breaks at the limit, however small its chunks', async () => {
    const chunks = Array.from({ length: 400 }, () => new TextEncoder().encode('ü'.repeat(8)))
    let read = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks[read++]
        if (chunk === undefined) controller.close()
        else controller.enqueue(chunk)
      },
    })
    const reading = readFrames(body, 1000, { onBytes: () => {}, onFrames: () => {} })
    await expect(reading).rejects.toMatchObject({ code: 'event-too-large' })
    // Bounded: it gave up within a few times the limit, not at the end of the stream.
    expect(read * 16).toBeLessThan(4 * 1000)
  })
})
