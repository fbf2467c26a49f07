import { afterEach, describe, expect, it } from 'vitest'
import { isDurable, type SessionEvent } from '../../src/protocol/index.js'
import {
  createSession,
  durableOnly,
  fault,
  openStream,
  postJson,
  range,
  readFrames,
  readRawUntil,
  rejects,
  seededRandom,
  seqs,
  type Harness,
  type HarnessOptions,
  type StartHarness,
} from './helpers.js'
import { checkTurn, SCRIPTED_TURN } from './turn-checks.js'

/** True at the first idle activity after `session.execution.succeeded`. */
const idleAfterSuccess = (): ((event: SessionEvent) => boolean) => {
  let succeeded = false
  return (event) => {
    if (event.type === 'session.execution.succeeded') succeeded = true
    return succeeded && event.type === 'session.activity' && event.data.status === 'idle'
  }
}

const renamed = (h: Harness, sessionID: string, count: number): void => {
  for (let index = 0; index < count; index++) h.engine.commit(sessionID, 'session.renamed', { sessionID, title: `t${index}` })
}

/** Subscribes, runs the scripted turn, reads to its final idle; returns everything seen. */
const runTurn = async (h: Harness, body: object = SCRIPTED_TURN): Promise<SessionEvent[]> => {
  const sessionID = await createSession(h)
  const reader = await openStream(h, sessionID)
  const seen = await reader.events(2)
  expect((await postJson(h, `/__mock/sessions/${sessionID}/turn`, body)).status).toBe(202)
  seen.push(...(await reader.until(idleAfterSuccess())))
  await reader.cancel()
  return seen
}

const shape = (events: readonly SessionEvent[]): unknown[] => events.map((event) => [event.type, event.durable?.seq])

