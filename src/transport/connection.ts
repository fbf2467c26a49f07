import { SessionStreamError, isSessionStreamError, type SessionStreamErrorCode } from '../errors.js'
import { AFTER_PARAM, CURSOR_START, EVENT_STREAM_CONTENT_TYPE, sessionEventPath } from '../protocol/constants.js'
import { decodeEvent } from '../protocol/decode.js'
import type { SessionEvent, UnknownEvent } from '../protocol/events.js'
import { backoffDelay, type BackoffOptions } from './backoff.js'
import { classifySeq, isHistoryReset } from './gate.js'
import { classifyResponse, type Rejection, type Verdict } from './http.js'
import { defaultEnvironment, type Environment } from './environment.js'
import { readFrames } from './sse.js'
import { emptyCounters, type ConnectionCounters, type ConnectionState, type ConnectionStatus } from './status.js'
import { createWatchdog } from './watchdog.js'

/** A bearer token, or a function resolved again before every attempt (refresh happens there). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>)

export interface ConnectionOptions {
  /** Server origin plus any path prefix, e.g. `https://api.example.com`. */
  readonly baseUrl: string
  readonly sessionID: string
  /** Resume after this durable seq (exclusive): an integer ≥ 0. @default none: the whole log */
  readonly after?: number | undefined
  /** Sent as `Authorization: Bearer …`, never in the URL. */
  readonly token?: TokenSource | undefined
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined
  readonly backoff?: BackoffOptions | undefined
  /** No byte for this long aborts and reconnects. @default 45000 (three 15 s heartbeats) */
  readonly idleTimeoutMs?: number | undefined
  /** Largest single event accepted, in characters. @default 4 MiB */
  readonly maxEventBytes?: number | undefined
  /** Consecutive protocol errors (untrustworthy frames, oversized events) at one cursor before giving up. @default 5 */
  readonly maxProtocolRetries?: number | undefined
  /** What to do when the server's history is behind our cursor. @default 'rebuild' */
  readonly onHistoryReset?: 'rebuild' | 'error' | undefined
  readonly environment?: Environment | undefined
}

export interface ConnectionSink {
  /** Gated events, in order; durable ones exactly once. A returned promise pauses reading. */
  event(event: SessionEvent): void | Promise<void>
  unknown?: ((event: UnknownEvent) => void) | undefined
  /** A known type whose data does not fit the catalogue: ordered and past the gate, but not folded. */
  invalid?: ((event: UnknownEvent, error: SessionStreamError) => void) | undefined
  /** Server history was reset: the events that follow rebuild the session from seq 0. */
  reset?: (() => void) | undefined
  /** Status changed; read it with `status()`. Cheap: called often. */
  changed?: (() => void) | undefined
  /** The connection stopped for good; `error` is undefined after `close()`. */
  end?: ((error: SessionStreamError | undefined) => void) | undefined
}

export interface Connection {
  status(): ConnectionStatus
  close(): void
  /** Settles when the connection has stopped and released everything. */
  readonly done: Promise<void>
}

export const DEFAULT_IDLE_TIMEOUT_MS = 45_000
export const DEFAULT_MAX_EVENT_BYTES = 4 * 1024 * 1024
const RESET_WINDOW_MS = 10 * 60_000
const MAX_RESETS_IN_WINDOW = 3
/** Retry-After is a floor, but not a license to park a client for days. */
const MAX_RETRY_AFTER_MS = 10 * 60_000

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** Errors whose cause recurs at the same cursor: counted as strikes, not plain retries. */
const STRIKE_CODES = new Set<SessionStreamErrorCode>(['malformed-json', 'invalid-event', 'wrong-session', 'event-too-large'])

/** What a thrown error calls for: history behind the cursor is rebuilt, a deletion stops, the rest retries. */
const THROWN_VERDICTS: Partial<Record<SessionStreamErrorCode, Verdict>> = {
  'history-reset': 'reset',
  gone: 'reset',
}

/** The session itself is gone: the connection ends as `closed`, not `failed`. */
export const isSessionGone = (error: SessionStreamError | undefined): boolean => error?.code === 'session-not-found'

