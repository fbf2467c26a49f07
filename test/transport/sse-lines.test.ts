import { describe, expect, it } from 'vitest'
import { SessionStreamError } from '../../src/errors.js'
import { createSplitter } from '../../src/transport/sse-lines.js'
import { readFrames } from '../../src/transport/sse.js'

/** Each chunk's payloads, in order. */
const feed = (chunks: readonly string[], max = 1024): string[][] => {
  const split = createSplitter(max)
  return chunks.map((chunk) => split(chunk))
}

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run()
  } catch (error) {
    return error instanceof SessionStreamError ? error.code : 'not a SessionStreamError'
  }
  return undefined
}

describe('SSE splitter', () => {
  it('treats a CRLF split across chunks as one line break', () => {
    expect(feed(['data: a\r', '\ndata: b\r', '\n\r', '\n'])).toEqual([[], [], ['a\nb'], []])
  })

  it('keeps a pending CR across an empty chunk', () => {
    expect(feed(['data: a\r', '', '\ndata: b\n\n'])).toEqual([[], [], ['a\nb']])
  })

  it('acts on a chunk-final lone CR at once', () => {
    expect(feed(['data: a\r\r', '\r'])).toEqual([['a'], []])
  })

  it('gets nothing from comment-only heartbeat frames', () => {
    expect(feed([': heartbeat\n\n', ':\n\n', ':\r\r', ': x\r\n\r\n'])).toEqual([[], [], [], []])
  })

  it('drops an event the stream ends in the middle of', () => {
    expect(feed(['data: a\n\n', 'data: b\n'])).toEqual([['a'], []])
  })

  it('accepts an event of exactly the limit', () => {
    expect(feed([`data: ${'x'.repeat(10)}\n\n`], 10)).toEqual([['x'.repeat(10)]])
  })

  it('rejects an event larger than the limit that arrives whole in one chunk', () => {
    const split = createSplitter(10)
    expect(codeOf(() => split(`data: ${'x'.repeat(11)}\n\n`))).toBe('event-too-large')
  })

  it('rejects data lines that together outgrow the limit', () => {
    const split = createSplitter(10)
    expect(split('data: 12345\n')).toEqual([])
    expect(codeOf(() => split('data: 67890\n'))).toBe('event-too-large')
  })

  it('rejects a long unterminated line at the chunk that takes it past the limit', () => {
    const max = 1000
    const split = createSplitter(max)
    const chunk = 'x'.repeat(16)
    let fed = 0
    let code: string | undefined
    while (code === undefined && fed < 10 * max) {
      code = codeOf(() => split(fed === 0 ? `data: ${chunk.slice(6)}` : chunk))
      fed += chunk.length
    }
    expect(code).toBe('event-too-large')
    // Buffered at most the limit plus the chunk that crossed it.
    expect(fed).toBe(Math.ceil((max + 1) / chunk.length) * chunk.length)
  })

  it('counts a partial line and the data before it together', () => {
    const split = createSplitter(10)
    expect(split('data: 123456\ndat')).toEqual([])
    expect(codeOf(() => split('a:'))).toBe('event-too-large')
  })
})

const body = (chunks: readonly string[]): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      controller.close()
    },
  })

describe('readFrames', () => {
  it('reports bytes per chunk and the payloads each chunk completes', async () => {
    const bytes: number[] = []
    const batches: (readonly string[])[] = []
    await readFrames(body(['data: a\n\ndata: b', '\n\n: hi\n\n', 'data: ü\n\n']), 100, {
      onBytes: (length) => void bytes.push(length),
      onFrames: (frames) => void batches.push(frames),
    })
    expect(bytes).toEqual([16, 8, 10])
    expect(batches).toEqual([['a'], ['b'], ['ü']])
  })

  it('rejects with event-too-large', async () => {
    const reading = readFrames(body([`data: ${'x'.repeat(50)}`, 'x\n\n']), 50, { onBytes: () => {}, onFrames: () => {} })
    await expect(reading).rejects.toMatchObject({ code: 'event-too-large' })
  })
})
