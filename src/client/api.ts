import { SessionStreamError, isSessionStreamError } from '../errors.js'
import { LEGACY_SESSION_PATH, SESSION_PATH } from '../protocol/constants.js'
import type { ModelRef, Prompt } from '../protocol/events.js'
import type { Environment } from '../transport/environment.js'
import { raceAbort, resolveHeaders, type HeaderSource, type TokenSource } from '../transport/headers.js'
import { statusRejection } from '../transport/http.js'

/** What a chat UI does beside the stream, on the client's own `fetch` and headers. */
export interface SessionApi {
  /** `GET /api/session`: the server's sessions, as it describes them (`id`, `title`, `time`, …). */
  list(): Promise<readonly ({ readonly id: string } & Record<string, unknown>)[]>
  /** `POST /api/session`: a new session; its `id` is what `client.session(id)` follows. */
  create(options?: { readonly model?: Pick<ModelRef, 'id' | 'providerID'> }): Promise<{ readonly id: string } & Record<string, unknown>>
  /** `POST /api/session/:id/prompt`: hands the agent a prompt; the stream shows what follows. */
  prompt(sessionID: string, prompt: string | Prompt): Promise<{ readonly id: string; readonly admittedSeq: number } & Record<string, unknown>>
  /** `POST /api/session/:id/interrupt`: stops the running turn. */
  interrupt(sessionID: string): Promise<void>
  /** `DELETE /session/:id` (opencode serves deletion on its v1 route only): the session and its history are gone; followers end with `session-not-found`. */
  delete(sessionID: string): Promise<void>
}

export interface ApiOptions {
  readonly baseUrl: string
  readonly fetch: typeof fetch
  readonly env: Environment
  readonly token?: TokenSource | undefined
  readonly headers?: HeaderSource | undefined
  /** A request that has not answered in this long is abandoned. */
  readonly timeoutMs: number
  /** After a prompt or an interrupt: activity may have moved. */
  readonly moved?: (() => void) | undefined
  readonly checkSessionID: (sessionID: string) => void
}

/** An answer larger than this is not one of these routes' answers. */
const MAX_ANSWER_CHARS = 1024 * 1024

export function createSessionApi(options: ApiOptions): SessionApi {
  const base = options.baseUrl.replace(/\/+$/, '')

  /** A 404 on a route that names no session means the route is missing, not a session. */
  async function serverRequest(method: string, body?: unknown): Promise<unknown> {
    try {
      return await request(method, SESSION_PATH, body)
    } catch (error) {
      if (!isSessionStreamError(error) || error.code !== 'session-not-found') throw error
      throw new SessionStreamError('unexpected-status', `${method} ${SESSION_PATH} is not served here (404): is baseUrl an opencode server?`, { status: 404 })
    }
  }

  async function request(method: string, path: string, body?: unknown): Promise<unknown> {
    const controller = new AbortController()
    const timer = options.env.setTimeout(() => controller.abort(), options.timeoutMs)
    try {
      const resolved = await resolveHeaders(options.token, options.headers, controller.signal)
      if (!resolved.ok) throw resolved.error
      const headers: Record<string, string> = { ...resolved.headers, accept: 'application/json' }
      if (body !== undefined) headers['content-type'] = 'application/json'
      const init: RequestInit = { method, headers, signal: controller.signal, cache: 'no-store', redirect: 'manual' }
      if (body !== undefined) init.body = JSON.stringify(body)
      let response: Response
      try {
        response = await raceAbort(options.fetch(base + path, init), controller.signal)
      } catch (cause) {
        throw new SessionStreamError('network-error', controller.signal.aborted ? `no answer within ${options.timeoutMs} ms` : 'request failed', { cause })
      }
      if (!response.ok) throw (await statusRejection(response, options.env.now())).error
      const text = await response.text()
      if (text.length > MAX_ANSWER_CHARS) throw new SessionStreamError('invalid-event', 'the answer is too large')
      return text === '' ? undefined : (JSON.parse(text) as { data?: unknown }).data
    } catch (error) {
      if (isSessionStreamError(error)) throw error
      throw new SessionStreamError('invalid-event', 'the answer is not JSON', { cause: error })
    } finally {
      options.env.clearTimeout(timer)
    }
  }

  const record = (value: unknown, what: string): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null) throw new SessionStreamError('invalid-event', `the server answered no ${what}`)
    return value as Record<string, unknown>
  }
  const sessionPath = (sessionID: string, leaf = '') => {
    options.checkSessionID(sessionID)
    return `${SESSION_PATH}/${encodeURIComponent(sessionID)}${leaf}`
  }

  return {
    async list() {
      const data = await serverRequest('GET')
      if (!Array.isArray(data)) throw new SessionStreamError('invalid-event', 'the session list is not a list')
      return data.flatMap((item: unknown) => {
        const session = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : undefined
        return typeof session?.id === 'string' ? [{ ...session, id: session.id }] : []
      })
    },
    async create(input = {}) {
      const data = record(await serverRequest('POST', input.model === undefined ? {} : { model: input.model }), 'session')
      if (typeof data.id !== 'string') throw new SessionStreamError('invalid-event', 'the new session has no id')
      return { ...data, id: data.id }
    },
    async prompt(sessionID, prompt) {
      const path = sessionPath(sessionID, '/prompt')
      const data = record(await request('POST', path, { prompt: typeof prompt === 'string' ? { text: prompt } : prompt }), 'prompt')
      options.moved?.()
      if (typeof data.id !== 'string' || typeof data.admittedSeq !== 'number') {
        throw new SessionStreamError('invalid-event', 'the prompt answer has no id or admittedSeq')
      }
      return { ...data, id: data.id, admittedSeq: data.admittedSeq }
    },
    async interrupt(sessionID) {
      await request('POST', sessionPath(sessionID, '/interrupt'))
      options.moved?.()
    },
    async delete(sessionID) {
      options.checkSessionID(sessionID)
      await request('DELETE', `${LEGACY_SESSION_PATH}/${encodeURIComponent(sessionID)}`)
    },
  }
}