/** The ordering contract and stream faults, run against one adapter. */
export function describeStreamContract(start: StartHarness): void {
  let harness: Harness | undefined
  const use = async (options?: HarnessOptions): Promise<Harness> => (harness = await start(options))
  afterEach(async () => {
    await harness?.close()
    harness = undefined
  })

  describe('ordering', () => {
    it('replays (after, B] in order, then exactly one activity, then later events', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      renamed(h, sessionID, 5)
      const cutoff = h.engine.latestSeq(sessionID)
      const response = await h.fetch(`/api/session/${sessionID}/event`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/event-stream')
      expect(response.headers.get('cache-control')).toBe('no-cache, no-transform')
      expect(response.headers.get('x-accel-buffering')).toBe('no')
      const reader = readFrames(response)
      const replay = await reader.events(cutoff + 2)
      expect(seqs(replay)).toEqual(range(0, cutoff))
      expect(replay.at(-1)).toMatchObject({ type: 'session.activity', data: { sessionID, status: 'idle', cutoff } })
      expect(replay.at(-1)?.durable).toBeUndefined()

      h.engine.commit(sessionID, 'session.renamed', { sessionID, title: 'later' })
      h.engine.publish(sessionID, 'session.usage.updated', { sessionID, cost: 0, tokens: { input: 1, output: 1 } })
      const later = await reader.events(2)
      expect(later.map((event) => event.type)).toEqual(['session.renamed', 'session.usage.updated'])
      expect(seqs(later)).toEqual([cutoff + 1])
      await reader.cancel()
    })

    it('resumes from any after, including beyond the latest seq', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      renamed(h, sessionID, 12)
      const cutoff = h.engine.latestSeq(sessionID)
      const random = seededRandom(Number(process.env['FC_SEED'] ?? 42))
      const afters = [-1, 0, Math.floor(random() * cutoff), Math.floor(random() * cutoff), cutoff - 1, cutoff, cutoff + 4]
      for (const after of afters) {
        const reader = await openStream(h, sessionID, after)
        const replayed = Math.max(cutoff - after, 0)
        const events = await reader.events(replayed + 1)
        expect({ after, seqs: seqs(events) }).toEqual({ after, seqs: range(after + 1, cutoff) })
        // Beyond the latest, the snapshot's cutoff < after is how a client spots a history reset.
        expect(events.at(-1)).toMatchObject({ type: 'session.activity', data: { cutoff } })
        await reader.cancel()
      }
    })

    it('streams a scripted turn: starts before deltas, ended text equals its deltas', async () => {
      const h = await use()
      const events = await runTurn(h)
      checkTurn(events, SCRIPTED_TURN)
      const statuses = events.filter((event) => event.type === 'session.activity').map((event) => event.data.status)
      expect(statuses).toEqual(['idle', 'running', 'idle'])
    })

    it('reports a running turn in the snapshot and in /api/session/active', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      await postJson(h, `/__mock/sessions/${sessionID}/turn`, { ...SCRIPTED_TURN, intervalMs: 600_000 })
      const cutoff = h.engine.latestSeq(sessionID)
      const reader = await openStream(h, sessionID)
      const events = await reader.events(cutoff + 2)
      expect(events.at(-1)).toMatchObject({ type: 'session.activity', data: { status: 'running', cutoff } })
      const active = await h.fetch('/api/session/active')
      expect(await active.json()).toEqual({ data: { [sessionID]: { type: 'running' } } })
      await reader.cancel()
    })
  })

  describe('faults', () => {
    it('split frames still parse to the same events', async () => {
      const h = await use()
      const plain = await runTurn(h)
      await fault(h, { type: 'split' })
      const split = await runTurn(h)
      await fault(h, { type: 'split', bytes: 1 })
      const bytewise = await runTurn(h)
      for (const events of [split, bytewise]) {
        checkTurn(events, SCRIPTED_TURN)
        expect(shape(durableOnly(events))).toEqual(shape(durableOnly(plain)))
      }
    })

    it('writes heartbeat comments on an idle stream', async () => {
      const h = await use({ heartbeatMs: 10 })
      const sessionID = await createSession(h)
      const { text } = await readRawUntil(await h.fetch(`/api/session/${sessionID}/event`), ': heartbeat\n\n')
      expect(text).toContain('\n\n: heartbeat\n\n')
      expect(text).not.toMatch(/^(id|retry):/m)
    })

    it('drop ends every open stream cleanly, or resets it', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      const ended = await openStream(h, sessionID)
      await ended.events(2)
      await fault(h, { type: 'drop' })
      expect(await ended.rest()).toEqual([])
      const reset = await openStream(h, sessionID)
      await reset.events(2)
      await fault(h, { type: 'drop', mode: 'reset' })
      expect(await rejects(reset.rest())).toBe(true)
      expect(h.engine.stats().streams).toBe(0)
    })

    it('drop-after closes each stream after N data frames until cleared', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      renamed(h, sessionID, 6)
      await fault(h, { type: 'drop-after', frames: 3 })
      for (let attempt = 0; attempt < 2; attempt++) {
        const frames = await (await openStream(h, sessionID)).rest()
        expect(seqs(frames.flatMap((frame) => (frame.kind === 'event' ? [frame.event] : [])))).toEqual([0, 1, 2])
      }
      await fault(h, { type: 'clear' })
      const reader = await openStream(h, sessionID)
      expect(seqs(await reader.events(8))).toEqual(range(0, 6))
      await reader.cancel()
    })

    it('duplicate writes each durable frame twice', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      renamed(h, sessionID, 2)
      await fault(h, { type: 'duplicate', on: true })
      const reader = await openStream(h, sessionID)
      const events = await reader.events(7)
      expect(events.map((event) => event.durable?.seq ?? 'live')).toEqual([0, 0, 1, 1, 2, 2, 'live'])
      await reader.cancel()
    })

    it('stall writes nothing until lifted, then resumes where it was', async () => {
      // Default heartbeat (15 s): a heartbeat written before the stall would race the assertion.
      const h = await use()
      const sessionID = await createSession(h)
      const stalled = await openStream(h, sessionID)
      await stalled.events(2)
      await fault(h, { type: 'stall', on: true })
      h.engine.commit(sessionID, 'session.renamed', { sessionID, title: 'during stall' })
      const resumed = await openStream(h, sessionID, 1)
      await fault(h, { type: 'drop' })
      expect(await stalled.rest()).toEqual([])
      expect(await resumed.rest()).toEqual([])
      await fault(h, { type: 'stall', on: false })
      const reader = await openStream(h, sessionID, 0)
      expect((await reader.events(2)).map((event) => event.durable?.seq ?? 'live')).toEqual([1, 'live'])
      await reader.cancel()
    })

    it('sheds stream requests with 503 and Retry-After, and only those', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      await fault(h, { type: 'shed', on: true, retryAfterSeconds: 7 })
      const shed = await h.fetch(`/api/session/${sessionID}/event`)
      expect(shed.status).toBe(503)
      expect(shed.headers.get('retry-after')).toBe('7')
      expect(await shed.json()).toMatchObject({ error: { code: 'unavailable' } })
      expect((await h.fetch(`/api/session/${sessionID}/history`)).status).toBe(200)
      await fault(h, { type: 'shed', on: false })
      const reader = await openStream(h, sessionID)
      expect(isDurable((await reader.events(1))[0] as SessionEvent)).toBe(true)
      await reader.cancel()
    })
  })
}