export function openConnection(options: ConnectionOptions, sink: ConnectionSink): Connection {
  const env = options.environment ?? defaultEnvironment()
  const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES
  const maxStrikes = options.maxProtocolRetries ?? 5
  const backoff = options.backoff ?? {}

  let cursor = checkCursor(options.after)
  checkSessionID(options.sessionID)
  let state: ConnectionState = 'idle'
  let attempt = 0
  let nextRetryAt: number | null = null
  let lastError: SessionStreamError | null = null
  let lastByteAt: number | null = null
  let synced = false
  const counters: Mutable<ConnectionCounters> = emptyCounters()
  let snapshot: ConnectionStatus | undefined

  let closed = false
  let closedByClient = false
  let opened = 0
  let strikes = 0
  let reauthed = false
  let resetTimes: number[] = []
  let request: AbortController | undefined
  let abortReason: Rejection | undefined
  let wakeUp: (() => void) | undefined
  /** A server's Retry-After deadline: online and visibility wake-ups never retry before it. */
  let notBefore = 0
  const wakeEarly = () => {
    if (env.now() >= notBefore) wakeUp?.()
  }

  const changed = () => {
    snapshot = undefined
    guard(() => sink.changed?.())
  }
  const setState = (next: ConnectionState) => {
    if (state !== next) {
      state = next
      changed()
    }
  }
  /** Ends the attempt from outside (watchdog, offline, hidden tab); the next one follows the usual backoff. */
  const abortWith = (code: SessionStreamErrorCode, message: string) => {
    abortReason ??= { verdict: 'retry', error: new SessionStreamError(code, message) }
    request?.abort()
  }

  const watchdog = createWatchdog(env, idleTimeoutMs, () => lastByteAt, (code) =>
    abortWith(
      code,
      code === 'idle-timeout'
        ? `no byte received for ${idleTimeoutMs} ms`
        : 'the timers ran late (the machine slept): the socket is presumed dead',
    ),
  )

  const offOnline = env.onOnlineChange((online) => {
    if (online) {
      attempt = 0
      wakeEarly()
    } else if (state === 'open' || state === 'connecting') {
      abortWith('network-error', 'the device went offline')
    } else wakeUp?.()
  })
  const offVisibility = env.onVisibilityChange((visible) => {
    if (!visible) return
    if (state === 'backoff') wakeEarly()
    else if (state === 'open' && lastByteAt !== null && env.now() - lastByteAt > idleTimeoutMs / 2) {
      // Back from a hidden tab with a quiet socket: it may have died while we were frozen.
      abortWith('idle-timeout', 'stream went quiet while the page was hidden')
    }
  })

  const sleep = (ms: number | undefined) =>
    new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : env.setTimeout(() => done(), ms)
      const done = () => {
        if (timer !== undefined) env.clearTimeout(timer)
        wakeUp = undefined
        resolve()
      }
      wakeUp = done
    })

  const resolveToken = async (): Promise<string | undefined> =>
    typeof options.token === 'function' ? await options.token() : options.token

  const url = () => {
    const target = new URL(options.baseUrl.replace(/\/+$/, '') + sessionEventPath(options.sessionID))
    // No cursor, no parameter: `after` is an integer ≥ 0 on the wire.
    if (cursor >= 0) target.searchParams.set(AFTER_PARAM, String(cursor))
    return target.toString()
  }

  async function handleFrames(frames: readonly string[]): Promise<void> {
    for (const data of frames) {
      // close() may come while a chunk's frames are being delivered (a consumer that breaks).
      if (closed) return
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
          changed()
          continue
        }
        if (verdict === 'skip') counters.skips++
        cursor = event.durable.seq
        strikes = 0
        changed()
      }
      if (decoded.kind === 'unknown') {
        counters.unknown++
        guard(() => sink.unknown?.(decoded.event))
      } else if (decoded.kind === 'invalid') {
        // Ordered and past the gate like any row, so one odd row cannot stall the stream.
        counters.invalid++
        lastError = decoded.error
        changed()
        guard(() => sink.invalid?.(decoded.event, decoded.error))
      } else await deliver(decoded.event)
    }
  }

  async function deliver(event: SessionEvent): Promise<void> {
    if (event.type === 'session.activity') {
      if (isHistoryReset(cursor, event.data.cutoff)) {
        throw new SessionStreamError(
          'history-reset',
          `server history ends at seq ${event.data.cutoff}, behind the cursor ${cursor}`,
        )
      }
      if (!synced) {
        synced = true
        attempt = 0
        reauthed = false
        changed()
      }
    } else if (event.durable === undefined) counters.live++
    const pending = guard(() => sink.event(event))
    if (pending !== undefined) {
      // The consumer is slow: we stop reading, so silence is ours, not the server's.
      watchdog.pause()
      try {
        await pending
      } finally {
        watchdog.resume()
      }
    }
  }

  /** One attempt. An HTTP answer comes with its own verdict; every other failure is thrown, and the catch decides. */
  async function connectOnce(): Promise<Rejection> {
    abortReason = undefined
    synced = false
    setState('connecting')
    const controller = new AbortController()
    request = controller
    // The watchdog runs from the attempt's start: a token provider that hangs, or a server
    // that accepts and never answers, is as dead as one that stops writing.
    watchdog.start()
    try {
      let token: string | undefined
      try {
        token = await raceAbort(resolveToken(), controller.signal)
      } catch (cause) {
        throw new SessionStreamError('token-error', 'the token provider failed', { cause })
      }
      // close() or the watchdog may have come just as the token resolved: send no request then.
      if (closed) return { verdict: 'stop', error: new SessionStreamError('closed', 'closed') }
      if (abortReason !== undefined) return abortReason
      const headers: Record<string, string> = { accept: EVENT_STREAM_CONTENT_TYPE }
      if (token !== undefined && token !== '') headers.authorization = `Bearer ${token}`
      let response: Response
      try {
        response = await fetchFn(url(), { headers, signal: controller.signal, cache: 'no-store', redirect: 'manual' })
      } catch (cause) {
        throw new SessionStreamError('network-error', 'request failed', { cause })
      }
      const rejection = await classifyResponse(response, env.now())
      if (rejection !== undefined) return abortReason ?? rejection
      if (opened++ > 0) counters.reconnects++
      lastByteAt = env.now()
      setState('open')
      if (response.body === null) throw new SessionStreamError('stream-ended', 'the response had no body')
      await readFrames(response.body, maxEventBytes, {
        onBytes: () => {
          lastByteAt = env.now()
        },
        onFrames: handleFrames,
      })
      throw new SessionStreamError('stream-ended', 'the server closed the stream')
    } catch (thrown) {
      // An abort from outside explains whatever the aborted request threw.
      if (abortReason !== undefined) return abortReason
      const error = isSessionStreamError(thrown)
        ? thrown
        : new SessionStreamError('network-error', 'the stream failed', { cause: thrown })
      return { verdict: THROWN_VERDICTS[error.code] ?? 'retry', error }
    } finally {
      watchdog.stop()
      controller.abort()
      request = undefined
      if (lastByteAt !== null) changed()
    }
  }

  /** Decides what follows a failed attempt: a delay in ms, or undefined to stop. */
  function decide({ verdict, error }: Rejection): number | undefined {
    lastError = error
    switch (verdict) {
      case 'stop':
        return stop(isSessionGone(error) ? 'closed' : 'failed', error)
      case 'reauth':
        if (reauthed) return stop('unauthorized', error)
        reauthed = true
        return 0
      case 'reset':
        return resetHistory(error)
      case 'retry': {
        if (STRIKE_CODES.has(error.code) && ++strikes > maxStrikes) return stop('failed', error)
        const retryAfter = error.retryAfterMs === undefined ? undefined : Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS)
        notBefore = retryAfter === undefined ? 0 : env.now() + retryAfter
        return backoffDelay(Math.max(attempt++, strikes - 1), backoff, env.random, retryAfter)
      }
    }
  }

  function resetHistory(error: SessionStreamError): number | undefined {
    if (options.onHistoryReset === 'error') return stop('failed', new SessionStreamError('history-reset', error.message))
    const now = env.now()
    resetTimes = [...resetTimes.filter((at) => now - at < RESET_WINDOW_MS), now]
    if (resetTimes.length > MAX_RESETS_IN_WINDOW) {
      return stop('failed', new SessionStreamError('history-reset-loop', `history reset ${resetTimes.length} times within ten minutes`))
    }
    counters.resets++
    cursor = CURSOR_START
    strikes = 0
    guard(() => sink.reset?.())
    // The first reset rebuilds at once; a repeat waits, so a flapping server cannot spin us.
    return resetTimes.length === 1 ? 0 : backoffDelay(attempt++, backoff, env.random)
  }

  function stop(final: ConnectionState, error: SessionStreamError): undefined {
    lastError = error
    closed = true
    state = final
    changed()
    return undefined
  }

  async function run(): Promise<void> {
    // oxlint-disable-next-line no-unmodified-loop-condition -- close() sets it from outside
    while (!closed) {
      if (!env.isOnline()) {
        setState('offline')
        await sleep(undefined)
        continue
      }
      const rejection = await connectOnce()
      if (closed) break
      const delay = decide(rejection)
      if (delay === undefined) break
      if (!env.isOnline()) continue // offline waits without spending attempts
      nextRetryAt = env.now() + delay
      setState('backoff')
      await sleep(delay)
      nextRetryAt = null
    }
    // Nothing is left behind: no timer, no listener.
    watchdog.stop()
    offOnline()
    offVisibility()
    guard(() => sink.end?.(closedByClient ? undefined : (lastError ?? undefined)))
  }

  const done = run()

  return {
    status: () =>
      (snapshot ??= {
        state,
        attempt,
        nextRetryAt,
        lastError,
        lastByteAt,
        cursor,
        synced,
        counters: { ...counters },
      }),
    close: () => {
      if (closed) return
      closed = closedByClient = true
      nextRetryAt = null
      setState('closed')
      request?.abort()
      wakeUp?.()
    },
    done,
  }
}

/**
 * A sink is user code (an onEvent hook, a store listener). Its exception must not pass for
 * a transport failure: the cursor has already moved past the event, so a reconnect would
 * skip it. The error is rethrown on its own task, where it surfaces as an uncaught error.
 */
function guard<T>(call: () => T): T | undefined {
  try {
    return call()
  } catch (error) {
    queueMicrotask(() => {
      throw error
    })
    return undefined
  }
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

/** Resolves with `promise`, or rejects as soon as `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DOMException('aborted', 'AbortError'))
    // Handled even when the signal has already aborted: a provider failing after that must
    // not surface as an unhandled rejection.
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
}
