import { SessionStreamError, type SessionStreamErrorCode } from '../errors.js'
import { EVENT_STREAM_CONTENT_TYPE } from '../protocol/constants.js'
import { parseRetryAfter } from './backoff.js'

/**
 * What the connection does after a response that is not a usable event stream:
 * - `retry`: back off and try again (429, 5xx, wrong content type, …);
 * - `reauth`: resolve the token again and retry once, then stop as unauthorized;
 * - `reset`: the server no longer has history for our cursor (410): rebuild from the start;
 * - `stop`: retrying cannot help (400, 404, 204, other 4xx);
 * - `now`: the client ended the attempt on purpose (the stream changed): reconnect at once.
 */
export type Verdict = 'retry' | 'reauth' | 'reset' | 'stop' | 'now'

export interface Rejection {
  readonly verdict: Verdict
  readonly error: SessionStreamError
}

/** Bounded read of an error body: a proxy's endless error page cannot make us buffer it. */
const MAX_ERROR_BODY = 4096

async function readPrefix(response: Response): Promise<string> {
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let length = 0
  try {
    while (length < MAX_ERROR_BODY) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      length += value.byteLength
    }
  } finally {
    reader.cancel().catch(() => {})
  }
  const bytes = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes.subarray(0, MAX_ERROR_BODY))
}

/**
 * The server's own words, for the error message: opencode answers `{ _tag, message }`
 * (`{ "_tag": "SessionNotFoundError", "message": "Session not found: …" }`); the
 * `{ error: { message } }` shape of other servers is read too.
 */
async function serverMessage(response: Response): Promise<string | undefined> {
  try {
    const parsed = JSON.parse(await readPrefix(response)) as { _tag?: unknown; message?: unknown; error?: { message?: unknown } } | null
    const message = parsed?.message ?? parsed?.error?.message
    if (typeof message !== 'string') return typeof parsed?._tag === 'string' ? parsed._tag.slice(0, 100) : undefined
    const tag = typeof parsed?._tag === 'string' ? `${parsed._tag.slice(0, 100)}: ` : ''
    return `${tag}${message}`.slice(0, 500)
  } catch {
    return undefined
  }
}

const reject = (
  verdict: Verdict,
  code: SessionStreamErrorCode,
  message: string,
  response: Response,
  now: number,
): Rejection => ({
  verdict,
  error: new SessionStreamError(code, message, {
    status: response.status,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now),
  }),
})

/** What follows a status, the error code, and what the status means. */
type Outcome = readonly [Verdict, SessionStreamErrorCode, string]

const SLOW_DOWN: Outcome = ['retry', 'rate-limited', 'server asked to slow down']
/** The message adds the status and the server's own words: `not authenticated (401): token expired`. */
const OUTCOMES: Readonly<Record<number, Outcome>> = {
  204: ['stop', 'no-content', 'server asked the client not to reconnect'],
  400: ['stop', 'bad-request', 'server rejected the request'],
  401: ['reauth', 'unauthorized', 'not authenticated'],
  403: ['reauth', 'forbidden', 'not allowed'],
  404: ['stop', 'session-not-found', 'session not found'],
  408: SLOW_DOWN,
  410: ['reset', 'gone', 'history for this cursor is gone'],
  425: SLOW_DOWN,
  429: SLOW_DOWN,
}
const SERVER_ERROR: Outcome = ['retry', 'server-error', 'server error']
const UNEXPECTED: Outcome = ['stop', 'unexpected-status', 'unexpected status']

/** Returns undefined when the response is a usable event stream. */
export async function classifyResponse(response: Response, now: number): Promise<Rejection | undefined> {
  const { status } = response
  if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
    // Requests use redirect: 'manual': an authenticated stream never follows the server
    // elsewhere on its own. The fix is a baseUrl that points at the final address.
    const location = response.headers.get('location')
    let where = ''
    try {
      where = location === null ? '' : ` to ${new URL(location, response.url || undefined).origin}`
    } catch {
      // an unreadable Location says nothing more
    }
    await response.body?.cancel().catch(() => {})
    return reject('stop', 'redirected', `the server redirected${where}; point baseUrl at the final address`, response, now)
  }
  if (status >= 200 && status < 300 && status !== 204) {
    const type = response.headers.get('content-type') ?? ''
    // The media type exactly, parameters allowed: `text/event-streamXYZ` is not an event stream.
    if (type.split(';', 1)[0]?.trim().toLowerCase() === EVENT_STREAM_CONTENT_TYPE) return undefined
    await response.body?.cancel().catch(() => {})
    // A captive portal or a misrouted proxy answers 200 with HTML: transient, retry.
    return reject('retry', 'bad-content-type', `expected ${EVENT_STREAM_CONTENT_TYPE}, got ${type || 'none'}`, response, now)
  }
  return statusRejection(response, now)
}

/** A response that is not a success: its verdict, and an error carrying the status and the server's words. */
export async function statusRejection(response: Response, now: number): Promise<Rejection> {
  const { status } = response
  const detail = await serverMessage(response)
  const [verdict, code, text] = OUTCOMES[status] ?? (status >= 500 ? SERVER_ERROR : UNEXPECTED)
  return reject(verdict, code, `${text} (${status})${detail === undefined ? '' : `: ${detail}`}`, response, now)
}
