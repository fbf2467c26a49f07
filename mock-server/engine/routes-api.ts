import { AFTER_PARAM, CURSOR_START, EVENT_STREAM_CONTENT_TYPE } from '../../src/protocol/index.js'
import type { EngineCore } from './core.js'
import { error, intParam, json } from './http.js'

export const HISTORY_DEFAULT_LIMIT = 50
export const HISTORY_MAX_LIMIT = 1000

const SSE_HEADERS = {
  'Content-Type': EVENT_STREAM_CONTENT_TYPE,
  'Cache-Control': 'no-cache, no-transform',
  // Tells nginx-style proxies not to buffer: a buffered stream delivers deltas in bursts.
  'X-Accel-Buffering': 'no',
}

const notFound = (sessionID: string): Response => error(404, 'session-not-found', `no session ${sessionID}`)

/** `after` is an exclusive cursor: an integer >= -1, -1 when absent. Null when malformed. */
const parseAfter = (url: URL): number | null => {
  const after = intParam(url, AFTER_PARAM)
  if (after === undefined) return CURSOR_START
  return after === null || after < CURSOR_START ? null : after
}
const badAfter = (): Response => error(400, 'bad-request', `${AFTER_PARAM} must be an integer >= ${CURSOR_START}`)

function stream(core: EngineCore, request: Request, url: URL, sessionID: string): Response {
  const shed = core.faults().shed
  if (shed !== undefined) {
    return error(503, 'unavailable', 'the server is shedding load; retry later', {
      'Retry-After': String(shed.retryAfterSeconds),
    })
  }
  const after = parseAfter(url)
  if (after === null) return badAfter()
  // The request is held while the stream is open: under MSW its signal follows the
  // client's abort only while this Request object is alive (undici links them through a
  // WeakRef), and that abort is the only way the engine learns an MSW client went away.
  const opened = core.openStream(sessionID, after, request.signal, request)
  if (opened === undefined) return notFound(sessionID)
  return new Response(opened.body, { status: 200, headers: SSE_HEADERS })
}

function history(core: EngineCore, url: URL, sessionID: string): Response {
  const after = parseAfter(url)
  if (after === null) return badAfter()
  const limit = intParam(url, 'limit') ?? HISTORY_DEFAULT_LIMIT
  if (limit === null || limit < 1) return error(400, 'bad-request', 'limit must be a positive integer')
  const page = core.history(sessionID, after, Math.min(limit, HISTORY_MAX_LIMIT))
  return page === undefined ? notFound(sessionID) : json(200, page)
}

/** The public `/api` routes; undefined when the path is not one of them. */
export function apiRoute(core: EngineCore, request: Request, url: URL, parts: readonly string[]): Response | undefined {
  if (parts[0] !== 'api' || parts[1] !== 'session') return undefined
  const [, , sessionID, leaf, ...rest] = parts
  if (sessionID === undefined || rest.length > 0) return undefined
  const method = request.method

  if (sessionID === 'active' && leaf === undefined) {
    if (method !== 'GET') return notAllowed('GET')
    return json(200, { data: Object.fromEntries(core.running().map((id) => [id, { type: 'running' }])) })
  }
  if (leaf === undefined) {
    if (method !== 'DELETE') return notAllowed('DELETE')
    return core.deleteSession(sessionID) ? new Response(null, { status: 204 }) : notFound(sessionID)
  }
  if (leaf === 'event') return method === 'GET' ? stream(core, request, url, sessionID) : notAllowed('GET')
  if (leaf === 'history') return method === 'GET' ? history(core, url, sessionID) : notAllowed('GET')
  return undefined
}

export const notAllowed = (allow: string): Response =>
  error(405, 'method-not-allowed', `use ${allow}`, { Allow: allow })
