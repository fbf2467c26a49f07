import * as z from 'zod/mini'
import type { EngineCore } from './core.js'
import { createSessionBody, describeIssues, faultBody, turnBody } from './control-schemas.js'
import { error, json, readJson } from './http.js'
import { notAllowed } from './routes-api.js'

/** Reads, size-limits and validates a control body; a Response when it is refused. */
async function body<T>(request: Request, schema: z.ZodMiniType<T>): Promise<{ value: T } | Response> {
  const read = await readJson(request)
  if (!read.ok) return read.response
  const parsed = schema.safeParse(read.value)
  return parsed.success ? { value: parsed.data } : error(400, 'invalid-body', describeIssues(parsed.error.issues))
}

/**
 * The control surface tests and the demo use to script a session: not part of the
 * protocol, never called by the SDK.
 */
export async function controlRoute(
  core: EngineCore,
  request: Request,
  parts: readonly string[],
): Promise<Response | undefined> {
  if (parts[0] !== '__mock') return undefined
  const [, area, sessionID, leaf, ...rest] = parts
  const method = request.method
  if (rest.length > 0) return undefined

  if (area === 'sessions' && sessionID === undefined) {
    if (method === 'GET') return json(200, { data: core.sessions() })
    if (method !== 'POST') return notAllowed('GET, POST')
    const input = await body(request, createSessionBody)
    if (input instanceof Response) return input
    if (input.value.parentID !== undefined && core.latestSeq(input.value.parentID) < 0) {
      return error(400, 'invalid-body', `parentID: no session ${input.value.parentID}`)
    }
    return json(201, { sessionID: core.createSession(input.value) })
  }
  if (area === 'sessions' && sessionID !== undefined && leaf === 'turn') {
    if (method !== 'POST') return notAllowed('POST')
    const input = await body(request, turnBody)
    if (input instanceof Response) return input
    const turn = core.startTurn(sessionID, input.value)
    if (turn === undefined) return error(404, 'session-not-found', `no session ${sessionID}`)
    return json(202, { assistantMessageID: turn.assistantMessageID })
  }
  if (area === 'faults' && sessionID === undefined) {
    // GET lets a page that reloads show which switches are on.
    if (method === 'GET') return json(200, { faults: core.faults() })
    if (method !== 'POST') return notAllowed('GET, POST')
    const input = await body(request, faultBody)
    if (input instanceof Response) return input
    core.applyFault(input.value)
    return json(200, { faults: core.faults() })
  }
  if (area === 'stats' && sessionID === undefined) {
    return method === 'GET' ? json(200, core.stats()) : notAllowed('GET')
  }
  return undefined
}
