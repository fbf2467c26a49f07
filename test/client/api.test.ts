import { describe, expect, it } from 'vitest'
import { createSessionClient } from '../../src/client/client.js'
import { basicAuth } from '../../src/transport/headers.js'

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

/** A server that records every request (method, path, body, authorization) and answers as opencode does. */
function recordingServer() {
  const calls: string[] = []
  const authorization: (string | null)[] = []
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    const method = init?.method ?? 'GET'
    calls.push(`${method} ${url.pathname}${init?.body === undefined ? '' : ` ${String(init.body)}`}`)
    authorization.push(new Headers(init?.headers).get('authorization'))
    if (url.pathname.startsWith('/api/session/ses_gone')) {
      return answer(404, { _tag: 'SessionNotFoundError', sessionID: 'ses_gone', message: 'Session not found: ses_gone' })
    }
    if (method === 'GET' && url.pathname === '/api/session') return answer(200, { data: [{ id: 'ses_1', title: 'one' }, { title: 'no id' }] })
    if (method === 'POST' && url.pathname === '/api/session') return answer(200, { data: { id: 'ses_new', title: '' } })
    if (url.pathname.endsWith('/prompt')) return answer(200, { data: { id: 'msg_1', admittedSeq: 3 } })
    return answer(200, { data: true })
  }) as typeof globalThis.fetch
  return { calls, authorization, fetch }
}

describe('client.sessions', () => {
  it('calls opencode’s routes with the client’s fetch and headers, and fails with typed errors', async () => {
    const server = recordingServer()
    const client = createSessionClient({ baseUrl: 'http://server.test/', fetch: server.fetch, headers: basicAuth('pw') })
    expect(await client.sessions.list()).toEqual([{ id: 'ses_1', title: 'one' }])
    expect(await client.sessions.create()).toMatchObject({ id: 'ses_new' })
    expect(await client.sessions.prompt('ses_1', 'hi')).toMatchObject({ id: 'msg_1', admittedSeq: 3 })
    await client.sessions.interrupt('ses_1')
    await client.sessions.delete('ses_1')
    expect(server.calls).toEqual([
      'GET /api/session',
      'POST /api/session {}',
      'POST /api/session/ses_1/prompt {"prompt":{"text":"hi"}}',
      'POST /api/session/ses_1/interrupt',
      // opencode serves deletion on its older route only.
      'DELETE /session/ses_1',
    ])
    expect(server.authorization).toEqual(Array.from({ length: 5 }, () => basicAuth('pw').authorization))
    await expect(client.sessions.prompt('ses_gone', 'x')).rejects.toMatchObject({ name: 'SessionStreamError', code: 'session-not-found', status: 404 })
    const sent = server.calls.length
    await expect(client.sessions.delete('..')).rejects.toMatchObject({ code: 'invalid-session-id' })
    await expect(client.sessions.prompt('.', 'x')).rejects.toMatchObject({ code: 'invalid-session-id' })
    expect(server.calls).toHaveLength(sent)
    client.close()
  })
})
