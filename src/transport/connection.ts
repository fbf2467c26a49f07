import { SessionStreamError } from '../errors.js'
import { AFTER_PARAM, CURSOR_START, sessionEventPath } from '../protocol/constants.js'
import { decodeEvent } from '../protocol/decode.js'
import type { LiveEvent, SessionEvent, UnknownEvent } from '../protocol/events.js'
import type { BackoffOptions } from './backoff.js'
import { defaultEnvironment, type Environment } from './environment.js'
import { classifySeq, isHistoryReset } from './gate.js'
import type { HeaderSource, TokenSource } from './headers.js'
import { createServerHub, type ServerHub } from './hub.js'
import { createShapeTracker, type ServerShape } from './shape.js'
import { emptyCounters, type ConnectionCounters, type ConnectionStatus } from './status.js'
import { guard, openStream } from './stream.js'

export type { TokenSource, HeaderSource } from './headers.js'
export { isSessionGone } from './stream.js'

export interface ConnectionOptions {
  /** Server origin plus any path prefix, e.g. `https://api.example.com`. */
  readonly baseUrl: string
  readonly sessionID: string
  /** Resume after this durable seq (exclusive): an integer ≥ 0. @default none: the whole log */
  readonly after?: number | undefined
  /** Sent as `Authorization: Bearer …`, never in the URL. */
  readonly token?: TokenSource | undefined
  /**
   * Headers for every request, for any auth scheme: a record, or a function resolved before
   * every attempt (async allowed). opencode: `{ authorization: 'Basic ' + btoa('opencode:' + password) }`
   * (or `basicAuth(password)`). Never put in a URL, an error message or a log.
   */
  readonly headers?: HeaderSource | undefined
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined
  readonly backoff?: BackoffOptions | undefined
  /** No response headers this long after a request: abort and retry (a server that accepts while it boots). @default 10000 */
  readonly connectTimeoutMs?: number | undefined
  /** No byte for this long aborts and reconnects. @default 45000 (three 15 s heartbeats) */
  readonly idleTimeoutMs?: number | undefined
  /** Largest single event accepted, in characters. @default 4 MiB */
  readonly maxEventBytes?: number | undefined
  /** Consecutive protocol errors (untrustworthy frames, oversized events) at one cursor before giving up. @default 5 */
  readonly maxProtocolRetries?: number | undefined
  /** What to do when the server's history is behind our cursor. @default 'rebuild' */
  readonly onHistoryReset?: 'rebuild' | 'error' | undefined
  /**
   * Which server this is. `unified`: the seed's session stream (replay, one `session.activity`,
   * live fragments). `split`: a released opencode server (durable rows on the session stream,
   * fragments on `/api/event`, activity from `/api/session/active`). `auto` tells them apart
   * by whether the session stream sends an activity snapshot (SPEC §4a). @default 'auto'
   */
  readonly shape?: 'auto' | ServerShape | undefined
  /** In `auto`, how long a session stream may go without a snapshot or a row before the server counts as split. @default 1500 */
  readonly shapeTimeoutMs?: number | undefined
  readonly environment?: Environment | undefined
  /** The client's shared server-wide stream; a connection without one makes its own. */
  readonly hub?: ServerHub | undefined
}

export interface ConnectionSink {
  /** Gated events, in order; durable ones exactly once. A returned promise pauses reading. */
  event(event: SessionEvent): void | Promise<void>
  /**
   * A live fragment from the server-wide stream (split shape): it may come before the row
   * that starts its part, which the session stream delivers on its own connection. Without
   * this callback, fragments go to `event`.
   */
  fragment?: ((event: LiveEvent) => void) | undefined
  unknown?: ((event: UnknownEvent) => void) | undefined
  /** A known type whose data does not fit the catalogue: ordered and past the gate, but not folded. */
  invalid?: ((event: UnknownEvent, error: SessionStreamError) => void) | undefined
  /** Server history was reset: the events that follow rebuild the session from the start. */
  reset?: (() => void) | undefined
  /** Status changed; read it with `status()`. Cheap: called often. */
  changed?: (() => void) | undefined
  /**
   * Only what moves with every chunk changed (the cursor, the last byte, the counters): a
   * sink that shows them at its own pace need not wake for each. Without it, `changed`.
   */
  progressed?: (() => void) | undefined
  /** The connection stopped for good; `error` is undefined after `close()`. */
  end?: ((error: SessionStreamError | undefined) => void) | undefined
}

