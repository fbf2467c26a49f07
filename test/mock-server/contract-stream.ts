import { afterEach, describe, expect, it } from 'vitest'
import { isDurable, type SessionEvent } from '../../src/protocol/index.js'
import {
  commitRows,
  createSession,
  durableOnly,
  errorBody,
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
import { checkTurn, PLAIN_TURN, SCRIPTED_TURN } from './turn-checks.js'

/** True at the first idle activity after the answer step (`finish: 'stop'`) ended. */
const idleAfterAnswer = (): ((event: SessionEvent) => boolean) => {
  let answered = false
  return (event) => {
    if (event.type === 'session.next.step.ended' && event.data.finish === 'stop') answered = true
    return answered && event.type === 'session.activity' && event.data.status === 'idle'
  }
}

/** Subscribes, runs a scripted turn, reads to its final idle; returns everything seen after the snapshot. */
const runTurn = async (h: Harness, body: object = SCRIPTED_TURN): Promise<SessionEvent[]> => {
  const sessionID = await createSession(h)
  const reader = await openStream(h, sessionID)
  const [snapshot] = await reader.events(1)
  expect(snapshot).toMatchObject({ type: 'session.activity', data: { status: 'idle', cutoff: 0 } })
  expect((await postJson(h, `/__mock/sessions/${sessionID}/turn`, body)).status).toBe(202)
  const seen = await reader.until(idleAfterAnswer())
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
    it('replays the whole log from seq 1 without after, then exactly one activity, then later events', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      expect(commitRows(h.engine, sessionID, 5)).toEqual(range(1, 5))
      const response = await h.fetch(`/api/session/${sessionID}/event`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/event-stream')
      expect(response.headers.get('cache-control')).toBe('no-cache, no-transform')
      expect(response.headers.get('x-accel-buffering')).toBe('no')
      const reader = readFrames(response)
      const replay = await reader.events(6)
      expect(seqs(replay)).toEqual(range(1, 5))
      expect(replay.at(-1)).toMatchObject({ type: 'session.activity', data: { sessionID, status: 'idle', cutoff: 5 } })
      expect(replay.at(-1)?.durable).toBeUndefined()

      const [later] = commitRows(h.engine, sessionID, 1, 'later')
      h.engine.publish(sessionID, 'session.next.text.delta', { assistantMessageID: 'msg_a', textID: 'text-0', delta: 'x' })
      const next = await reader.events(2)
      expect(next.map((event) => event.type)).toEqual(['session.next.prompted', 'session.next.text.delta'])
      expect(seqs(next)).toEqual([later])
      await reader.cancel()
    })

    it('sends nothing before the snapshot of a new session: its seq 0 is private', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      expect(h.engine.latestSeq(sessionID)).toBe(0)
      const reader = await openStream(h, sessionID)
      expect(await reader.events(1)).toEqual([expect.objectContaining({ type: 'session.activity', data: expect.objectContaining({ cutoff: 0 }) })])
      expect(await (await h.fetch(`/api/session/${sessionID}/history`)).json()).toEqual({ data: [], hasMore: false })
      await reader.cancel()
    })

    it('resumes from any after, including beyond the latest seq', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      commitRows(h.engine, sessionID, 12)
      const cutoff = h.engine.latestSeq(sessionID)
      const random = seededRandom(Number(process.env['FC_SEED'] ?? 42))
      const afters = [-1, 0, 1 + Math.floor(random() * cutoff), Math.floor(random() * cutoff), cutoff - 1, cutoff, cutoff + 4]
      for (const after of afters) {
        const reader = await openStream(h, sessionID, after)
        const events = await reader.events(Math.min(Math.max(cutoff - after, 0), cutoff) + 1)
        expect({ after, seqs: seqs(events) }).toEqual({ after, seqs: range(Math.max(after + 1, 1), cutoff) })
        // Beyond the latest, the snapshot's cutoff < after is how a client spots a history reset.
        expect(events.at(-1)).toMatchObject({ type: 'session.activity', data: { cutoff } })
        await reader.cancel()
      }
    })

    it('streams a tool turn as two steps: starts before deltas, ended texts equal their deltas', async () => {
      const h = await use()
      const events = await runTurn(h)
      const ids = checkTurn(events, SCRIPTED_TURN)
      expect(ids.admittedSeq).toBe(1)
      expect(ids.assistantMessageIDs).toHaveLength(2)
      const statuses = events.filter((event) => event.type === 'session.activity').map((event) => event.data.status)
      expect(statuses).toEqual(['running', 'idle'])
      // The run starts after `prompted`, before the first fragment, and ends after the last step.ended.
      const types = events.map((event) => event.type)
      const running = types.indexOf('session.activity')
      expect(running).toBeGreaterThan(types.indexOf('session.next.prompted'))
      expect(running).toBeLessThan(types.findIndex((type) => type.endsWith('.delta')))
      expect(types.at(-2)).toBe('session.next.step.ended')
    })

    it('streams a turn without tools as one step', async () => {
      const h = await use()
      const ids = checkTurn(await runTurn(h, PLAIN_TURN), PLAIN_TURN)
      expect(ids.assistantMessageIDs).toHaveLength(1)
    })

    it('reports a running turn in the snapshot and in /api/session/active', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      await postJson(h, `/__mock/sessions/${sessionID}/turn`, { ...SCRIPTED_TURN, intervalMs: 600_000 })
      const cutoff = h.engine.latestSeq(sessionID)
      const reader = await openStream(h, sessionID)
      const events = await reader.events(cutoff + 1)
      expect(events.at(-1)).toMatchObject({ type: 'session.activity', data: { status: 'running', cutoff } })
      const active = await h.fetch('/api/session/active')
      expect(await active.json()).toEqual({ data: { [sessionID]: { type: 'running' } } })
      await reader.cancel()
    })
  })

  describe('private rows', () => {
    it('skips public seqs while on; replay and history never hold a private row; B counts them', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      commitRows(h.engine, sessionID, 2)
      await fault(h, { type: 'private-rows', on: true })
      expect(commitRows(h.engine, sessionID, 3)).toEqual([4, 6, 8])
      const reader = await openStream(h, sessionID)
      const replay = await reader.events(6)
      expect(seqs(replay)).toEqual([1, 2, 4, 6, 8])
      expect(replay.at(-1)).toMatchObject({ type: 'session.activity', data: { cutoff: 8 } })
      // Live: the next public row is 10, after the private 9, and nothing is sent for 9.
      expect(commitRows(h.engine, sessionID, 1)).toEqual([10])
      expect(seqs(await reader.events(1))).toEqual([10])
      await fault(h, { type: 'private-rows', on: false })
      expect(commitRows(h.engine, sessionID, 1)).toEqual([11])
      expect(seqs(await reader.events(1))).toEqual([11])
      await reader.cancel()

      // Resuming from a private seq sends the next public row.
      const resumed = await openStream(h, sessionID, 5)
      expect(seqs(await resumed.events(5))).toEqual([6, 8, 10, 11])
      await resumed.cancel()
      const history = (await (await h.fetch(`/api/session/${sessionID}/history?after=2&limit=3`)).json()) as {
        data: SessionEvent[]
        hasMore: boolean
      }
      expect({ seqs: seqs(history.data), hasMore: history.hasMore }).toEqual({ seqs: [4, 6, 8], hasMore: true })
      expect(await (await h.fetch('/__mock/faults')).json()).toMatchObject({ faults: { privateRows: false } })
    })

    it('runs a whole turn with private rows: every row decodes, none is private, the turn checks out', async () => {
      const h = await use({ privateRows: true })
      const events = await runTurn(h, PLAIN_TURN)
      const durable = seqs(events)
      expect(durable.every((seq, index) => index === 0 || seq === (durable[index - 1] ?? 0) + 2)).toBe(true)
      expect(durable[0]).toBe(2)
      // checkTurn wants consecutive seqs: renumbered, the rest of the turn must still hold.
      let seq = 0
      checkTurn(
        events.map((event) => (isDurable(event) ? { ...event, durable: { ...event.durable, seq: ++seq } } : event) as SessionEvent),
        PLAIN_TURN,
      )
    })
  })

  describe('faults', () => {
    it('split frames still parse to the same events', async () => {
      const h = await use()
      // Byte by byte, each piece waits for the socket: the smaller turn keeps that one quick.
      for (const [turn, split] of [
        [SCRIPTED_TURN, { type: 'split' }],
        [PLAIN_TURN, { type: 'split', bytes: 1 }],
      ] as const) {
        const plain = await runTurn(h, turn)
        await fault(h, split)
        const events = await runTurn(h, turn)
        await fault(h, { type: 'split', on: false })
        checkTurn(events, turn)
        expect(shape(durableOnly(events))).toEqual(shape(durableOnly(plain)))
      }
    })

    it('writes heartbeat comments on an idle stream', async () => {
      const h = await use({ heartbeatMs: 10 })
      const sessionID = await createSession(h)
      const { text } = await readRawUntil(await h.fetch(`/api/session/${sessionID}/event`), ': heartbeat\n\n')
      expect(text).toContain('\n\n: heartbeat\n\n')
      expect(text).not.toMatch(/^(id|retry|event):/m)
    })

    it('drop ends every open stream cleanly, or resets it', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      const ended = await openStream(h, sessionID)
      await ended.events(1)
      await fault(h, { type: 'drop' })
      expect(await ended.rest()).toEqual([])
      const reset = await openStream(h, sessionID)
      await reset.events(1)
      await fault(h, { type: 'drop', mode: 'reset' })
      expect(await rejects(reset.rest())).toBe(true)
      expect(h.engine.stats().streams).toBe(0)
    })

    it('drop-after closes each stream after N data frames until cleared', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      commitRows(h.engine, sessionID, 6)
      await fault(h, { type: 'drop-after', frames: 3 })
      for (let attempt = 0; attempt < 2; attempt++) {
        const frames = await (await openStream(h, sessionID)).rest()
        expect(seqs(frames.flatMap((frame) => (frame.kind === 'event' ? [frame.event] : [])))).toEqual([1, 2, 3])
      }
      await fault(h, { type: 'clear' })
      const reader = await openStream(h, sessionID)
      expect(seqs(await reader.events(7))).toEqual(range(1, 6))
      await reader.cancel()
    })

    it('duplicate writes each durable frame twice', async () => {
      const h = await use()
      const sessionID = await createSession(h)
      commitRows(h.engine, sessionID, 2)
      await fault(h, { type: 'duplicate', on: true })
      const reader = await openStream(h, sessionID)
      const events = await reader.events(5)
      expect(events.map((event) => event.durable?.seq ?? 'live')).toEqual([1, 1, 2, 2, 'live'])
      await reader.cancel()
    })

    it('stall writes nothing until lifted, then resumes where it was', async () => {
      // Default heartbeat (15 s): a heartbeat written before the stall would race the assertion.
      const h = await use()
      const sessionID = await createSession(h)
      const stalled = await openStream(h, sessionID)
      await stalled.events(1)
      await fault(h, { type: 'stall', on: true })
      commitRows(h.engine, sessionID, 1, 'during stall')
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
      commitRows(h.engine, sessionID, 1)
      await fault(h, { type: 'shed', on: true, retryAfterSeconds: 7 })
      const shed = await h.fetch(`/api/session/${sessionID}/event`)
      expect(shed.status).toBe(503)
      expect(shed.headers.get('retry-after')).toBe('7')
      expect(await errorBody(shed)).toEqual({ _tag: 'ServiceUnavailableError', message: expect.any(String) })
      expect((await h.fetch(`/api/session/${sessionID}/history`)).status).toBe(200)
      await fault(h, { type: 'shed', on: false })
      const reader = await openStream(h, sessionID)
      expect(isDurable((await reader.events(1))[0] as SessionEvent)).toBe(true)
      await reader.cancel()
    })
  })
}
