import type { SessionStreamError } from '../errors.js'
import type { SessionEvent, UnknownEvent } from '../protocol/events.js'
import { openConnection, type ConnectionOptions } from '../transport/connection.js'

export interface SessionEventsOptions extends Omit<ConnectionOptions, 'onHistoryReset'> {
  /** Aborting ends the iteration (without an error) and releases the request and timers. */
  readonly signal?: AbortSignal | undefined
  /** Events buffered for a slow consumer before the client stops reading the socket. @default 256 */
  readonly highWaterMark?: number | undefined
  readonly onUnknownEvent?: ((event: UnknownEvent) => void) | undefined
  /** Events of a known type whose data does not fit the catalogue: ordered, never yielded, reported here. */
  readonly onInvalidEvent?: ((event: UnknownEvent, error: SessionStreamError) => void) | undefined
}

/**
 * The session stream as an async iterable: the same reconnect core as the stores, so
 * each durable event is yielded exactly once in seq order across reconnects, and live
 * events as they come. A slow consumer applies backpressure: the client stops reading
 * the socket instead of buffering without bound (the server may then drop the
 * connection; the cursor makes that lossless). Stop conditions (404, 400, 401 after
 * its retry, …) end the loop by throwing the typed `SessionStreamError`. A server whose
 * history no longer reaches the cursor ends the loop with `history-reset`: re-yielding
 * seq 0, 1, … would move a saved cursor backwards.
 */
export function sessionEvents(options: SessionEventsOptions): AsyncIterable<SessionEvent> {
  return { [Symbol.asyncIterator]: () => iterate(options) }
}

function iterate(options: SessionEventsOptions): AsyncIterator<SessionEvent> {
  const highWaterMark = Math.max(1, options.highWaterMark ?? 256)
  const queue: SessionEvent[] = []
  let head = 0
  let ended = false
  let finished = false
  let failure: SessionStreamError | undefined
  const consumers: (() => void)[] = []
  let wakeProducer: (() => void) | undefined

  const wakeConsumers = () => {
    for (const wake of consumers.splice(0)) wake()
  }
  const resumeProducer = () => {
    const resume = wakeProducer
    wakeProducer = undefined
    resume?.()
  }

  const connection = openConnection(
    // A rebuild would re-yield seq 0, 1, … to a consumer that saves cursors: it must be told.
    { ...options, onHistoryReset: 'error' },
    {
      event: (event) => {
        if (finished) return undefined
        queue.push(event)
        wakeConsumers()
        return queue.length - head < highWaterMark ? undefined : new Promise<void>((resolve) => (wakeProducer = resolve))
      },
      unknown: options.onUnknownEvent,
      invalid: options.onInvalidEvent,
      end: (error) => {
        ended = true
        failure = error
        wakeConsumers()
        resumeProducer()
      },
    },
  )

  /** Stops for good: nothing more is queued, and a paused producer is let go. */
  const stop = () => {
    finished = true
    queue.length = 0
    head = 0
    connection.close()
    resumeProducer()
  }
  const onAbort = () => {
    stop()
    wakeConsumers()
  }
  if (options.signal?.aborted === true) stop()
  options.signal?.addEventListener('abort', onAbort, { once: true })

  const finish = async (): Promise<IteratorResult<SessionEvent>> => {
    options.signal?.removeEventListener('abort', onAbort)
    stop()
    await connection.done
    return { done: true, value: undefined }
  }

  const take = (): SessionEvent | undefined => {
    if (head === queue.length) return undefined
    const event = queue[head++]
    // Consumed slots are released in batches, so memory stays bounded by the high-water mark.
    if (head === queue.length || head >= highWaterMark) {
      queue.splice(0, head)
      head = 0
    }
    if (queue.length - head < highWaterMark / 2) resumeProducer()
    return event
  }

  return {
    next: async () => {
      for (;;) {
        const event = finished ? undefined : take()
        if (event !== undefined) return { done: false, value: event }
        if (ended || finished) {
          const error = failure
          failure = undefined
          const done = await finish()
          if (error !== undefined) throw error
          return done
        }
        await new Promise<void>((resolve) => consumers.push(resolve))
      }
    },
    return: finish,
  }
}
