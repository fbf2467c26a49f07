import { SessionStreamError } from '../errors.js'
import { SERVER_EVENT_PATH, SESSION_ACTIVE_PATH } from '../protocol/constants.js'
import { decodeEvent } from '../protocol/decode.js'
import type { LiveEvent } from '../protocol/events.js'
import type { BackoffOptions } from './backoff.js'
import type { Environment } from './environment.js'
import { raceAbort, resolveHeaders, type HeaderSource, type TokenSource } from './headers.js'
import { guard, openStream, type Stream, type StreamStatus } from './stream.js'

/**
 * The server-wide half of a released opencode server (the "split" shape): its live fragments
 * come only on `GET /api/event`, and its activity only from `GET /api/session/active`. One hub
 * per client holds ONE server-wide stream for every session it follows (browsers allow about
 * six HTTP/1.1 connections per origin) and answers activity for all of them with one request.
 */
export interface ServerHub {
  /** Routes this session's live fragments to `listener`; the first follower opens the stream, the last closes it. */
  follow(sessionID: string, listener: HubListener): () => void
  /** Activity may have moved (a prompt was sent, a turn interrupted): followers ask again. */
  refresh(): void
  /** The sessions running now, from one `GET /api/session/active` shared by concurrent callers. */
  active(): Promise<ReadonlySet<string>>
  /** What the last session connection learned about the server, for the next one to start from. */
  shape: 'unified' | 'split' | undefined
  /** The server-wide stream's health, or undefined while nobody follows. */
  status(): StreamStatus | undefined
  close(): void
}

export interface HubListener {
  fragment(event: LiveEvent): void
  /** The server-wide stream (re)opened: the server may have restarted, activity may have moved. */
  reopened(): void
  /** Activity may have moved. */
  refresh(): void
  /** The server says the session was deleted. */
  deleted(): void
}

export interface HubOptions {
  readonly baseUrl: string
  readonly fetch: typeof fetch
  readonly env: Environment
  readonly token?: TokenSource | undefined
  readonly headers?: HeaderSource | undefined
  readonly backoff?: BackoffOptions | undefined
  readonly maxEventBytes: number
  readonly connectTimeoutMs: number
  readonly idleTimeoutMs: number
}

/** The live fragment types; everything else on the server-wide stream is someone else's. */
const FRAGMENTS = new Set<string>([
  'session.next.text.delta',
  'session.next.reasoning.delta',
  'session.next.tool.input.delta',
  'session.next.compaction.delta',
])
/** What a released server announces on the server-wide stream when a session is deleted. */
const SESSION_DELETED = 'session.deleted'
const stringOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
/** An answer of `/api/session/active` larger than this is not one. */
const MAX_ACTIVE_BYTES = 1024 * 1024

export function createServerHub(options: HubOptions): ServerHub {
  const base = options.baseUrl.replace(/\/+$/, '')
  const listeners = new Map<string, Set<HubListener>>()
  let stream: Stream | undefined
  let inflight: Promise<ReadonlySet<string>> | undefined
  let closed = false

  const each = (sessionID: string | undefined, call: (listener: HubListener) => void) => {
    for (const listener of (sessionID === undefined ? undefined : listeners.get(sessionID)) ?? []) guard(() => call(listener))
  }

  const open = (): Stream =>
    openStream({
      env: options.env,
      fetch: options.fetch,
      url: () => base + SERVER_EVENT_PATH,
      token: options.token,
      headers: options.headers,
      backoff: options.backoff,
      maxEventBytes: options.maxEventBytes,
      // A frame of another kind we cannot read is not ours to fix: it never ends the stream.
      maxStrikes: Number.POSITIVE_INFINITY,
      deadlines: () => ({ connectMs: options.connectTimeoutMs, idleMs: options.idleTimeoutMs }),
      onOpen() {
        stream?.healthy()
        for (const set of listeners.values()) for (const listener of set) guard(() => listener.reopened())
      },
      onFrames(frames) {
        for (const data of frames) {
          // Cheap filter first: most of this stream is other kinds of events.
          const deleted = data.includes(`"${SESSION_DELETED}"`)
          if (!deleted && !data.includes('.delta"')) continue
          const decoded = decodeEvent(data)
          if (decoded.kind === 'error' || decoded.kind === 'invalid') continue
          const { event } = decoded
          // opencode writes no deletion row to the session's own stream: this is the only word.
          if (event.type === SESSION_DELETED) each(stringOf(event.data.sessionID), (listener) => listener.deleted())
          else if (decoded.kind === 'event' && FRAGMENTS.has(event.type) && event.durable === undefined) {
            each(event.data.sessionID as string, (listener) => listener.fragment(event as LiveEvent))
          }
        }
      },
      onChange: () => {},
      onBytes: () => {},
      onEnd: () => {
        stream = undefined
      },
    })

  const fetchActive = async (): Promise<ReadonlySet<string>> => {
    const controller = new AbortController()
    const timer = options.env.setTimeout(() => controller.abort(), options.connectTimeoutMs)
    try {
      const resolved = await resolveHeaders(options.token, options.headers, controller.signal)
      if (!resolved.ok) throw resolved.error
      const response = await raceAbort(
        options.fetch(base + SESSION_ACTIVE_PATH, {
          headers: { ...resolved.headers, accept: 'application/json' },
          signal: controller.signal,
          cache: 'no-store',
          redirect: 'manual',
        }),
        controller.signal,
      )
      const text = await response.text()
      if (!response.ok || text.length > MAX_ACTIVE_BYTES) {
        throw new SessionStreamError('unexpected-status', `activity request answered ${response.status}`, { status: response.status })
      }
      const data = (JSON.parse(text) as { data?: unknown }).data
      if (typeof data !== 'object' || data === null) throw new SessionStreamError('invalid-event', 'activity answer has no data object')
      return new Set(Object.entries(data).flatMap(([id, value]) => ((value as { type?: unknown } | null)?.type === 'running' ? [id] : [])))
    } finally {
      options.env.clearTimeout(timer)
    }
  }

  return {
    shape: undefined,
    follow(sessionID, listener) {
      const set = listeners.get(sessionID) ?? new Set()
      listeners.set(sessionID, set.add(listener))
      if (stream === undefined && !closed) stream = open()
      return () => {
        set.delete(listener)
        if (set.size === 0) listeners.delete(sessionID)
        if (listeners.size === 0) {
          stream?.close()
          stream = undefined
        }
      }
    },
    refresh() {
      for (const set of listeners.values()) for (const listener of set) guard(() => listener.refresh())
    },
    active() {
      inflight ??= fetchActive().finally(() => {
        inflight = undefined
      })
      return inflight
    },
    status: () => stream?.status(),
    close() {
      closed = true
      listeners.clear()
      stream?.close()
      stream = undefined
    },
  }
}
