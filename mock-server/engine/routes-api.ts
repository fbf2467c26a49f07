import { AFTER_PARAM, CURSOR_START, EVENT_STREAM_CONTENT_TYPE } from '../../src/protocol/index.js'
import { apiCreateSessionBody, promptBody } from './control-schemas.js'
import type { EngineCore } from './core.js'
import { countParam, error, invalid, json, parseBody, sessionNotFound } from './http.js'

export const HISTORY_DEFAULT_LIMIT = 50
/** opencode refuses a larger page rather than shortening it. */
export const HISTORY_MAX_LIMIT = 100

const SSE_HEADERS = {
  'Content-Type': EVENT_STREAM_CONTENT_TYPE,
  'Cache-Control': 'no-cache, no-transform',
  // Tells nginx-style proxies not to buffer: a buffered stream delivers deltas in bursts.
  'X-Accel-Buffering': 'no',
}

/** `after` is an exclusive cursor, an integer ≥ 0; absent means the whole log. Null when malformed. */
const parseAfter = (url: URL): number | null => {
  const after = countParam(url, AFTER_PARAM)
  return after === undefined ? CURSOR_START : after
}
const badAfter = (): Response => invalid(`${AFTER_PARAM} must be an integer >= 0`)

export const notAllowed = (allow: string): Response =>
  error(405, 'MethodNotAllowedError', `use ${allow}`, { Allow: allow })

/** 503 with `Retry-After` while the `shed` fault is on. */
const shedding = (core: EngineCore): Response | undefined => {
  const shed = core.faults().shed
  return shed === undefined
    ? undefined
    : error(503, 'ServiceUnavailableError', 'the server is shedding load; retry later', { 'Retry-After': String(shed.retryAfterSeconds) })
}

async function stream(core: EngineCore, request: Request, url: URL, sessionID: string): Promise<Response> {
  const shed = shedding(core)
  if (shed !== undefined) return shed
  const after = parseAfter(url)
  if (after === null) return badAfter()
  // The request is held while the stream is open: under MSW its signal follows the
  // client's abort only while this Request object is alive (undici links them through a
  // WeakRef), and that abort is the only way the engine learns an MSW client went away.
  const split = core.faults().shape === 'split'
  const opened = core.openStream(sessionID, after, request.signal, request)
  if (opened === undefined) return sessionNotFound(sessionID)
  return split ? answerOnFirstChunk(opened.body) : new Response(opened.body, { status: 200, headers: SSE_HEADERS })
}

/**
 * A released opencode server's session stream writes nothing, response headers included,
 * until its first row: the request for a quiet session just hangs. So the answer itself
 * waits for the body's first chunk, under both adapters (the Node one calls `writeHead`
 * only once it has the Response). A body that fails before its first chunk (a restart, a
 * reset) is a connection that fails without an answer: `Response.error()`, which the Node
 * adapter turns into a destroyed socket and MSW into a network error. One that ends cleanly
 * first (a drop, a shape switch, a cancelled request) is answered with an empty stream.
 */
