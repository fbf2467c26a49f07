import { afterEach, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES } from '../../mock-server/index.js'
import {
  authHeaders,
  createSession,
  fault,
  openStream,
  postJson,
  range,
  rejects,
  seqs,
  streamPath,
  type Harness,
  type HarnessOptions,
  type StartHarness,
} from './helpers.js'
import { SCRIPTED_TURN } from './turn-checks.js'

const errorCode = async (response: Response): Promise<string> =>
  ((await response.json()) as { error: { code: string } }).error.code

/** Routes, errors, auth, CORS, the control surface, deletion and restart, against one adapter. */
export function describeHttpContract(start: StartHarness): void {
  let harness: Harness | undefined
  const use = async (options?: HarnessOptions): Promise<Harness> => (harness = await start(options))
  afterEach(async () => {
    await harness?.close()
    harness = undefined
  })

  describe('errors', () => {
    it('answers 404 for an unknown session on every session route', async () => {
      const h = await use()
      for (const [method, path] of [
        ['GET', streamPath('ses_nope')],
        ['GET', '/api/session/ses_nope/history'],
        ['DELETE', '/api/session/ses_nope'],
      ] as const) {
        const response = await h.fetch(path, { method })
        expect({ path, status: response.status }).toEqual({ path, status: 404 })
        expect(await errorCode(response)).toBe('session-not-found')
      }
      const turn = await postJson(h, '/__mock/sessions/ses_nope/turn', SCRIPTED_TURN)
      expect(turn.status).toBe(404)
      expect((await h.fetch('/api/nothing')).status).toBe(404)
    })

    it('answers 400 for a malformed after', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      for (const after of ['abc', '1.5', '-2', '', '1e3', '0x1']) {
        const stream = await h.fetch(streamPath(sessionID, after))
        expect({ after, status: stream.status }).toEqual({ after, status: 400 })
        expect(await errorCode(stream)).toBe('bad-request')
        expect((await h.fetch(`/api/session/${sessionID}/history?after=${after}`)).status).toBe(400)
      }
    })

    it('requires the bearer token and never accepts it in the URL', async () => {
      const h = await use({ token: 'sekret-token' })
      const sessionID = await createSession(h)
      const raw = (path: string, headers: HeadersInit = {}) => fetch(`${h.baseUrl}${path}`, { headers })
      for (const response of [
        await raw(streamPath(sessionID)),
        await raw(streamPath(sessionID), { authorization: 'Bearer wrong-token!' }),
        await raw(streamPath(sessionID), { authorization: 'Basic c2VrcmV0LXRva2Vu' }),
        await raw(`${streamPath(sessionID)}?token=sekret-token`),
        await raw(`${streamPath(sessionID)}?access_token=sekret-token`),
        await raw('/__mock/stats'),
      ]) {
        expect(response.status).toBe(401)
        expect(response.headers.get('www-authenticate')).toBe('Bearer')
        expect(await errorCode(response)).toBe('unauthorized')
      }
      const allowed = await raw('/api/session/active', authHeaders('sekret-token'))
      expect(allowed.status).toBe(200)
    })

    it('reports the fault switches that are on', async () => {
      const h = await use()
      await postJson(h, '/__mock/faults', { type: 'stall', on: true })
      const response = await h.fetch('/__mock/faults')
      expect(await response.json()).toMatchObject({ faults: { stall: true, duplicate: false } })
      await postJson(h, '/__mock/faults', { type: 'clear' })
    })

    it('validates control bodies and refuses more than 64 KiB with 413', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      const turn = `/__mock/sessions/${sessionID}/turn`
      const missing = await postJson(h, turn, { text: 'no prompt' })
      expect(missing.status).toBe(400)
      expect(await missing.text()).toContain('prompt')
      expect((await postJson(h, '/__mock/faults', { type: 'stal', on: true })).status).toBe(400)
      expect((await postJson(h, '/__mock/sessions', { parentID: 'ses_nope' })).status).toBe(400)
      const notJson = await h.fetch(turn, { method: 'POST', body: '{"prompt":' })
      expect(notJson.status).toBe(400)
      const huge = await postJson(h, turn, { prompt: 'x'.repeat(MAX_BODY_BYTES), text: 'y' })
      expect(huge.status).toBe(413)
      expect(await errorCode(huge)).toBe('payload-too-large')
      expect(h.engine.latestSeq(sessionID)).toBe(0)
    })
  })

  describe('CORS', () => {
    it('answers preflights without credentials and reflects the origin', async () => {
      const h = await use({ token: 'sekret-token' })
      const origin = 'http://page.example:5173'
      const preflight = await fetch(`${h.baseUrl}${streamPath('ses_any', 3)}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization, last-event-id',
        },
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin)
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE, OPTIONS')
      expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, last-event-id, content-type')
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull()

      await fault(h, { type: 'shed', on: true, retryAfterSeconds: 2 })
      const shed = await h.fetch(streamPath('ses_any'), { headers: { origin } })
      expect(shed.headers.get('access-control-allow-origin')).toBe(origin)
      expect(shed.headers.get('access-control-expose-headers')).toBe('Retry-After')
      expect(shed.headers.get('vary')).toContain('Origin')
    })
  })

  describe('history, activity, sessions', () => {
    it('pages durable history with after, limit and hasMore', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      for (let index = 0; index < 60; index++) h.engine.commit(sessionID, 'session.renamed', { sessionID, title: `${index}` })
      const page = async (query: string) =>
        (await (await h.fetch(`/api/session/${sessionID}/history${query}`)).json()) as {
          data: { durable: { seq: number } }[]
          hasMore: boolean
        }
      const first = await page('')
      expect(first.data.map((row) => row.durable.seq)).toEqual(range(0, 49))
      expect(first.hasMore).toBe(true)
      const last = await page('?after=49&limit=1000')
      expect(last.data.map((row) => row.durable.seq)).toEqual(range(50, 60))
      expect(last.hasMore).toBe(false)
      expect((await page('?limit=5000')).data).toHaveLength(61)
      expect((await h.fetch(`/api/session/${sessionID}/history?limit=0`)).status).toBe(400)
    })

    it('lists foreground runs only: background turns and child turns leave the parent idle', async () => {
      const h = await use()
      const parent = await createSession(h, { title: 'parent' })
      const child = await createSession(h, { title: 'child', parentID: parent })
      const slow = { ...SCRIPTED_TURN, intervalMs: 600_000 }
      await postJson(h, `/__mock/sessions/${parent}/turn`, { ...slow, background: true })
      await postJson(h, `/__mock/sessions/${child}/turn`, slow)
      expect(await (await h.fetch('/api/session/active')).json()).toEqual({ data: { [child]: { type: 'running' } } })
      const list = (await (await h.fetch('/__mock/sessions')).json()) as { data: object[] }
      expect(list.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ sessionID: parent, title: 'parent', activity: 'idle' }),
          expect.objectContaining({ sessionID: child, parentID: parent, activity: 'running' }),
        ]),
      )
      const reader = await openStream(h, parent)
      const events = await reader.events(h.engine.latestSeq(parent) + 2)
      expect(events.at(-1)).toMatchObject({ type: 'session.activity', data: { status: 'idle' } })
      await reader.cancel()
    })
  })

  describe('deletion and restart', () => {
    it('delivers session.deleted to open streams, then 404 and no history', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      const reader = await openStream(h, sessionID)
      await reader.events(2)
      const deleted = await h.fetch(`/api/session/${sessionID}`, { method: 'DELETE' })
      expect(deleted.status).toBe(204)
      const rest = await reader.rest()
      expect(rest).toEqual([{ kind: 'event', event: expect.objectContaining({ type: 'session.deleted', durable: expect.objectContaining({ seq: 1 }) }) }])
      expect((await h.fetch(streamPath(sessionID))).status).toBe(404)
      expect((await h.fetch(`/api/session/${sessionID}/history`)).status).toBe(404)
      expect(h.engine.stats().subscribers).toBe(0)
    })

    it('restart resets streams and activity but keeps the log', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      await postJson(h, `/__mock/sessions/${sessionID}/turn`, { ...SCRIPTED_TURN, intervalMs: 600_000 })
      const cutoff = h.engine.latestSeq(sessionID)
      const before = await openStream(h, sessionID)
      expect((await before.events(cutoff + 2)).at(-1)).toMatchObject({ data: { status: 'running' } })
      await fault(h, { type: 'restart' })
      expect(await rejects(before.rest())).toBe(true)
      expect(h.engine.stats()).toMatchObject({ runningTurns: 0, streams: 0, subscribers: 0, restarts: 1 })
      expect(await (await h.fetch('/api/session/active')).json()).toEqual({ data: {} })
      const after = await openStream(h, sessionID)
      const replay = await after.events(cutoff + 2)
      expect(seqs(replay)).toEqual(range(0, cutoff))
      expect(replay.at(-1)).toMatchObject({ type: 'session.activity', data: { status: 'idle', cutoff } })
      expect(h.engine.latestSeq(sessionID)).toBe(cutoff)
      await after.cancel()
    })
  })
}
