import type { DurableEvent, LiveEvent } from '../../src/protocol/index.js'
import type { IdSource, Scheduler } from './clock.js'
import type { FaultState } from './faults.js'
import { createEventStream, type CloseMode, type EventStream, type FramePayload, type FrameSource } from './sse.js'
import type { CloseReason } from './subscription.js'

/** The `location.directory` every server-wide event carries (the recorded fixture's). */
export const MOCK_DIRECTORY = '/workspace/demo'

/** An event as `GET /api/event` sends it: the session envelope plus where it happened. */
export interface LocatedEvent extends FramePayload {
  readonly id: string
  readonly location?: { readonly directory: string }
  readonly data: object
}

export interface ServerFeedDeps {
  readonly heartbeatMs: number
  readonly queueLimit: number
  readonly faults: FaultState
  readonly scheduler: Scheduler
  readonly random: () => number
  readonly ids: IdSource
  readonly directory?: string
  /** A server-wide stream fell behind by `queueLimit` events and was reset. */
  readonly onOverflow: (droppedLive: number) => void
}

/**
 * The released opencode server's `GET /api/event`: one stream of everything, no replay.
 * Each opens with `server.connected` (and an unrelated `catalog.updated`, as the real one
 * is full of other kinds), then carries every session's public durable rows as they are
 * committed and every live fragment as it is published, in that order, each with
 * `location`. Private rows are never sent. It obeys the same faults as session streams.
 */
export interface ServerFeed {
  /** A public durable row was committed. */
  row(event: DurableEvent): void
  /**
   * A session was deleted: the released server announces it here (a `session.deleted` of its
   * older event kind), and nowhere else, so a client following a split server learns of it.
   */
  deleted(sessionID: string): void
  /** A live fragment was published. */
  live(event: LiveEvent): void
  /** One server-wide stream; `signal` ends it, `owner` is held while it is open. */
  open(signal?: AbortSignal, owner?: unknown): EventStream
  closeAll(mode: CloseMode, reason: CloseReason): void
  /** Open server-wide streams. */
  readonly size: number
}

interface QueueSource extends FrameSource {
  offer(event: LocatedEvent): void
}

function createQueueSource(first: readonly LocatedEvent[], limit: number, onOverflow: (dropped: number) => void): QueueSource {
  let queue = [...first]
  let closedBy: CloseReason | undefined
  let listener: (() => void) | undefined
  const close = (reason: CloseReason): void => {
    if (closedBy !== undefined) return
    closedBy = reason
    queue = []
    listener?.()
  }
  return {
    get closedBy() {
      return closedBy
    },
    next: () =>
      closedBy !== undefined ? { kind: 'closed', reason: closedBy } : queue.length > 0 ? { kind: 'event', event: queue.shift() as LocatedEvent } : { kind: 'idle' },
    offer(event) {
      if (closedBy !== undefined) return
      if (queue.length >= limit) {
        // Failed, not thinned: a client that silently missed a fragment would show wrong text.
        onOverflow(queue.filter((queued) => queued.durable === undefined).length + (event.durable === undefined ? 1 : 0))
        return close('overflow')
      }
      queue.push(event)
      listener?.()
    },
    close,
    setListener(next) {
      listener = next
    },
  }
}

export function createServerFeed(deps: ServerFeedDeps): ServerFeed {
  const directory = deps.directory ?? MOCK_DIRECTORY
  const streams = new Map<EventStream, { source: QueueSource; owner: unknown }>()
  const located = (event: DurableEvent | LiveEvent): LocatedEvent => ({
    id: event.id,
    type: event.type,
    ...(event.durable === undefined ? {} : { durable: event.durable }),
    location: { directory },
    data: event.data,
  })
  const fan = (event: LocatedEvent): void => {
    for (const { source } of streams.values()) source.offer(event)
  }

  return {
    row: (event) => fan(located(event)),
    deleted: (sessionID) =>
      fan({
        id: deps.ids.next('evt'),
        type: 'session.deleted',
        durable: { aggregateID: sessionID, seq: 1, version: 1 },
        location: { directory },
        data: { sessionID, info: { id: sessionID } },
      }),
    live: (event) => fan(located(event)),
    open(signal, owner) {
      const hello: LocatedEvent[] = [
        { id: deps.ids.next('evt'), type: 'server.connected', data: {} },
        { id: deps.ids.next('evt'), type: 'catalog.updated', location: { directory }, data: {} },
      ]
      const source = createQueueSource(hello, deps.queueLimit, deps.onOverflow)
      const onAbort = (): void => stream.close('end', 'cancelled')
      const stream = createEventStream({
        subscription: source,
        heartbeatMs: deps.heartbeatMs,
        kind: 'server',
        faults: deps.faults,
        scheduler: deps.scheduler,
        random: deps.random,
        onFinish() {
          streams.delete(stream)
          signal?.removeEventListener('abort', onAbort)
        },
      })
      streams.set(stream, { source, owner })
      signal?.addEventListener('abort', onAbort, { once: true })
      if (signal?.aborted === true) stream.close('end', 'cancelled')
      return stream
    },
    closeAll(mode, reason) {
      // Closing deletes the stream from the map, which is well defined while iterating it.
      for (const stream of streams.keys()) stream.close(mode, reason)
    },
    get size() {
      return streams.size
    },
  }
}