async function answerOnFirstChunk(body: ReadableStream<Uint8Array>): Promise<Response> {
  const reader = body.getReader()
  let first: ReadableStreamReadResult<Uint8Array>
  try {
    first = await reader.read()
  } catch {
    return Response.error()
  }
  if (first.done) return new Response('', { status: 200, headers: SSE_HEADERS })
  const head = first.value
  const rest = new ReadableStream<Uint8Array>(
    {
      start: (controller) => controller.enqueue(head),
      async pull(controller) {
        try {
          const next = await reader.read()
          if (next.done) controller.close()
          else controller.enqueue(next.value)
        } catch (cause) {
          controller.error(cause)
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
  return new Response(rest, { status: 200, headers: SSE_HEADERS })
}

/** `GET /api/event`: the server-wide stream of every session (server-stream.ts). No replay, so no `after`. */
function serverStream(core: EngineCore, request: Request): Response {
  if (request.method !== 'GET') return notAllowed('GET')
  const shed = shedding(core)
  if (shed !== undefined) return shed
  // Held like a session stream's request: see `stream` above.
  const opened = core.openServerStream(request.signal, request)
  return new Response(opened.body, { status: 200, headers: SSE_HEADERS })
}

function history(core: EngineCore, url: URL, sessionID: string): Response {
  const after = parseAfter(url)
  if (after === null) return badAfter()
  // Not `??`: a malformed limit (null) must be refused, not defaulted.
  const given = countParam(url, 'limit')
  const limit = given === undefined ? HISTORY_DEFAULT_LIMIT : given
  if (limit === null || limit < 1 || limit > HISTORY_MAX_LIMIT) return invalid(`limit must be an integer from 1 to ${HISTORY_MAX_LIMIT}`)
  const page = core.history(sessionID, after, limit)
  return page === undefined ? sessionNotFound(sessionID) : json(200, page)
}

async function create(core: EngineCore, request: Request): Promise<Response> {
  const input = await parseBody(request, apiCreateSessionBody)
  if (input instanceof Response) return input
  const id = core.createSession(input.value.model === undefined ? {} : { model: input.value.model })
  const created = core.sessions().find((session) => session.sessionID === id)?.created ?? 0
  return json(200, { data: { id, time: { created }, ...(input.value.model === undefined ? {} : { model: input.value.model }) } })
}

/** Starts the scripted reply to a prompt: reasoning, then an echo, paced by the engine's interval. */
async function prompt(core: EngineCore, request: Request, sessionID: string): Promise<Response> {
  // 404 before reading: a prompt to a missing session is refused whatever its body says.
  if (!core.exists(sessionID)) return sessionNotFound(sessionID)
  const input = await parseBody(request, promptBody)
  if (input instanceof Response) return input
  const text = input.value.prompt.text
  const turn = core.startTurn(sessionID, { prompt: text, reasoning: `Thinking about: ${text}`, text: `Echo: ${text}` })
  if (turn === undefined) return sessionNotFound(sessionID)
  return json(200, { data: { admittedSeq: turn.admittedSeq, id: turn.messageID, sessionID } })
}

/** The public `/api` routes, as opencode serves them; undefined when the path is not one of them. */
export async function apiRoute(core: EngineCore, request: Request, url: URL, parts: readonly string[]): Promise<Response | undefined> {
  if (parts[0] === 'api' && parts[1] === 'event' && parts.length === 2) return serverStream(core, request)
  // opencode 1.18.34 deletes a session on its older route only.
  if (parts[0] === 'session' && parts.length === 2 && parts[1] !== undefined) {
    if (request.method !== 'DELETE') return notAllowed('DELETE')
    return core.deleteSession(parts[1]) ? json(200, true) : sessionNotFound(parts[1])
  }
  if (parts[0] !== 'api' || parts[1] !== 'session') return undefined
  const [, , sessionID, leaf, ...rest] = parts
  if (rest.length > 0) return undefined
  const method = request.method

  if (sessionID === undefined) {
    if (method === 'GET') return json(200, { data: core.sessions().map(({ sessionID: id, title, created }) => ({ id, title: title ?? '', time: { created, updated: created } })) })
    return method === 'POST' ? create(core, request) : notAllowed('GET, POST')
  }
  if (sessionID === 'active' && leaf === undefined) {
    if (method !== 'GET') return notAllowed('GET')
    return json(200, { data: Object.fromEntries(core.running().map((id) => [id, { type: 'running' }])) })
  }
  switch (leaf) {
    case undefined:
      if (method !== 'DELETE') return notAllowed('DELETE')
      return core.deleteSession(sessionID) ? json(200, { data: true }) : sessionNotFound(sessionID)
    case 'event':
      return method === 'GET' ? stream(core, request, url, sessionID) : notAllowed('GET')
    case 'history':
      return method === 'GET' ? history(core, url, sessionID) : notAllowed('GET')
    case 'prompt':
      return method === 'POST' ? prompt(core, request, sessionID) : notAllowed('POST')
    case 'interrupt':
      if (method !== 'POST') return notAllowed('POST')
      return core.interrupt(sessionID) ? json(200, { data: true }) : sessionNotFound(sessionID)
    default:
      return undefined
  }
}
