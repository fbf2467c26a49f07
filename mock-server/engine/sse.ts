import { HEARTBEAT_COMMENT } from '../../src/protocol/index.js'
import type { Scheduler } from './clock.js'
import { hits, type FaultSettings, type FaultState } from './faults.js'
import type { CloseReason } from './subscription.js'

/** `end` closes the body cleanly; `reset` errors it, and the Node adapter destroys the socket. */
export type CloseMode = 'end' | 'reset'

/** The error a reset stream fails with, so an adapter can tell a reset from a bug. */
export class MockStreamReset extends Error {
  override readonly name = 'MockStreamReset' as const
}

export interface EventStream {
  readonly body: ReadableStream<Uint8Array>
  close(mode: CloseMode, reason: CloseReason): void
}

/** One frame's payload: a session event, or anything else a server-wide stream carries. */
export interface FramePayload {
  readonly type: string
  readonly durable?: unknown
}

/** What a stream serialises: a session's subscription, or a server-wide feed (server-stream.ts). */
export interface FrameSource {
  readonly closedBy: CloseReason | undefined
  next(): { readonly kind: 'event'; readonly event: FramePayload } | { readonly kind: 'idle' } | { readonly kind: 'closed'; readonly reason: CloseReason }
  close(reason: CloseReason): void
  setListener(listener: (() => void) | undefined): void
}

export interface EventStreamDeps {
  readonly subscription: FrameSource
  /** Interval of `: heartbeat` comments; undefined for none (a split server's session stream). */
  readonly heartbeatMs: number | undefined
  /** Which kind of stream this is, for faults aimed at one kind. @default 'session' */
  readonly kind?: 'session' | 'server'
  readonly faults: FaultState
  readonly scheduler: Scheduler
  readonly random: () => number
  /** Called once when the stream is over, whoever ended it. */
  readonly onFinish: () => void
}

const encoder = new TextEncoder()
const HEARTBEAT_FRAME = encoder.encode(`: ${HEARTBEAT_COMMENT}\n\n`)

/** A crash, an overflow or a corrupt log fails the connection; anything else ends it cleanly. */
const modeFor = (reason: CloseReason): CloseMode =>
  reason === 'overflow' || reason === 'restart' || reason === 'corrupt' ? 'reset' : 'end'

/**
 * Serialises one subscription as SSE. Pull-based with a high-water mark of 0: a frame is
 * produced only when the consumer asks for one, so a slow client leaves events in the
 * subscription's bounded queue (where overflow is detected), never in this stream.
 */
export function createEventStream(deps: EventStreamDeps): EventStream {
  const { subscription, faults, scheduler } = deps
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined
  let finished = false
  let waiting: (() => void) | undefined
  let heartbeatDue = false
  let heartbeatTimer: unknown
  let dataFrames = 0
  let dropAfterId: number | undefined

  const wake = (): void => {
    const resolve = waiting
    waiting = undefined
    resolve?.()
  }
  const changed = (): Promise<void> => new Promise((resolve) => (waiting = resolve))

  const unsubscribeFaults = faults.subscribe(wake)
  const finish = (mode: CloseMode | 'cancelled', reason: CloseReason): void => {
    if (finished) return
    finished = true
    scheduler.clearTimeout(heartbeatTimer)
    unsubscribeFaults()
    subscription.setListener(undefined)
    subscription.close(reason)
    try {
      if (mode === 'end') controller?.close()
      if (mode === 'reset') controller?.error(new MockStreamReset('stream reset by the mock server'))
    } catch {
      // Already closed or cancelled by the consumer: nothing left to tell it.
    }
    wake()
    deps.onFinish()
  }

  subscription.setListener(() => {
    const reason = subscription.closedBy
    if (reason === undefined) wake()
    else finish(modeFor(reason), reason)
  })
  const scheduleHeartbeat = (ms: number): void => {
    heartbeatTimer = scheduler.setTimeout(() => {
      heartbeatDue = true
      wake()
      scheduleHeartbeat(ms)
    }, ms)
  }
  if (deps.heartbeatMs !== undefined) scheduleHeartbeat(deps.heartbeatMs)
  const kind = deps.kind ?? 'session'

  const write = (frame: Uint8Array, settings: FaultSettings): void => {
    if (settings.split === undefined) return controller?.enqueue(frame)
    // Each piece is its own chunk, so a client's parser sees frames cut at every byte offset.
    for (let offset = 0; offset < frame.length; ) {
      const size = settings.split.bytes ?? 1 + Math.floor(deps.random() * 7)
      controller?.enqueue(frame.slice(offset, offset + size))
      offset += size
    }
  }

  const pull = async (): Promise<void> => {
    for (;;) {
      if (finished) return
      const settings = faults.current()
      if (settings.stall && hits(settings.stallTarget, kind)) {
        await changed()
        continue
      }
      if (heartbeatDue) {
        heartbeatDue = false
        return write(HEARTBEAT_FRAME, settings)
      }
      const step = subscription.next()
      if (step.kind === 'closed') return finish(modeFor(step.reason), step.reason)
      if (step.kind === 'idle') {
        await changed()
        continue
      }
      const frame = encoder.encode(`data: ${JSON.stringify(step.event)}\n\n`)
      write(frame, settings)
      if (settings.duplicate && step.event.durable !== undefined) write(frame, settings)
      if (settings.dropAfter?.id !== dropAfterId) {
        dropAfterId = settings.dropAfter?.id
        dataFrames = 0
      }
      dataFrames++
      if (settings.dropAfter !== undefined && dataFrames >= settings.dropAfter.frames) finish('end', 'dropped')
      return
    }
  }

  const body = new ReadableStream<Uint8Array>(
    {
      start: (streamController) => void (controller = streamController),
      pull,
      cancel: () => finish('cancelled', 'cancelled'),
    },
    { highWaterMark: 0 },
  )
  return { body, close: (mode, reason) => finish(mode, reason) }
}
