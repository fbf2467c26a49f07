import type { Fault, FaultSettings, SessionSummary, TurnInput } from '../../mock-server/index.js'

/*
 * The mock server's control surface (`/__mock/*`) plus the protocol's DELETE route: what
 * the demo uses to script a session. Not part of the SDK; the SDK only reads the stream.
 */

export type { FaultSettings, SessionSummary, TurnInput }

export interface MockApi {
  readonly baseUrl: string
  listSessions(): Promise<readonly SessionSummary[]>
  createSession(title: string): Promise<string>
  /** Starts a scripted turn; resolves once the server accepted it (the reply comes over the stream). */
  startTurn(sessionID: string, turn: TurnInput): Promise<void>
  /** Applies a fault and resolves to the switches now in force. */
  fault(fault: Fault): Promise<FaultSettings>
  deleteSession(sessionID: string): Promise<void>
}

async function call(baseUrl: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  })
  if (!response.ok) {
    const detail = await response.json().then(
      (value: { error?: { message?: string } }) => value.error?.message,
      () => undefined,
    )
    throw new Error(`${method} ${path} answered ${response.status}${detail === undefined ? '' : `: ${detail}`}`)
  }
  return response.status === 204 ? undefined : response.json()
}

export function createMockApi(baseUrl: string): MockApi {
  const base = baseUrl.replace(/\/+$/, '')
  return {
    baseUrl: base,
    listSessions: async () => ((await call(base, 'GET', '/__mock/sessions')) as { data: SessionSummary[] }).data,
    createSession: async (title) =>
      ((await call(base, 'POST', '/__mock/sessions', { title })) as { sessionID: string }).sessionID,
    startTurn: async (sessionID, turn) => {
      await call(base, 'POST', `/__mock/sessions/${encodeURIComponent(sessionID)}/turn`, turn)
    },
    fault: async (fault) => ((await call(base, 'POST', '/__mock/faults', fault)) as { faults: FaultSettings }).faults,
    deleteSession: async (sessionID) => {
      await call(base, 'DELETE', `/api/session/${encodeURIComponent(sessionID)}`)
    },
  }
}
