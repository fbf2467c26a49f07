import { nextTask } from './stats.js'

const SSE_HEADERS = { 'content-type': 'text/event-stream' }

/** A body that stays open and silent until the request is aborted. */
const silent = (signal: AbortSignal | null | undefined) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')), {
        once: true,
      })
    },
  })

/**
 * An in-memory SSE response body. Chunks are handed out one per task, only when the reader
 * asks (high-water mark 0), the way socket reads arrive: so a per-task flush scheduler
 * gets its turn between chunks, as it would on a real connection.
 */
export interface Feed {
  /** Answers the first request with this feed's body; later ones stay open and silent until aborted. */
  readonly fetch: typeof fetch
  /** Queues chunks; resolves once the reader has taken all of them. */
  push(chunks: readonly Uint8Array[]): Promise<void>
}

/** `perTask: false` hands chunks out back to back (microtasks only): pure parsing cost, no scheduling. */
export function createFeed(options: { readonly perTask?: boolean } = {}): Feed {
  const perTask = options.perTask ?? true
  const queue: Uint8Array[] = []
  let head = 0
  let wakePull: (() => void) | undefined
  let drained: (() => void) | undefined
  let served = false

  const body = (signal: AbortSignal | null | undefined) =>
    new ReadableStream<Uint8Array>(
      {
        start(controller) {
          signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')), {
            once: true,
          })
        },
        async pull(controller) {
          while (head === queue.length) {
            drained?.()
            await new Promise<void>((resolve) => (wakePull = resolve))
          }
          if (perTask) await nextTask()
          // An index, not shift(): shift() copies the queue, O(n) a chunk for 80,000 small chunks.
          const chunk = queue[head++]
          if (chunk !== undefined) controller.enqueue(chunk)
          if (head === queue.length) {
            queue.length = head = 0
            drained?.()
          }
        },
      },
      { highWaterMark: 0 },
    )

  return {
    fetch: async (_input, init) => {
      const first = !served
      served = true
      return new Response(first ? body(init?.signal) : silent(init?.signal), { status: 200, headers: SSE_HEADERS })
    },
    push(chunks) {
      for (const chunk of chunks) queue.push(chunk)
      const done = new Promise<void>((resolve) => (drained = resolve))
      const wake = wakePull
      wakePull = undefined
      wake?.()
      return done
    },
  }
}
