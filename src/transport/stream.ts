import { SessionStreamError, isSessionStreamError, type SessionStreamErrorCode } from '../errors.js'
import { EVENT_STREAM_CONTENT_TYPE } from '../protocol/constants.js'
import { backoffDelay, type BackoffOptions } from './backoff.js'
import type { Environment } from './environment.js'
import { resolveHeaders, type HeaderSource, type TokenSource } from './headers.js'
import { classifyResponse, type Rejection, type Verdict } from './http.js'
import { readFrames } from './sse.js'
import type { ConnectionState } from './status.js'
import { createWatchdog } from './watchdog.js'

/** How long an attempt may wait: for response headers (`connect`), then between bytes (`idle`). */
export interface Deadlines {
  readonly connectMs: number
  readonly idleMs: number
}

/** What one resilient SSE stream needs; the session stream and the server-wide stream both use it. */
export interface StreamSpec {
  readonly env: Environment
  readonly fetch: typeof fetch
  /** The next attempt's URL, read before every attempt (the cursor moves). */
  url(): string
  readonly token?: TokenSource | undefined
  readonly headers?: HeaderSource | undefined
  readonly backoff?: BackoffOptions | undefined
  readonly maxEventBytes: number
  /** Consecutive protocol errors at one position before giving up. */
  readonly maxStrikes: number
  /** Read on every watchdog tick, so a stream can relax them once it knows the server. */
  deadlines(): Deadlines
  /** An attempt begins (before its headers are resolved). */
  onAttempt?(): void
  /** Response headers arrived: the attempt is open. */
  onOpen?(): void
  /** The `data` payloads one chunk completed. Throw a `SessionStreamError` to end the attempt. */
  onFrames(frames: readonly string[]): void | Promise<void>
  /** The server no longer has history for our position: start over (return false to stop instead). */
  onReset?(error: SessionStreamError): boolean
  /** State or status changed (`state` is the current one): read the rest with `status()`. */
  onChange(state: ConnectionState): void
  /** Bytes arrived, so only `lastByteAt` moved: once per chunk, so cheap. */
  onBytes(): void
  /** The stream stopped for good; `error` is undefined after `close()`. */
  onEnd(error: SessionStreamError | undefined): void
}

export interface StreamStatus {
  readonly state: ConnectionState
  readonly attempt: number
  readonly nextRetryAt: number | null
  readonly lastError: SessionStreamError | null
  readonly lastByteAt: number | null
  readonly reconnects: number
  readonly resets: number
}

export interface Stream {
  status(): StreamStatus
  /** The server proved healthy (a snapshot, a first event): backoff and re-auth start over. */
  healthy(): void
  /** The stream moved forward: earlier protocol errors were not about this position. */
  progressed(): void
  /** Records an error that did not end the attempt (an invalid event), for the status. */
  note(error: SessionStreamError): void
  /** Pauses the idle watchdog while a consumer applies backpressure. */
  hold<T>(pending: Promise<T>): Promise<T>
  /** Ends the current attempt now and reconnects at once (a changed URL, a changed server). */
  restart(error: SessionStreamError): void
  /** Stops for good with `error`, as if the server had answered it (a deletion told elsewhere). */
  stop(error: SessionStreamError): void
  close(): void
  readonly done: Promise<void>
}

const RESET_WINDOW_MS = 10 * 60_000
const MAX_RESETS_IN_WINDOW = 3
/** Retry-After is a floor, but not a license to park a client for days. */
const MAX_RETRY_AFTER_MS = 10 * 60_000

/** Errors whose cause recurs at the same position: counted as strikes, not plain retries. */
const STRIKE_CODES = new Set<SessionStreamErrorCode>(['malformed-json', 'invalid-event', 'wrong-session', 'event-too-large'])

/** What a thrown error calls for: history behind the cursor is rebuilt, the rest retries. */
const THROWN_VERDICTS: Partial<Record<SessionStreamErrorCode, Verdict>> = {
  'history-reset': 'reset',
  gone: 'reset',
  'consumer-error': 'stop',
}

