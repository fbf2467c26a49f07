import { afterEach, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/protocol/index.js'
import { MAX_BODY_BYTES } from '../../mock-server/index.js'
import {
  commitRows,
  createSession,
  errorBody,
  fault,
  missing,
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

/** Routes, errors, CORS, history, the control surface and restart, against one adapter. */
export function describeHttpContract(start: StartHarness): void {
  let harness: Harness | undefined
  const use = async (options?: HarnessOptions): Promise<Harness> => (harness = await start(options))
  afterEach(async () => {
    await harness?.close()
    harness = undefined
  })

  describe('errors', () => {
    it('answers 404 SessionNotFoundError for an unknown session on every session route', async () => {
      const h = await use()
      for (const [method, path] of [
        ['GET', streamPath('ses_nope')],
        ['GET', '/api/session/ses_nope/history'],
        ['POST', '/api/session/ses_nope/prompt'],
        ['POST', '/api/session/ses_nope/interrupt'],
        ['DELETE', '/api/session/ses_nope'],
        ['POST', '/__mock/sessions/ses_nope/turn'],
      ] as const) {
        const body = method === 'POST' ? JSON.stringify(path.endsWith('turn') ? SCRIPTED_TURN : { prompt: { text: 'x' } }) : null
        const response = await h.fetch(path, { method, body })
        expect({ path, status: response.status, body: await response.json() }).toEqual({ path, status: 404, body: missing('ses_nope') })
      }
      const unknown = await h.fetch('/api/nothing')
      expect({ status: unknown.status, tag: (await errorBody(unknown))._tag }).toEqual({ status: 404, tag: 'NotFoundError' })
    })

    it('answers 400 InvalidRequestError for an after that is not an integer >= 0', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      for (const after of ['-1', '1.5', 'abc', '', '-2', '1e3', '0x1', ' 1', '99999999999999999999']) {
        const query = `?after=${encodeURIComponent(after)}`
        for (const path of [`/api/session/${sessionID}/event${query}`, `/api/session/${sessionID}/history${query}`]) {
          const response = await h.fetch(path)
          expect({ path, status: response.status, tag: (await errorBody(response))._tag }).toEqual({ path, status: 400, tag: 'InvalidRequestError' })
        }
      }
      expect(h.engine.stats().subscribers).toBe(0)
    })

    it('answers a wrong method with 405 MethodNotAllowedError and Allow', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      for (const [method, path, allow] of [
        ['POST', `/api/session/${sessionID}/event`, 'GET'],
        ['GET', `/api/session/${sessionID}/prompt`, 'POST'],
        ['PUT', '/api/session', 'GET, POST'],
        ['GET', `/session/${sessionID}`, 'DELETE'],
        ['POST', `/api/session/${sessionID}`, 'DELETE'],
      ] as const) {
        const response = await h.fetch(path, { method })
        expect({ path, status: response.status, allow: response.headers.get('allow'), tag: (await errorBody(response))._tag }).toEqual({
          path,
          status: 405,
          allow,
          tag: 'MethodNotAllowedError',
        })
      }
    })

    it('reports the fault switches that are on', async () => {
      const h = await use()
      await postJson(h, '/__mock/faults', { type: 'stall', on: true })
      const response = await h.fetch('/__mock/faults')
      expect(await response.json()).toMatchObject({ faults: { stall: true, duplicate: false, privateRows: false } })
      await postJson(h, '/__mock/faults', { type: 'clear' })
    })

    it('validates control bodies and refuses more than 64 KiB with 413', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      const turn = `/__mock/sessions/${sessionID}/turn`
      const noPrompt = await postJson(h, turn, { text: 'no prompt' })
      expect(noPrompt.status).toBe(400)
      expect(await errorBody(noPrompt)).toEqual({ _tag: 'InvalidRequestError', message: expect.stringContaining('prompt') })
      expect((await postJson(h, '/__mock/faults', { type: 'stal', on: true })).status).toBe(400)
      expect((await postJson(h, '/__mock/faults', { type: 'private-rows' })).status).toBe(400)
      expect((await postJson(h, '/__mock/sessions', { parentID: 'ses_nope' })).status).toBe(400)
      expect((await postJson(h, turn, { ...SCRIPTED_TURN, tools: [{ name: 'ls', input: 'not an object', output: '' }] })).status).toBe(400)
      const notJson = await h.fetch(turn, { method: 'POST', body: '{"prompt":' })
      expect({ status: notJson.status, tag: (await errorBody(notJson))._tag }).toEqual({ status: 400, tag: 'InvalidRequestError' })
      const huge = await postJson(h, turn, { prompt: 'x'.repeat(MAX_BODY_BYTES), text: 'y' })
      expect({ status: huge.status, tag: (await errorBody(huge))._tag }).toEqual({ status: 413, tag: 'PayloadTooLargeError' })
      expect(h.engine.latestSeq(sessionID)).toBe(0)
    })
  })

  describe('CORS', () => {
    it('answers preflights without credentials and reflects the origin', async () => {
      const h = await use({ password: 'pw' })
      const origin = 'http://localhost:5173'
      const preflight = await fetch(`${h.baseUrl}${streamPath('ses_any', 3)}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin)
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE, OPTIONS')
      expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, last-event-id, content-type')
      expect(preflight.headers.get('access-control-allow-credentials')).toBeNull()

      await fault(h, { type: 'shed', on: true, retryAfterSeconds: 2 })
      const shed = await h.fetch(streamPath('ses_any'), { headers: { origin } })
      expect(shed.status).toBe(503)
      expect(shed.headers.get('access-control-allow-origin')).toBe(origin)
      expect(shed.headers.get('access-control-expose-headers')).toBe('Retry-After')
      expect(shed.headers.get('vary')).toContain('Origin')
    })
  })

  describe('history, activity, sessions', () => {
    it('pages public history with after, limit (at most 100) and hasMore', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      commitRows(h.engine, sessionID, 120)
      const page = async (query: string) =>
        (await (await h.fetch(`/api/session/${sessionID}/history${query}`)).json()) as { data: SessionEvent[]; hasMore: boolean }
      const first = await page('')
      expect({ seqs: seqs(first.data), hasMore: first.hasMore }).toEqual({ seqs: range(1, 50), hasMore: true })
      const full = await page('?after=20&limit=100')
      expect({ seqs: seqs(full.data), hasMore: full.hasMore }).toEqual({ seqs: range(21, 120), hasMore: false })
      const last = await page('?after=115&limit=100')
      expect({ seqs: seqs(last.data), hasMore: last.hasMore }).toEqual({ seqs: range(116, 120), hasMore: false })
      for (const limit of ['0', '101', '-1', '2.5', 'x']) {
        const refused = await h.fetch(`/api/session/${sessionID}/history?limit=${limit}`)
        expect({ limit, status: refused.status, tag: (await errorBody(refused))._tag }).toEqual({ limit, status: 400, tag: 'InvalidRequestError' })
      }
    })

    it('lists foreground runs only: background turns and child turns leave the parent idle', async () => {
      const h = await use()
      const parent = await createSession(h, { title: 'parent' })
      const child = await createSession(h, { title: 'child', parentID: parent })
      const slow = { ...SCRIPTED_TURN, intervalMs: 600_000 }
      const started = await postJson(h, `/__mock/sessions/${parent}/turn`, { ...slow, background: true })
      expect({ status: started.status, body: await started.json() }).toEqual({
        status: 202,
        body: { messageID: expect.stringMatching(/^msg_/), admittedSeq: 1, assistantMessageIDs: [expect.any(String), expect.any(String)], assistantMessageID: expect.any(String) },
      })
      await postJson(h, `/__mock/sessions/${child}/turn`, slow)
      expect(await (await h.fetch('/api/session/active')).json()).toEqual({ data: { [child]: { type: 'running' } } })
      const list = (await (await h.fetch('/__mock/sessions')).json()) as { data: object[] }
      expect(list.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ sessionID: parent, title: 'parent', activity: 'idle' }),
          expect.objectContaining({ sessionID: child, parentID: parent, activity: 'running', latestSeq: h.engine.latestSeq(child) }),
        ]),
      )
      const reader = await openStream(h, parent)
      const events = await reader.events(h.engine.latestSeq(parent) + 1)
      expect(events.at(-1)).toMatchObject({ type: 'session.activity', data: { status: 'idle' } })
      await reader.cancel()
    })
  })

  describe('restart', () => {
    it('restart resets streams and activity but keeps the log', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      await postJson(h, `/__mock/sessions/${sessionID}/turn`, { ...SCRIPTED_TURN, intervalMs: 600_000 })
      const cutoff = h.engine.latestSeq(sessionID)
      const before = await openStream(h, sessionID)
      expect((await before.events(cutoff + 1)).at(-1)).toMatchObject({ data: { status: 'running' } })
      await fault(h, { type: 'restart' })
      expect(await rejects(before.rest())).toBe(true)
      expect(h.engine.stats()).toMatchObject({ runningTurns: 0, streams: 0, subscribers: 0, restarts: 1 })
      expect(await (await h.fetch('/api/session/active')).json()).toEqual({ data: {} })
      const after = await openStream(h, sessionID)
      const replay = await after.events(cutoff + 1)
      expect(seqs(replay)).toEqual(range(1, cutoff))
      expect(replay.at(-1)).toMatchObject({ type: 'session.activity', data: { status: 'idle', cutoff } })
      expect(h.engine.latestSeq(sessionID)).toBe(cutoff)
      await after.cancel()
    })
  })
}
