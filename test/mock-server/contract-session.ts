import { afterEach, describe, expect, it } from 'vitest'
import {
  basic,
  createSession,
  errorBody,
  missing,
  openStream,
  postJson,
  streamPath,
  type Harness,
  type HarnessOptions,
  type StartHarness,
} from './helpers.js'
import { checkTurn, SCRIPTED_TURN } from './turn-checks.js'

/** Auth and the session lifecycle as opencode serves it: create, prompt, interrupt, delete. */
export function describeSessionContract(start: StartHarness): void {
  let harness: Harness | undefined
  const use = async (options?: HarnessOptions): Promise<Harness> => (harness = await start(options))
  afterEach(async () => {
    await harness?.close()
    harness = undefined
  })

  describe('auth', () => {
    it('requires the bearer token and never accepts it in the URL', async () => {
      const h = await use({ token: 'sekret-token' })
      const sessionID = await createSession(h)
      const raw = (path: string, headers: HeadersInit = {}) => fetch(`${h.baseUrl}${path}`, { headers })
      for (const response of [
        await raw(streamPath(sessionID)),
        await raw(streamPath(sessionID), { authorization: 'Bearer wrong-token!' }),
        await raw(streamPath(sessionID), { authorization: basic('opencode', 'sekret-token') }),
        await raw(`${streamPath(sessionID)}?token=sekret-token`),
        await raw(`${streamPath(sessionID)}?access_token=sekret-token`),
        await raw('/__mock/stats'),
      ]) {
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toBe('Bearer')
        expect(await errorBody(response)).toEqual({ _tag: 'UnauthorizedError', message: expect.any(String) })
      }
      const allowed = await raw('/api/session/active', { authorization: 'Bearer sekret-token' })
      expect(allowed.status).toBe(200)
    })

    it('accepts HTTP Basic opencode:<password> like opencode, and nothing else', async () => {
      const h = await use({ password: 'pässword' })
      const raw = (path: string, headers: HeadersInit = {}) => fetch(`${h.baseUrl}${path}`, { headers })
      for (const authorization of [
        undefined,
        basic('opencode', 'wrong'),
        basic('admin', 'pässword'),
        basic('opencode', 'pässword!'),
        'Bearer pässword',
        'Basic not-base64!',
        `Basic ${btoa('no colon')}`,
      ]) {
        const response = await raw('/api/session/active', authorization === undefined ? {} : { authorization })
        expect({ authorization, status: response.status, challenge: response.headers.get('www-authenticate') }).toEqual({
          authorization,
          status: 401,
          challenge: 'Basic',
        })
        expect((await errorBody(response))._tag).toBe('UnauthorizedError')
      }
      const ok = await raw('/api/session/active', { authorization: basic('opencode', 'pässword') })
      expect(ok.status).toBe(200)
      const created = await fetch(`${h.baseUrl}/api/session`, { method: 'POST', headers: { authorization: basic('opencode', 'pässword') } })
      expect(created.status).toBe(200)
    })

    it('with a token and a password, accepts either and names both schemes', async () => {
      const h = await use({ token: 'tok', password: 'pw' })
      const status = async (authorization?: string) =>
        (await fetch(`${h.baseUrl}/api/session/active`, { headers: authorization === undefined ? {} : { authorization } })).status
      expect([await status('Bearer tok'), await status(basic('opencode', 'pw')), await status('Bearer pw'), await status()]).toEqual([200, 200, 401, 401])
      const refused = await fetch(`${h.baseUrl}/api/session/active`)
      expect(refused.headers.get('www-authenticate')).toBe('Basic, Bearer')
    })
  })

  describe('sessions, prompts, interrupts and deletion', () => {
    it('creates a session with POST /api/session, prompts it, and streams the echo', async () => {
      const h = await use()
      const model = { id: 'echo', providerID: 'fake' }
      const created = await postJson(h, '/api/session', { model })
      expect(created.status).toBe(200)
      const { data: session } = (await created.json()) as { data: { id: string; time: { created: number }; model: object } }
      expect(session).toEqual({ id: expect.stringMatching(/^ses_/), time: { created: expect.any(Number) }, model })
      expect(h.engine.latestSeq(session.id)).toBe(0)
      expect((await h.fetch('/api/session', { method: 'POST' })).status).toBe(200)

      const reader = await openStream(h, session.id)
      await reader.events(1)
      const prompted = await postJson(h, `/api/session/${session.id}/prompt`, { prompt: { text: 'hi there' } })
      expect(prompted.status).toBe(200)
      const { data } = (await prompted.json()) as { data: { admittedSeq: number; id: string } }
      expect(data).toMatchObject({ admittedSeq: 1, id: expect.stringMatching(/^msg_/) })
      const events = await reader.until((event) => event.type === 'session.activity' && event.data.status === 'idle')
      await reader.cancel()
      const ids = checkTurn(events, { prompt: 'hi there', reasoning: 'Thinking about: hi there', text: 'Echo: hi there' })
      expect({ messageID: ids.messageID, admittedSeq: ids.admittedSeq }).toEqual({ messageID: data.id, admittedSeq: data.admittedSeq })
      const step = events.find((event) => event.type === 'session.next.step.started')
      expect(step?.data).toMatchObject({ agent: 'build', model })

      const bad = await postJson(h, `/api/session/${session.id}/prompt`, { prompt: 'not an object' })
      expect({ status: bad.status, tag: (await errorBody(bad))._tag }).toEqual({ status: 400, tag: 'InvalidRequestError' })
    })

    it('interrupt cancels the running turn, writes nothing, and the session goes idle', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      await postJson(h, `/__mock/sessions/${sessionID}/turn`, { ...SCRIPTED_TURN, intervalMs: 600_000 })
      const cutoff = h.engine.latestSeq(sessionID)
      const reader = await openStream(h, sessionID)
      expect((await reader.events(cutoff + 1)).at(-1)).toMatchObject({ data: { status: 'running' } })
      const interrupted = await h.fetch(`/api/session/${sessionID}/interrupt`, { method: 'POST' })
      expect({ status: interrupted.status, body: await interrupted.json() }).toEqual({ status: 200, body: { data: true } })
      expect(await reader.events(1)).toEqual([expect.objectContaining({ type: 'session.activity', data: expect.objectContaining({ status: 'idle', cutoff }) })])
      expect(h.engine.latestSeq(sessionID)).toBe(cutoff)
      expect(h.engine.stats().runningTurns).toBe(0)
      expect(await (await h.fetch('/api/session/active')).json()).toEqual({ data: {} })
      // An idle session can be interrupted too: nothing happens.
      expect((await h.fetch(`/api/session/${sessionID}/interrupt`, { method: 'POST' })).status).toBe(200)
      await reader.cancel()
    })

    it('DELETE cancels the turn, ends open streams after an idle activity, then 404 everywhere', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      await postJson(h, `/__mock/sessions/${sessionID}/turn`, { ...SCRIPTED_TURN, intervalMs: 600_000 })
      const cutoff = h.engine.latestSeq(sessionID)
      const reader = await openStream(h, sessionID)
      await reader.events(cutoff + 1)
      const deleted = await h.fetch(`/api/session/${sessionID}`, { method: 'DELETE' })
      expect({ status: deleted.status, body: await deleted.json() }).toEqual({ status: 200, body: { data: true } })
      const rest = await reader.rest()
      expect(rest).toEqual([{ kind: 'event', event: expect.objectContaining({ type: 'session.activity', data: expect.objectContaining({ status: 'idle' }) }) }])
      for (const path of [streamPath(sessionID), `/api/session/${sessionID}/history`]) {
        const response = await h.fetch(path)
        expect({ status: response.status, body: await response.json() }).toEqual({ status: 404, body: missing(sessionID) })
      }
      expect((await h.fetch(`/api/session/${sessionID}`, { method: 'DELETE' })).status).toBe(404)
      expect(h.engine.stats()).toMatchObject({ subscribers: 0, runningTurns: 0, sessions: 0 })
      expect(await (await h.fetch('/api/session/active')).json()).toEqual({ data: {} })
    })

    it('lists sessions with GET /api/session, and deletes on the older DELETE /session/:id as opencode 1.18.34 does', async () => {
      const h = await use()
      const a = await createSession(h)
      const b = await createSession(h)
      const listed = (await (await h.fetch('/api/session')).json()) as { data: { id: string; time: { created: number } }[] }
      expect(listed.data.map((session) => session.id).toSorted()).toEqual([a, b].toSorted())
      expect(listed.data.every((session) => typeof session.time.created === 'number')).toBe(true)
      const deleted = await h.fetch(`/session/${a}`, { method: 'DELETE' })
      expect({ status: deleted.status, body: await deleted.json() }).toEqual({ status: 200, body: true })
      expect((await h.fetch(`/session/${a}`, { method: 'DELETE' })).status).toBe(404)
      expect(h.engine.exists(a)).toBe(false)
      expect(h.engine.exists(b)).toBe(true)
    })
  })
}
