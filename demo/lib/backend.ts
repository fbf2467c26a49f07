import type { Fault } from '../../mock-server/index.js'
import { isSessionStreamError, type SessionClient } from '../../src/index.js'
import type { FaultSettings, MockApi } from './mock-api.js'
import { scriptedTurn } from './scripted-reply.js'

/*
 * What the page does beside following a stream, against either server:
 * - the mock server: its control surface scripts each reply and breaks things on demand;
 * - a real opencode server: only the SDK's own API (`client.sessions.*`), nothing else.
 */

export interface SessionRow {
  readonly id: string
  readonly title: string | undefined
  /** Known on the mock only; a real server's list does not say. */
  readonly activity: 'idle' | 'running' | 'unknown' | undefined
  /** A short second line: `seq 12`, `updated 12:04:31`. */
  readonly meta: string
}

export interface Backend {
  readonly kind: 'mock' | 'opencode'
  readonly baseUrl: string
  /** Newest first. */
  listSessions(): Promise<readonly SessionRow[]>
  createSession(): Promise<SessionRow>
  /** Hands the session a prompt; the reply comes over the stream. */
  send(sessionID: string, text: string): Promise<void>
  interrupt(sessionID: string): Promise<void>
  deleteSession(sessionID: string): Promise<void>
  /** The mock's fault switches; undefined against a real server (it has none). */
  readonly fault: ((fault: Fault) => Promise<FaultSettings>) | undefined
}

const sessionTitle = (): string => `Session ${new Date().toLocaleTimeString()}`

export function createMockBackend(api: MockApi, client: SessionClient, intervalMs: number): Backend {
  return {
    kind: 'mock',
    baseUrl: api.baseUrl,
    listSessions: async () =>
      (await api.listSessions())
        .map((session): SessionRow => ({
          id: session.sessionID,
          title: session.title,
          activity: session.activity,
          meta: `seq ${session.latestSeq}`,
        }))
        .toReversed(),
    createSession: async () => {
      const title = sessionTitle()
      return { id: await api.createSession(title), title, activity: 'idle', meta: 'seq 0' }
    },
    send: (sessionID, text) => api.startTurn(sessionID, scriptedTurn(text, intervalMs)),
    // The mock serves the protocol's interrupt route too: the same call as against opencode.
    interrupt: (sessionID) => client.sessions.interrupt(sessionID),
    deleteSession: (sessionID) => api.deleteSession(sessionID),
    fault: (fault) => api.fault(fault),
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

function updatedAt(session: Readonly<Record<string, unknown>>): number {
  const time = session.time as { updated?: unknown; created?: unknown } | undefined
  const at = time?.updated ?? time?.created
  return typeof at === 'number' ? at : 0
}

function row(session: { readonly id: string } & Readonly<Record<string, unknown>>, meta?: string): SessionRow {
  const at = updatedAt(session)
  return {
    id: session.id,
    title: text(session.title),
    activity: undefined,
    meta: meta ?? (at === 0 ? '' : `updated ${new Date(at).toLocaleTimeString()}`),
  }
}

export function createOpencodeBackend(client: SessionClient, baseUrl: string): Backend {
  const api = client.sessions
  return {
    kind: 'opencode',
    baseUrl,
    listSessions: async () => {
      const sessions = await api.list()
      return sessions.toSorted((a, b) => updatedAt(b) - updatedAt(a)).map((session) => row(session))
    },
    createSession: async () => row(await api.create(), 'created here'),
    send: async (sessionID, prompt) => {
      await api.prompt(sessionID, prompt)
    },
    interrupt: (sessionID) => api.interrupt(sessionID),
    deleteSession: (sessionID) => api.delete(sessionID),
    fault: undefined,
  }
}

/** An error as the page shows it: what happened in words, then the SDK's code and message. */
export interface ErrorText {
  readonly words: string
  readonly code: string | undefined
  readonly message: string
}

/** The SDK's code and message, for a line under a button. */
export function errorLine(cause: unknown): string {
  if (isSessionStreamError(cause)) return `${cause.code}: ${cause.message}`
  return cause instanceof Error ? cause.message : String(cause)
}

/**
 * A server that answers `GET /api/session` with 405 has the session API but does not list
 * sessions (the mock server): the page still creates and follows sessions there.
 */
export const listUnsupported = (cause: unknown): boolean =>
  isSessionStreamError(cause) && cause.code === 'unexpected-status' && cause.status === 405

/** What a failed `GET /api/session` says about the server address and the password. */
export function describeServerError(cause: unknown, baseUrl: string, withPassword: boolean): ErrorText {
  if (!isSessionStreamError(cause)) {
    return { words: 'The server could not be asked.', code: undefined, message: cause instanceof Error ? cause.message : String(cause) }
  }
  const { code, message } = cause
  const words = (() => {
    switch (code) {
      case 'unauthorized':
        return withPassword ? 'Wrong password: the server refused it.' : 'This server needs a password: type it in and connect again.'
      case 'forbidden':
        return 'The server refused these credentials.'
      case 'network-error':
        return `Nothing answered at ${baseUrl}: is opencode running there, and does it allow this page's origin?`
      case 'server-error':
        return 'The server failed to answer.'
      case 'rate-limited':
        return 'The server asked the page to slow down.'
      case 'session-not-found':
      case 'bad-request':
      case 'unexpected-status':
      case 'redirected':
      case 'invalid-event':
      case 'bad-content-type':
        return `${baseUrl} does not answer like an opencode server.`
      default:
        return 'The server did not list its sessions.'
    }
  })()
  return { words, code, message }
}

/** What a failed `GET /__mock/sessions` says about the `?mock=` address. */
export function describeMockError(cause: unknown, baseUrl: string): ErrorText {
  const message = cause instanceof Error ? cause.message : String(cause)
  // fetch rejects with a TypeError when nothing answers (refused, unknown host, CORS).
  if (cause instanceof TypeError) {
    return {
      words: `Nothing answered at ${baseUrl}: is the mock server running there (npm run mock-server), and is the ?mock= address right?`,
      code: undefined,
      message,
    }
  }
  const status = Number(/ answered (\d{3})/.exec(message)?.[1] ?? 0)
  if (status >= 500) return { words: `The mock server at ${baseUrl} failed to answer (HTTP ${status}).`, code: undefined, message }
  if (status > 0 || cause instanceof SyntaxError) {
    return { words: `${baseUrl} does not answer like the mock server: check the ?mock= address.`, code: undefined, message }
  }
  return { words: `The mock server at ${baseUrl} could not be asked for its sessions.`, code: undefined, message }
}
