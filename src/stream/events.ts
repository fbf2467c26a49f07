import { SessionStreamError } from '../errors.js'
import type { SessionEvent, UnknownEvent } from '../protocol/events.js'
import { openConnection, type ConnectionOptions } from '../transport/connection.js'

export interface SessionEventsOptions extends ConnectionOptions {
  /** Aborting ends the iteration (without an error) and releases the request and timers. */
  readonly signal?: AbortSignal | undefined
  /** Events buffered for a slow consumer before the client stops reading the socket. @default 256 */
  readonly highWaterMark?: number | undefined
  readonly onUnknownEvent?: ((event: UnknownEvent) => void) | undefined
}

/**
 * The session stream as an async iterable: the same reconnect core as the stores, so
 * each durable event is yielded exactly once in seq order across reconnects, and live
 * events as they come. A slow consumer applies backpressure: the client stops reading
 * the socket instead of buffering without bound (the server may then drop the
 * connection; the cursor makes that lossless). Stop conditions (404, 400, 401 after
 * its retry, …) end the loop by throwing the typed `SessionStreamError`; a
 * `session.deleted` event is yielded and then the loop ends normally.
 */
export function sessionEvents(options: SessionEventsOptions): AsyncIterable<SessionEvent> {
  return { [Symbol.asyncIterator]: () => iterate(options) }
}

function iterate(options: SessionEventsOptions): AsyncIterator<SessionEvent> {
  const highWaterMark = Math.max(1, options.highWaterMark ?? 256)
  const queue: SessionEvent[] = []
  let head = 0
  let ended = false
  let failure: SessionStreamError | undefined
  let wakeConsumer: (() => void) | undefined
  let wakeProducer: (() => void) | undefined

  const connection = openConnection(
    { ...options, onHistoryReset: options.onHistoryReset ?? 'error' },
    {
      event: (event) => {
        queue.push(event)
        wakeConsumer?.()
        if (queue.length - head >= highWaterMark) return new Promise<void>((resolve) => (wakeProducer = resolve))
        return undefined
      },
      unknown: options.onUnknownEvent,
      end: (error) => {
        ended = true
        failure = error?.code === 'session-deleted' ? undefined : error
        wakeConsumer?.()
        wakeProducer?.()
      },
    },
  )
  const onAbort = () => connection.close()
  if (options.signal?.aborted === true) connection.close()
  options.signal?.addEventListener('abort', onAbort, { once: true })

  const finish = async (): Promise<IteratorResult<SessionEvent>> => {
    options.signal?.removeEventListener('abort', onAbort)
    connection.close()
    wakeProducer?.()
    await connection.done
    return { done: true, value: undefined }
  }

  const take = (): SessionEvent | undefined => {
    if (head === queue.length) return undefined
    const event = queue[head++]
    if (head === queue.length) {
      queue.length = 0
      head = 0
    }
    if (queue.length - head < highWaterMark / 2 && wakeProducer !== undefined) {
      const resume = wakeProducer
      wakeProducer = undefined
      resume()
    }
    return event
  }

  return {
    next: async () => {
      for (;;) {
        const event = take()
        if (event !== undefined) return { done: false, value: event }
        if (ended) {
          const error = failure
          failure = undefined
          await finish()
          if (error !== undefined) throw error
          return { done: true, value: undefined }
        }
        await new Promise<void>((resolve) => (wakeConsumer = resolve))
        wakeConsumer = undefined
      }
    },
    return: finish,
  }
}
