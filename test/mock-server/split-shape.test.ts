import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMockEngine, MOCK_DIRECTORY } from '../../mock-server/index.js'
import { setupMockServer } from '../../mock-server/msw-node.js'
import { startMockServer } from '../../mock-server/node.js'
import type { SessionEvent } from '../../src/protocol/index.js'
import {
  commitRows,
  fault,
  readFrames,
  readServerFrames,
  rejects,
  streamPath,
  type Harness,
  type HarnessOptions,
  type ServerEnvelope,
  type StartHarness,
} from './helpers.js'
import { checkTurn, PLAIN_TURN, SCRIPTED_TURN } from './turn-checks.js'

/*
 * The released opencode server's shape (`shape: 'split'`): session streams with durable rows
 * only and no answer before their first row, `GET /api/event` with everything, and the live
 * `shape` switch. Run against both adapters.
 */

const startNode: StartHarness = async (options = {}) => {
  const server = await startMockServer({ port: 0, ...options })
  return { name: 'node', engine: server.engine, baseUrl: server.url, fetch: (path, init) => fetch(`${server.url}${path}`, init), close: () => server.close() }
}

const BASE = 'http://mock.test'
const startMsw: StartHarness = async (options: HarnessOptions = {}) => {
  const engine = createMockEngine(options)
  const server = setupMockServer(engine, { baseUrl: BASE })
  server.listen({ onUnhandledRequest: 'error' })
  return {
    name: 'msw',
    engine,
    baseUrl: BASE,
    fetch: (path, init) => fetch(`${BASE}${path}`, init),
    close: async () => {
      engine.close()
      server.close()
    },
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Settles with the value, or 'pending' if it has not settled within `ms`. */
const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> =>
  Promise.race([promise, sleep(ms).then(() => 'pending' as const)])

/** A server-wide event without its `location`: what the session's own log holds. */
const unlocated = ({ location: _location, ...event }: ServerEnvelope): unknown => event

const ofSession = (sessionID: string) => (event: ServerEnvelope) => event.data.sessionID === sessionID

/** Reads `/api/event` up to `server.connected` and the unrelated event after it. */
const openServer = async (h: Harness) => {
  const response = await h.fetch('/api/event')
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('text/event-stream')
  const reader = readServerFrames(response)
  const hello = await reader.until((event) => event.type === 'catalog.updated')
  return { reader, hello }
}

describe.each([
  ['node', startNode],
  ['msw', startMsw],
] as const)('split shape (%s adapter)', (_name, start) => {
  let harness: Harness | undefined
  const use = async (options: HarnessOptions = {}): Promise<Harness> => (harness = await start({ shape: 'split', ...options }))
  afterEach(async () => {
    await harness?.close()
    harness = undefined
  })

  describe('session stream', () => {
    it('replays and follows durable rows only: no activity, no fragments, no heartbeats', async () => {
      const h = await use({ heartbeatMs: 30 })
      const sessionID = h.engine.createSession()
      commitRows(h.engine, sessionID, 2)
      const response = await h.fetch(streamPath(sessionID))
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/event-stream')
      const reader = readFrames(response)
      const turn = h.engine.startTurn(sessionID, SCRIPTED_TURN)
      expect(await turn?.done).toBe('completed')
      const latest = h.engine.latestSeq(sessionID)
      const events = await reader.until((event) => event.durable?.seq === latest)
      expect(events.every((event) => event.durable !== undefined)).toBe(true)
      expect(events.map((event) => event.durable?.seq)).toEqual(h.engine.history(sessionID, -1, 100)?.data.map((row) => row.durable.seq))
      // The durable half of a tool turn is whole: each ended text is the full text.
      expect(events.find((event) => event.type === 'session.next.text.ended')?.data).toMatchObject({ text: SCRIPTED_TURN.text })
      // Quiet now: several heartbeat intervals pass without a byte.
      expect(await within(reader.next(), 150)).toBe('pending')
      await reader.cancel()
    })

    it('sends no response at all for a quiet session until its first row', async () => {
      const h = await use()
      const sessionID = h.engine.createSession()
      const requested = h.fetch(streamPath(sessionID))
      expect(await within(requested, 200)).toBe('pending')
      expect(h.engine.stats()).toMatchObject({ streams: 1, subscribers: 1 })
      const [seq] = commitRows(h.engine, sessionID, 1)
      const response = await requested
      expect(response.status).toBe(200)
      const reader = readFrames(response)
      expect((await reader.events(1))[0]?.durable?.seq).toBe(seq)
      await reader.cancel()
      await vi.waitFor(() => expect(h.engine.stats()).toMatchObject({ streams: 0, subscribers: 0 }))
    })

    it('fails a waiting request without an answer on a restart, and drops a cancelled one', async () => {
      const h = await use()
      const sessionID = h.engine.createSession()
      const crashed = h.fetch(streamPath(sessionID))
      // Restart only once the request waits at the server: a fixed sleep lost that race on a busy machine.
      await vi.waitFor(() => expect(h.engine.stats().streams).toBe(1))
      h.engine.restart()
      expect(await rejects(crashed)).toBe(true)
      const aborter = new AbortController()
      const abandoned = h.fetch(streamPath(sessionID), { signal: aborter.signal })
      await vi.waitFor(() => expect(h.engine.stats().streams).toBe(1))
      aborter.abort()
      expect(await rejects(abandoned)).toBe(true)
      await vi.waitFor(() => expect(h.engine.stats()).toMatchObject({ streams: 0, subscribers: 0 }))
    })

    it('answers 404 for an unknown session and 503 while shedding, at once', async () => {
      const h = await use()
      expect((await h.fetch(streamPath('ses_missing'))).status).toBe(404)
      await fault(h, { type: 'shed', on: true, retryAfterSeconds: 2 })
      const shed = await h.fetch(streamPath(h.engine.createSession()))
      expect(shed.status).toBe(503)
      expect(shed.headers.get('retry-after')).toBe('2')
    })
  })

  describe('server-wide stream', () => {
    it('opens with server.connected, then carries every session’s rows and fragments in order, with location', async () => {
      const h = await use({ privateRows: true })
      const a = h.engine.createSession()
      const b = h.engine.createSession()
      const { reader, hello } = await openServer(h)
      expect(hello[0]).toEqual({ id: expect.stringMatching(/^evt_/), type: 'server.connected', data: {} })
      expect(hello[1]).toMatchObject({ type: 'catalog.updated', location: { directory: MOCK_DIRECTORY } })
      expect(h.engine.stats().serverStreams).toBe(1)

      const turn = h.engine.startTurn(a, SCRIPTED_TURN)
      commitRows(h.engine, b, 2, 'other')
      expect(await turn?.done).toBe('completed')
      const latest = h.engine.latestSeq(a)
      const events = await reader.until((event) => event.data.sessionID === a && event.durable?.seq === latest)
      const forA = events.filter(ofSession(a))
      const forB = events.filter(ofSession(b))
      expect(events.every((event) => event.location?.directory === MOCK_DIRECTORY)).toBe(true)
      // Durable rows exactly as the log holds them: public ones only (private rows skip seqs), in order.
      expect(forA.filter((event) => event.durable !== undefined).map(unlocated)).toEqual(h.engine.history(a, -1, 100)?.data)
      expect(forB.map((event) => event.durable?.seq)).toEqual([2, 4])
      // Rows and fragments interleave as committed and published: the turn checks out as a session stream would.
      // checkTurn wants consecutive seqs: renumbered past the private rows.
      let seq = 0
      const renumbered = forA.map((event) => ({ ...event, ...(event.durable === undefined ? {} : { durable: { ...event.durable, seq: ++seq } }) }))
      checkTurn(renumbered.map(unlocated) as SessionEvent[], SCRIPTED_TURN)
      expect(forA.some((event) => event.type === 'session.next.text.delta')).toBe(true)
      expect(events.some((event) => event.type === 'session.activity')).toBe(false)
      await reader.cancel()
      await vi.waitFor(() => expect(h.engine.stats().serverStreams).toBe(0))
    })

    it('sends no replay: a stream opened after a row never sees it', async () => {
      const h = await use()
      const sessionID = h.engine.createSession()
      commitRows(h.engine, sessionID, 3)
      const { reader } = await openServer(h)
      const [later] = commitRows(h.engine, sessionID, 1, 'later')
      const [event] = await reader.until((e) => e.durable !== undefined)
      expect(event?.durable?.seq).toBe(later)
      await reader.cancel()
    })

    it('announces a deleted session with session.deleted, as the released server does', async () => {
      const h = await use()
      const sessionID = h.engine.createSession()
      const { reader } = await openServer(h)
      h.engine.deleteSession(sessionID)
      const [event] = await reader.until((e) => e.type === 'session.deleted')
      expect(event).toMatchObject({ type: 'session.deleted', durable: { aggregateID: sessionID }, data: { sessionID } })
      await reader.cancel()
    })

    it('writes a heartbeat comment every heartbeatMs', async () => {
      const h = await use({ heartbeatMs: 40 })
      const { reader } = await openServer(h)
      const frames = [await reader.next(), await reader.next(), await reader.next()]
      expect(frames).toEqual([
        { kind: 'comment', text: 'heartbeat' },
        { kind: 'comment', text: 'heartbeat' },
        { kind: 'comment', text: 'heartbeat' },
      ])
      await reader.cancel()
    })

    it('ends on a drop (cleanly or reset) and a restart, and counts open streams', async () => {
      const h = await use()
      const clean = await openServer(h)
      const other = await openServer(h)
      expect(h.engine.stats().serverStreams).toBe(2)
      await fault(h, { type: 'drop', mode: 'end' })
      expect([await clean.reader.next(), await other.reader.next()]).toEqual([undefined, undefined])
      const reset = await openServer(h)
      await fault(h, { type: 'drop', mode: 'reset' })
      expect(await rejects(reset.reader.next())).toBe(true)
      const crashed = await openServer(h)
      h.engine.restart()
      expect(await rejects(crashed.reader.next())).toBe(true)
      expect(h.engine.stats().serverStreams).toBe(0)
    })

    it('drops and stalls aim at one kind of stream when given a target', async () => {
      const h = await use()
      const sessionID = h.engine.createSession()
      commitRows(h.engine, sessionID, 1)
      const session = readFrames(await h.fetch(streamPath(sessionID)))
      await session.events(1)
      const server = await openServer(h)
      await fault(h, { type: 'drop', target: 'session' })
      expect(await session.next()).toBeUndefined()
      expect(h.engine.stats()).toMatchObject({ streams: 0, serverStreams: 1 })

      await fault(h, { type: 'stall', on: true, target: 'server' })
      const resumed = readFrames(await h.fetch(streamPath(sessionID)))
      const [seq] = commitRows(h.engine, sessionID, 1, 'stalled')
      // The session stream is not stalled: it replays and delivers the new row.
      expect((await resumed.events(2)).map((event) => event.durable?.seq)).toEqual([1, seq])
      const held = server.reader.until((event) => event.durable?.seq === seq)
      expect(await within(held, 150)).toBe('pending')
      await fault(h, { type: 'stall', on: false })
      expect((await held).at(-1)?.durable?.seq).toBe(seq)

      await fault(h, { type: 'drop', mode: 'reset', target: 'server' })
      expect(await rejects(server.reader.next())).toBe(true)
      expect(h.engine.stats()).toMatchObject({ streams: 1, serverStreams: 0 })
      await resumed.cancel()
    })

    it('obeys split, duplicate and drop-after, and sheds with 503', async () => {
      const h = await use()
      const sessionID = h.engine.createSession()
      await fault(h, { type: 'split', on: true, bytes: 3 })
      await fault(h, { type: 'duplicate', on: true })
      const { reader } = await openServer(h)
      const turn = h.engine.startTurn(sessionID, PLAIN_TURN)
      await turn?.done
      const latest = h.engine.latestSeq(sessionID)
      const events = await reader.until((event) => event.durable?.seq === latest)
      events.push(...(await reader.until((event) => event.durable?.seq === latest)))
      const durable = events.filter((event) => event.durable !== undefined).map((event) => event.durable?.seq)
      // Every durable frame twice, every fragment once, all parsed from 3-byte pieces.
      expect(durable).toEqual(h.engine.history(sessionID, -1, 100)?.data.flatMap((row) => [row.durable.seq, row.durable.seq]))
      await reader.cancel()
      await fault(h, { type: 'clear' })

      await fault(h, { type: 'drop-after', frames: 3 })
      const short = readServerFrames(await h.fetch('/api/event'))
      commitRows(h.engine, sessionID, 5, 'many')
      const frames = []
      for (let frame = await short.next(); frame !== undefined; frame = await short.next()) frames.push(frame)
      // server.connected, catalog.updated, one row: then the stream ends.
      expect(frames.filter((frame) => frame.kind === 'event')).toHaveLength(3)
      await fault(h, { type: 'shed', on: true, retryAfterSeconds: 1 })
      const shed = await h.fetch('/api/event')
      expect(shed.status).toBe(503)
      expect(shed.headers.get('retry-after')).toBe('1')
      expect((await h.fetch('/api/event', { method: 'POST' })).status).toBe(405)
    })
  })

  describe('shape switch', () => {
    it('switching ends open session streams; the next one has the new shape; clear goes back', async () => {
      const h = await use({ shape: 'unified' })
      const sessionID = h.engine.createSession()
      commitRows(h.engine, sessionID, 1)
      const unified = readFrames(await h.fetch(streamPath(sessionID)))
      expect((await unified.events(2)).map((event) => event.type)).toEqual(['session.next.prompted', 'session.activity'])
      const server = await openServer(h)
      await fault(h, { type: 'shape', shape: 'split' })
      expect(await unified.next()).toBeUndefined()
      expect(h.engine.faults().shape).toBe('split')

      const split = readFrames(await h.fetch(streamPath(sessionID)))
      expect((await split.events(1)).map((event) => event.type)).toEqual(['session.next.prompted'])
      h.engine.publish(sessionID, 'session.next.text.delta', { assistantMessageID: 'msg_a', textID: 't', delta: 'x' })
      const [seq] = commitRows(h.engine, sessionID, 1, 'next')
      expect((await split.events(1)).map((event) => event.durable?.seq)).toEqual([seq])

      // A waiting split request ends too when the server goes back to unified.
      const waiting = h.fetch(streamPath(sessionID, seq))
      await vi.waitFor(() => expect(h.engine.stats().streams).toBe(2))
      await fault(h, { type: 'clear' })
      expect(h.engine.faults().shape).toBe('unified')
      expect(await split.next()).toBeUndefined()
      const ended = await waiting.then((response) => readFrames(response).rest(), () => 'failed' as const)
      expect(ended === 'failed' || ended.length === 0).toBe(true)
      const back = readFrames(await h.fetch(streamPath(sessionID, seq)))
      expect(await back.events(1)).toEqual([expect.objectContaining({ type: 'session.activity' })])
      await back.cancel()
      // The server-wide stream is served in both shapes and outlives the switches.
      expect(h.engine.stats().serverStreams).toBe(1)
      const rows = await server.reader.until((event) => event.durable?.seq === seq)
      expect(rows.map((event) => event.type)).toEqual(['session.next.text.delta', 'session.next.prompted'])
      await server.reader.cancel()
    })
  })
})

describe('split shape from the CLI', () => {
  const children: ReturnType<typeof spawn>[] = []
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })

  it('--shape split serves session streams without activity', { timeout: 20_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'mock-server/cli.ts', '--port', '0', '--shape', 'split'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    children.push(child)
    let output = ''
    child.stdout?.setEncoding('utf8')
    while (!output.includes('\n')) output += String((await once(child.stdout!, 'data'))[0])
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
    expect(output).toContain('(split shape)')
    expect(await (await fetch(`${url}/__mock/faults`)).json()).toMatchObject({ faults: { shape: 'split' } })
    child.kill('SIGTERM')
    await once(child, 'exit')
  })
})