export interface Connection {
  status(): ConnectionStatus
  /** Whether the current attempt has its activity snapshot: cheaper than `status().synced`. */
  synced(): boolean
  close(): void
  /** Settles when the connection has stopped and released everything. */
  readonly done: Promise<void>
}

export const DEFAULT_IDLE_TIMEOUT_MS = 45_000
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
export const DEFAULT_MAX_EVENT_BYTES = 4 * 1024 * 1024

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * The session stream: the durable cursor, the gate, decoding, the activity snapshot and the
 * history reset, on top of one resilient SSE stream (stream.ts). Against a split server it
 * also follows the client's server-wide stream and asks for activity (shape.ts).
 */
export function openConnection(options: ConnectionOptions, sink: ConnectionSink): Connection {
  let cursor = checkCursor(options.after)
  checkSessionID(options.sessionID)
  const env = options.environment ?? defaultEnvironment()
  const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES
  const ownHub = options.hub === undefined
  const hub = options.hub ?? hubFor({ ...options, fetch: fetchFn, environment: env })

  let synced = false
  /** Whether this attempt's session stream sent its snapshot (an activity answer, delivered first, is not one). */
  let snapshotTaken = false
  /** The last activity status delivered (a split server's answers repeat it). */
  let lastActivity: string | undefined
  let closed = false
  /** The cursor before the newest durable event, to step back to if the consumer rejects it. */
  let before = cursor
  const counters: Mutable<Omit<ConnectionCounters, 'reconnects' | 'resets'>> = emptyCounters()
  let snapshot: ConnectionStatus | undefined

  const changed = () => {
    snapshot = undefined
    guard(() => sink.changed?.())
  }
  const progressed = () => {
    snapshot = undefined
    guard(() => (sink.progressed ?? sink.changed)?.())
  }

  const shape = createShapeTracker({
    sessionID: options.sessionID,
    mode: options.shape ?? 'auto',
    timeoutMs: options.shapeTimeoutMs ?? 1500,
    hub,
    env,
    fragment: (event) => {
      if (closed) return
      counters.live++
      snapshot = undefined
      guard(() => (sink.fragment ?? sink.event)(event))
    },
    activity: (status) => {
      // An answer that repeats what this attempt already knows says nothing new; delivered, a
      // `running` would mark the streaming parts incomplete as if fragments had been lost.
      if (closed || (synced && status === lastActivity)) return
      // The server cannot say where its history ends here: the cursor stands in, so no reset is inferred.
      const activity = { id: `activity_${env.now()}`, type: 'session.activity', data: { timestamp: env.now(), sessionID: options.sessionID, status, cutoff: cursor } } as const
      void (async () => deliver(activity, false))()
    },
    restart: (reason) => stream.restart(new SessionStreamError('stream-ended', reason)),
    deleted: () => stream.stop(new SessionStreamError('session-not-found', 'the session was deleted')),
    changed,
  })

  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS

  const stream = openStream({
    env,
    fetch: fetchFn,
    url: () => {
      const target = new URL(options.baseUrl.replace(/\/+$/, '') + sessionEventPath(options.sessionID))
      // No cursor, no parameter: `after` is an integer ≥ 0 on the wire.
      if (cursor >= 0) target.searchParams.set(AFTER_PARAM, String(cursor))
      return target.toString()
    },
    token: options.token,
    headers: options.headers,
    backoff: options.backoff,
    maxEventBytes,
    maxStrikes: options.maxProtocolRetries ?? 5,
    deadlines: () => shape.deadlines(connectTimeoutMs, idleTimeoutMs),
    onAttempt: () => {
      synced = snapshotTaken = false
      shape.attempt()
    },
    onOpen: () => shape.opened(),
    onFrames: handleFrames,
    onBytes: progressed,
    onReset: () => {
      if (options.onHistoryReset === 'error') return false
      cursor = CURSOR_START
      guard(() => sink.reset?.())
      return true
    },
    onChange: (state) => {
      // Between attempts nothing vouches for the last snapshot.
      if (state !== 'open' && state !== 'connecting') synced = false
      changed()
    },
    onEnd: (error) => {
      closed = true
      shape.close()
      if (ownHub) hub.close()
      guard(() => sink.end?.(error))
    },
  })

  /**
   * Synchronous unless a consumer returns a promise: an `await` per event (a promise and a
   * microtask each) was a tenth of a replay's time.
   */
  function handleFrames(frames: readonly string[], from = 0): void | Promise<void> {
    for (let i = from; i < frames.length; i++) {
      // close() may come while a chunk's frames are being delivered (a consumer that breaks).
      if (closed) return
      const pending = handleFrame(frames[i]!)
      if (pending !== undefined) return pending.then(() => handleFrames(frames, i + 1))
    }
  }

  function handleFrame(data: string): void | Promise<void> {
    const decoded = decodeEvent(data, options.sessionID)
    if (decoded.kind === 'error') {
      // A frame we cannot trust (torn, broken envelope, another session's) may have been a
      // durable row: skipping it could lose it for good. Resubscribe from the cursor.
      counters.protocolErrors++
      throw decoded.error
    }
    const { event } = decoded
    if (event.durable !== undefined) {
      const verdict = classifySeq(cursor, event.durable.seq)
      if (verdict === 'duplicate') {
        counters.duplicates++
        progressed()
        return
      }
      if (verdict === 'skip') counters.skips++
      before = cursor
      cursor = event.durable.seq
      stream.progressed()
      shape.row(event.type)
      progressed()
    }
    if (decoded.kind === 'unknown') {
      counters.unknown++
      snapshot = undefined
      guard(() => sink.unknown?.(decoded.event))
    } else if (decoded.kind === 'invalid') {
      // Ordered and past the gate like any row, so one odd row cannot stall the stream.
      counters.invalid++
      stream.note(decoded.error)
      guard(() => sink.invalid?.(decoded.event, decoded.error))
    } else if (!shape.duplicate(decoded.event)) return deliver(decoded.event)
  }

  function deliver(event: SessionEvent, fromStream = true): void | Promise<void> {
    if (event.type === 'session.activity') {
      lastActivity = event.data.status
      // Only the first activity an attempt's stream sends is the snapshot taken at its cutoff;
      // later ones are transitions, whatever cutoff a server repeats in them. An activity answer
      // delivered before it (a connection that started split: a remembered verdict) is not one.
      if (fromStream && !snapshotTaken) {
        snapshotTaken = true
        if (isHistoryReset(cursor, event.data.cutoff)) {
          throw new SessionStreamError('history-reset', `server history ends at seq ${event.data.cutoff}, behind the cursor ${cursor}`)
        }
      }
      if (!synced) {
        synced = true
        stream.healthy()
        changed()
      }
    } else if (event.durable === undefined) {
      counters.live++
      // The counters are read at the next flush; no need to wake anyone per fragment.
      snapshot = undefined
    }
    const pending = guard(() => sink.event(event))
    if (pending === undefined) return
    return stream.hold(pending).catch((cause: unknown) => {
      // The consumer did not take the event: the cursor goes back before it, and the caller
      // is told (the stream stops), so resuming from the cursor delivers it again.
      if (event.durable !== undefined && cursor === event.durable.seq) cursor = before
      throw new SessionStreamError('consumer-error', `the consumer rejected ${event.type}`, { cause })
    })
  }

  return {
    status: () => {
      const base = stream.status()
      return (snapshot ??= {
        // A split server answers a quiet session's stream only with its next row; with the
        // server-wide stream and an activity answer vouching for it, that wait is open.
        state: base.state === 'connecting' && synced && shape.current() === 'split' ? 'open' : base.state,
        attempt: base.attempt,
        nextRetryAt: base.nextRetryAt,
        lastError: base.lastError,
        lastByteAt: base.lastByteAt,
        cursor,
        synced,
        shape: shape.current(),
        counters: { ...counters, reconnects: base.reconnects, resets: base.resets },
      })
    },
    synced: () => synced,
    close: () => stream.close(),
    done: stream.done,
  }
}

/** The server-wide half of a split server, on a connection's (or a client's) own options. */
export function hubFor(options: Omit<ConnectionOptions, 'sessionID'> & { readonly fetch: typeof fetch; readonly environment: Environment }): ServerHub {
  return createServerHub({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    env: options.environment,
    token: options.token,
    headers: options.headers,
    backoff: options.backoff,
    maxEventBytes: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
  })
}

/** A cursor is an integer ≥ 0, or absent for the whole log (-1, the old spelling of absent, is accepted). */
export function checkCursor(after: number | undefined): number {
  if (after === undefined) return CURSOR_START
  if (Number.isSafeInteger(after) && after >= CURSOR_START) return after
  throw new SessionStreamError('invalid-cursor', `after must be an integer ≥ 0, got ${String(after)}`)
}

/** `.` and `..` would be resolved away in the path, sending the request (and its credentials) elsewhere. */
export function checkSessionID(sessionID: string): void {
  if (typeof sessionID !== 'string' || sessionID === '' || sessionID === '.' || sessionID === '..') {
    throw new SessionStreamError('invalid-session-id', 'a session id must be a non-empty string other than "." and ".."')
  }
}
