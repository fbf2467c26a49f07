import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { SessionStreamError } from '../errors.js'

export interface FrameCallbacks {
  /** Every chunk, comment frames included: any byte proves the socket is alive. */
  onBytes(byteLength: number): void
  /** All `data` payloads completed by one chunk, in order. Returning a promise pauses reading (backpressure). */
  onFrames(frames: readonly string[]): void | Promise<void>
}

/**
 * Reads an SSE body to its end. Splitting is eventsource-parser's (linear in the input,
 * correct for CR, LF and CRLF split across chunks); a streaming TextDecoder keeps a UTF-8
 * character split across chunks intact and drops a leading BOM. `id:`, `retry:` and
 * `event:` fields are ignored: the cursor lives in `durable.seq`.
 * Resolves when the server closes the stream; rejects with `event-too-large` when one
 * event outgrows `maxEventBytes`, or with the reader's error.
 */
export async function readFrames(
  body: ReadableStream<Uint8Array>,
  maxEventBytes: number,
  callbacks: FrameCallbacks,
): Promise<void> {
  const decoder = new TextDecoder()
  let frames: string[] = []
  let tooLarge = false
  const parser = createParser({
    maxBufferSize: maxEventBytes,
    onEvent: (message: EventSourceMessage) => {
      // The parser bounds what it buffers across chunks; an event that arrives whole in
      // one chunk is measured here.
      if (message.data.length > maxEventBytes) tooLarge = true
      // An empty data field (or an id-only block) is not an event.
      else if (message.data !== '') frames.push(message.data)
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') tooLarge = true
    },
  })
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      callbacks.onBytes(value.byteLength)
      parser.feed(decoder.decode(value, { stream: true }))
      if (tooLarge) {
        throw new SessionStreamError('event-too-large', `an event exceeded the ${maxEventBytes}-byte limit`)
      }
      if (frames.length > 0) {
        const batch = frames
        frames = []
        await callbacks.onFrames(batch)
      }
    }
  } finally {
    reader.cancel().catch(() => {})
  }
}
