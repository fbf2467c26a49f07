import { createSplitter } from './sse-lines.js'

export interface FrameCallbacks {
  /** Every chunk, comment frames included: any byte proves the socket is alive. */
  onBytes(byteLength: number): void
  /** All `data` payloads completed by one chunk, in order. Returning a promise pauses reading (backpressure). */
  onFrames(frames: readonly string[]): void | Promise<void>
}

/**
 * Reads an SSE body to its end. Splitting is `createSplitter`'s (linear in the input,
 * correct for CR, LF and CRLF split across chunks, bounded by `maxEventBytes`); a streaming
 * TextDecoder keeps a UTF-8 character split across chunks intact and drops a leading BOM.
 * `id:`, `retry:` and `event:` fields are ignored: the cursor lives in `durable.seq`.
 * Resolves when the server closes the stream; rejects with `event-too-large` when one
 * event outgrows `maxEventBytes`, or with the reader's error.
 */
export async function readFrames(
  body: ReadableStream<Uint8Array>,
  maxEventBytes: number,
  callbacks: FrameCallbacks,
): Promise<void> {
  const decoder = new TextDecoder()
  const split = createSplitter(maxEventBytes)
  const reader = body.getReader()
  // Chunks without a line break complete nothing: a long line's chunks wait here as bytes and
  // are decoded once, with the chunk that ends it (a decode per 1 KiB chunk of a 1 MiB event
  // cost more than the rest of its reading). Held bytes and what the splitter holds stay within
  // maxEventBytes together: bytes decode to at most as many characters, plus PENDING for a
  // character the decoder kept from the chunk before, so whatever would take the event past
  // its limit reaches the splitter at the same chunk, and its check applies as before.
  let held: Uint8Array[] = []
  let heldBytes = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      callbacks.onBytes(value.byteLength)
      if (value.indexOf(LF) < 0 && value.indexOf(CR) < 0 && heldBytes + value.byteLength + PENDING + split.buffered() <= maxEventBytes) {
        held.push(value)
        heldBytes += value.byteLength
        continue
      }
      const bytes = heldBytes === 0 ? value : join(held, heldBytes, value)
      held = []
      heldBytes = 0
      // Throws `event-too-large` before any frame of the offending chunk is delivered.
      const frames = split(decoder.decode(bytes, { stream: true }))
      // Awaited only when it is a promise: the consumer pushes back; else no microtask hop.
      const pending = frames.length > 0 ? callbacks.onFrames(frames) : undefined
      if (pending !== undefined) await pending
    }
  } finally {
    reader.cancel().catch(() => {})
  }
}

const LF = 10
const CR = 13
/** A UTF-8 character's first bytes, held by the decoder until its last: at most 3 characters once decoded. */
const PENDING = 3

function join(held: readonly Uint8Array[], size: number, last: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(size + last.byteLength)
  let at = 0
  for (const chunk of held) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  bytes.set(last, at)
  return bytes
}
