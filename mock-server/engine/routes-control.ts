import type { EngineCore } from './core.js'
import { createSessionBody, faultBody, turnBody } from './control-schemas.js'
import { invalid, json, parseBody, sessionNotFound } from './http.js'
import { notAllowed } from './routes-api.js'

/**
 * The control surface tests and the demo use to script a session: not part of the
 * protocol, never called by the SDK. Errors have the same `_tag` shape as `/api`'s.
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
    const input = await parseBody(request, createSessionBody)
    if (input instanceof Response) return input
    if (input.value.parentID !== undefined && !core.exists(input.value.parentID)) {
      return invalid(`parentID: no session ${input.value.parentID}`)
    }
    return json(201, { sessionID: core.createSession(input.value) })
  }
  if (area === 'sessions' && sessionID !== undefined && leaf === 'turn') {
    if (method !== 'POST') return notAllowed('POST')
    const input = await parseBody(request, turnBody)
    if (input instanceof Response) return input
    const turn = core.startTurn(sessionID, input.value)
    if (turn === undefined) return sessionNotFound(sessionID)
    const { messageID, admittedSeq, assistantMessageIDs, assistantMessageID } = turn
    return json(202, { messageID, admittedSeq, assistantMessageIDs, assistantMessageID })
  }
  if (area === 'faults' && sessionID === undefined) {
    // GET lets a page that reloads show which switches are on.
    if (method === 'GET') return json(200, { faults: core.faults() })
    if (method !== 'POST') return notAllowed('GET, POST')
    const input = await parseBody(request, faultBody)
    if (input instanceof Response) return input
    core.applyFault(input.value)
    return json(200, { faults: core.faults() })
  }
  if (area === 'stats' && sessionID === undefined) {
    return method === 'GET' ? json(200, core.stats()) : notAllowed('GET')
  }
  return undefined
}