/** The session itself is gone: the connection ends as `closed`, not `failed`. */
export const isSessionGone = (error: SessionStreamError | undefined): boolean => error?.code === 'session-not-found'

/**
 * One server-sent-events stream that reconnects by itself: attempts, full-jitter backoff,
 * HTTP outcomes, Retry-After, re-auth, online/offline, visibility, a connect and idle
 * watchdog, and sleep detection. What the frames mean is the caller's (`onFrames`).
 */
export function openStream(spec: StreamSpec): Stream {
  const { env } = spec
  let state: ConnectionState = 'idle'
  let attempt = 0
  let strikes = 0
  let reauthed = false
  let nextRetryAt: number | null = null
  let lastError: SessionStreamError | null = null
  let lastByteAt: number | null = null
  let openedAt: number | null = null
  let reconnects = 0
  let resets = 0
  let opened = 0
  let resetTimes: number[] = []
  let closed = false
  let closedByClient = false
  let request: AbortController | undefined
  let abortReason: Rejection | undefined
  let wakeUp: (() => void) | undefined
  let snapshot: StreamStatus | undefined
  /** A server's Retry-After deadline: online and visibility wake-ups never retry before it. */
  let notBefore = 0
  let stopWith: Rejection | undefined

  const changed = () => {
    snapshot = undefined
    guard(() => spec.onChange(state))
  }
  const setState = (next: ConnectionState) => {
    if (state === next) return
    state = next
    changed()
  }
  const wakeEarly = () => {
    if (env.now() >= notBefore) wakeUp?.()
  }
  /** Ends the attempt from outside (watchdog, offline, hidden tab); the next one follows `verdict`. */
  const abortWith = (code: SessionStreamErrorCode, message: string, verdict: Verdict = 'retry') => {
    abortReason ??= { verdict, error: new SessionStreamError(code, message) }
    request?.abort()
  }

  const watchdog = createWatchdog(env, spec.deadlines, () => lastByteAt, () => openedAt, (code, ms) =>
    abortWith(code, WATCHDOG_MESSAGES[code](ms)),
  )

  const offOnline = env.onOnlineChange((online) => {
    if (online) {
      attempt = 0
      wakeEarly()
    } else if (state === 'open' || state === 'connecting') abortWith('network-error', 'the device went offline')
    else wakeUp?.()
  })
  const offVisibility = env.onVisibilityChange((visible) => {
    if (!visible) return
    if (state === 'backoff') wakeEarly()
    else if (state === 'open' && lastByteAt !== null && env.now() - lastByteAt > spec.deadlines().idleMs / 2) {
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

  /** One attempt. An HTTP answer comes with its own verdict; every other failure is thrown, and the catch decides. */
  async function connectOnce(): Promise<Rejection> {
    // A stop asked for while no request was out (between attempts) ends the next one at once.
    if (stopWith !== undefined) return stopWith
    abortReason = undefined
    openedAt = null
    guard(() => spec.onAttempt?.())
    setState('connecting')
    const controller = new AbortController()
    request = controller
    // The watchdog runs from the attempt's start: a header provider that hangs, or a server
    // that accepts and never answers, is as dead as one that stops writing.
    watchdog.start()
    try {
      const resolved = await resolveHeaders(spec.token, spec.headers, controller.signal)
      // close() or the watchdog may have come just as the headers resolved: send no request then.
      if (closed) return { verdict: 'stop', error: new SessionStreamError('closed', 'closed') }
      if (abortReason !== undefined) return abortReason
      if (!resolved.ok) return { verdict: 'stop', error: resolved.error }
      const headers = { ...resolved.headers, accept: EVENT_STREAM_CONTENT_TYPE }
      let response: Response
      try {
        response = await spec.fetch(spec.url(), { headers, signal: controller.signal, cache: 'no-store', redirect: 'manual' })
      } catch (cause) {
        throw new SessionStreamError('network-error', 'request failed', { cause })
      }
      const rejection = await classifyResponse(response, env.now())
      if (rejection !== undefined) return abortReason ?? rejection
      if (opened++ > 0) reconnects++
      openedAt = lastByteAt = env.now()
      setState('open')
      guard(() => spec.onOpen?.())
      if (response.body === null) throw new SessionStreamError('stream-ended', 'the response had no body')
      await readFrames(response.body, spec.maxEventBytes, {
        onBytes: () => {
          lastByteAt = env.now()
          // Heartbeats are life too: the status shows them (its readers throttle what they show).
          snapshot = undefined
          guard(spec.onBytes)
        },
        onFrames: spec.onFrames,
      })
      throw new SessionStreamError('stream-ended', 'the server closed the stream')
    } catch (thrown) {
      // An abort from outside explains whatever the aborted request threw.
      if (abortReason !== undefined) return abortReason
      const error = isSessionStreamError(thrown) ? thrown : new SessionStreamError('network-error', 'the stream failed', { cause: thrown })
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
        return startOver(error)
      case 'now':
        return 0
      case 'retry': {
        if (STRIKE_CODES.has(error.code) && ++strikes > spec.maxStrikes) return stop('failed', error)
        const retryAfter = error.retryAfterMs === undefined ? undefined : Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS)
        notBefore = retryAfter === undefined ? 0 : env.now() + retryAfter
        return backoffDelay(Math.max(attempt++, strikes - 1), spec.backoff ?? {}, env.random, retryAfter)
      }
    }
  }

  function startOver(error: SessionStreamError): number | undefined {
    const now = env.now()
    resetTimes = [...resetTimes.filter((at) => now - at < RESET_WINDOW_MS), now]
    if (resetTimes.length > MAX_RESETS_IN_WINDOW) {
      return stop('failed', new SessionStreamError('history-reset-loop', `history reset ${resetTimes.length} times within ten minutes`))
    }
    if (spec.onReset?.(error) !== true) return stop('failed', new SessionStreamError('history-reset', error.message))
    resets++
    strikes = 0
    // The first reset rebuilds at once; a repeat waits, so a flapping server cannot spin us.
    return resetTimes.length === 1 ? 0 : backoffDelay(attempt++, spec.backoff ?? {}, env.random)
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
    guard(() => spec.onEnd(closedByClient ? undefined : (lastError ?? undefined)))
  }

  const done = run()

  return {
    status: () => (snapshot ??= { state, attempt, nextRetryAt, lastError, lastByteAt, reconnects, resets }),
    healthy() {
      if (attempt === 0 && !reauthed) return
      attempt = 0
      reauthed = false
      changed()
    },
    progressed() {
      strikes = 0
    },
    note(error) {
      lastError = error
      changed()
    },
    async hold(pending) {
      // The consumer is slow: we stop reading, so silence is ours, not the server's.
      watchdog.pause()
      try {
        return await pending
      } finally {
        watchdog.resume()
      }
    },
    restart(error) {
      abortWith(error.code, error.message, 'now')
    },
    stop(error) {
      if (closed) return
      stopWith = { verdict: 'stop', error }
      abortWith(error.code, error.message, 'stop')
      wakeUp?.()
    },
    close() {
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

const WATCHDOG_MESSAGES = {
  'connect-timeout': (ms: number) => `no response within ${ms} ms`,
  'idle-timeout': (ms: number) => `no byte received for ${ms} ms`,
  'sleep-detected': () => 'the timers ran late (the machine slept): the socket is presumed dead',
} as const

/**
 * A callback is user code (an onEvent hook, a store listener). Its exception must not pass
 * for a transport failure: the cursor has already moved past the event, so a reconnect
 * would skip it. The error is rethrown on its own task, where it surfaces as uncaught.
 */
export function guard<T>(call: () => T): T | undefined {
  try {
    return call()
  } catch (error) {
    queueMicrotask(() => {
      throw error
    })
    return undefined
  }
}
