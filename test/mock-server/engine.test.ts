import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeEvent, type SessionEvent } from '../../src/protocol/index.js'
import {
  buildTurnScript,
  constantTimeEqual,
  createMockEngine,
  isPrivateRow,
  type MockEngine,
  type MockEngineOptions,
  type Subscription,
  type TurnInput,
} from '../../mock-server/index.js'
import { createFileLogStore } from '../../mock-server/node.js'
import { commitRows, createManualScheduler, range, seqs } from './helpers.js'
import { checkTurn, PLAIN_TURN, SCRIPTED_TURN } from './turn-checks.js'

const drain = (sub: Subscription, into: SessionEvent[] = []): SessionEvent[] => {
  for (let step = sub.next(); step.kind === 'event'; step = sub.next()) into.push(step.event)
  return into
}

const subscribe = (engine: MockEngine, sessionID: string, after = -1): Subscription => {
  const sub = engine.subscribe(sessionID, after)
  if (sub === undefined) throw new Error(`no session ${sessionID}`)
  return sub
}

describe('engine', () => {
  const engines: MockEngine[] = []
  afterEach(() => {
    for (const engine of engines.splice(0)) engine.close()
  })
  const create = (options: MockEngineOptions = {}): MockEngine => {
    const engine = createMockEngine(options)
    engines.push(engine)
    return engine
  }

  /** Runs a turn on a manual scheduler with a subscriber that keeps up; returns what it saw after the snapshot. */
  const observeTurn = async (engine: MockEngine, scheduler: ReturnType<typeof createManualScheduler>, input: TurnInput) => {
    const sessionID = engine.createSession({ title: 'turn' })
    const sub = subscribe(engine, sessionID)
    drain(sub)
    const turn = engine.startTurn(sessionID, { ...input, intervalMs: 10 })
    const events: SessionEvent[] = []
    while (scheduler.pending > 0) {
      drain(sub, events)
      scheduler.advance(10)
    }
    drain(sub, events)
    expect(await turn?.done).toBe('completed')
    return { sessionID, turn, events }
  }

  it('writes tool turns as two steps whose every event decodes and whose ended texts equal their deltas', async () => {
    const scheduler = createManualScheduler()
    const engine = create({ scheduler })
    const { sessionID, turn, events } = await observeTurn(engine, scheduler, SCRIPTED_TURN)
    for (const event of events) expect(decodeEvent(JSON.stringify(event), sessionID).kind).toBe('event')
    const ids = checkTurn(events, SCRIPTED_TURN)
    expect(turn).toMatchObject({ ...ids, assistantMessageID: ids.assistantMessageIDs[1] })
    // Caught up after every tick, this subscriber sees each part's deltas before its end.
    const types = events.map((event) => event.type)
    expect(types.lastIndexOf('session.next.text.delta')).toBeLessThan(types.indexOf('session.next.text.ended'))
    expect(types.lastIndexOf('session.next.tool.input.delta')).toBeLessThan(types.lastIndexOf('session.next.tool.input.ended'))
    const history = engine.history(sessionID, -1, 100)?.data ?? []
    expect(history.map((row) => decodeEvent(JSON.stringify(row), sessionID).kind)).toEqual(history.map(() => 'event'))
    expect(history).toEqual(events.filter((event) => event.durable !== undefined))
  })

  it('writes a turn without tools as one step, its envelope as opencode sends it', async () => {
    let clock = 1_000
    const scheduler = createManualScheduler()
    const engine = create({ scheduler, now: () => ++clock })
    const { sessionID, turn, events } = await observeTurn(engine, scheduler, PLAIN_TURN)
    const ids = checkTurn(events, PLAIN_TURN)
    expect(turn?.assistantMessageIDs).toEqual(ids.assistantMessageIDs)
    const ended = events.find((event) => event.type === 'session.next.step.ended')
    expect(Object.keys(ended ?? {})).toEqual(['id', 'type', 'durable', 'data'])
    expect(ended).toMatchObject({ id: expect.stringMatching(/^evt_/), durable: { aggregateID: sessionID, version: 2 } })
    expect(Object.keys(ended?.data ?? {}).slice(0, 2)).toEqual(['timestamp', 'sessionID'])
    const delta = events.find((event) => event.type === 'session.next.text.delta')
    expect(Object.keys(delta ?? {})).toEqual(['id', 'type', 'data'])
    // Timestamps are taken when each row is written, not when the script was built.
    const stamps = events.filter((event) => event.durable !== undefined).map((event) => event.data.timestamp)
    expect(stamps).toEqual(stamps.toSorted((a, b) => a - b))
    expect(new Set(stamps).size).toBe(stamps.length)
  })

  it('builds the same script shape for a recording sink, without an engine', () => {
    let next = 0
    const script = buildTurnScript(SCRIPTED_TURN, { next: (prefix) => `${prefix}_${++next}` })
    const written: string[] = []
    for (const step of script.steps) {
      step.run({
        commit: (type) => void written.push(type),
        publish: (type) => void written.push(type),
        beginRun: () => void written.push('begin'),
        endRun: () => void written.push('end'),
      })
    }
    expect(written.slice(0, 4)).toEqual(['session.next.prompt.admitted', 'session.next.prompted', 'begin', 'session.next.step.started'])
    expect(written.at(-1)).toBe('end')
    expect(written.filter((type) => type === 'session.next.step.started')).toHaveLength(2)
    expect(script.assistantMessageID).toBe(script.assistantMessageIDs[1])
  })

  it('starts public seqs at 1: a new session holds only its private seq 0, and still exists', () => {
    const engine = create()
    const sessionID = engine.createSession()
    expect({ exists: engine.exists(sessionID), latest: engine.latestSeq(sessionID) }).toEqual({ exists: true, latest: 0 })
    expect(engine.history(sessionID, -1, 10)).toEqual({ data: [], hasMore: false })
    const sub = subscribe(engine, sessionID)
    expect(sub.cutoff).toBe(0)
    expect(drain(sub)).toEqual([expect.objectContaining({ type: 'session.activity', data: expect.objectContaining({ cutoff: 0 }) })])
    expect(commitRows(engine, sessionID, 2)).toEqual([1, 2])
    expect(seqs(drain(sub))).toEqual([1, 2])
    expect(engine.exists('ses_nope')).toBe(false)
  })

  it('with private rows on, skips public seqs; replay, history and live never send a private row', () => {
    const engine = create({ privateRows: true, pageSize: 2 })
    const sessionID = engine.createSession()
    const live = subscribe(engine, sessionID)
    drain(live)
    expect(commitRows(engine, sessionID, 4)).toEqual([2, 4, 6, 8])
    expect(seqs(drain(live))).toEqual([2, 4, 6, 8])
    expect(engine.latestSeq(sessionID)).toBe(8)
    const replay = subscribe(engine, sessionID, 3)
    expect(replay.cutoff).toBe(8)
    const events = drain(replay)
    expect(seqs(events)).toEqual([4, 6, 8])
    expect(events.at(-1)).toMatchObject({ type: 'session.activity', data: { cutoff: 8 } })
    expect(seqs(engine.history(sessionID, -1, 3)?.data ?? [])).toEqual([2, 4, 6])
    expect(engine.history(sessionID, 6, 3)).toMatchObject({ hasMore: false })
    // `clear` goes back to the engine's option, which here is on.
    engine.applyFault({ type: 'private-rows', on: false })
    expect(commitRows(engine, sessionID, 1)).toEqual([9])
    engine.applyFault({ type: 'clear' })
    expect(engine.faults().privateRows).toBe(true)
    expect(commitRows(engine, sessionID, 1)).toEqual([11])
  })

  it('interrupt cancels the turn without a write and ends its run', async () => {
    const scheduler = createManualScheduler()
    const engine = create({ scheduler })
    const sessionID = engine.createSession()
    const turn = engine.startTurn(sessionID, SCRIPTED_TURN)
    const latest = engine.latestSeq(sessionID)
    expect(engine.activity(sessionID)).toBe('running')
    expect(engine.interrupt(sessionID)).toBe(true)
    scheduler.advance(60_000)
    expect(await turn?.done).toBe('cancelled')
    expect({ latest: engine.latestSeq(sessionID), activity: engine.activity(sessionID) }).toEqual({ latest, activity: 'idle' })
    expect(engine.interrupt('ses_nope')).toBe(false)
  })

  it('delivers every row to a subscriber deleted mid-replay, then closes it', () => {
    const engine = create({ pageSize: 2 })
    const sessionID = engine.createSession()
    commitRows(engine, sessionID, 9)
    const sub = subscribe(engine, sessionID)
    const events = [sub.next(), sub.next(), sub.next()].flatMap((step) => (step.kind === 'event' ? [step.event] : []))
    expect(engine.deleteSession(sessionID)).toBe(true)
    drain(sub, events)
    expect(seqs(events)).toEqual(range(1, 9))
    expect(events).toHaveLength(10)
    expect(events.at(-1)).toMatchObject({ type: 'session.activity', data: { cutoff: 9, status: 'idle' } })
    expect(sub.closedBy).toBe('deleted')
    expect(engine.subscribe(sessionID, -1)).toBeUndefined()
    expect(engine.history(sessionID, -1, 10)).toBeUndefined()
    expect(engine.exists(sessionID)).toBe(false)
    expect(engine.stats()).toMatchObject({ subscribers: 0, sessions: 0 })
  })

  it('fails only the subscriber that overflows and counts the live events it lost', () => {
    const engine = create({ queueLimit: 3 })
    const sessionID = engine.createSession()
    const healthy = subscribe(engine, sessionID)
    const slow = subscribe(engine, sessionID)
    const seen = drain(healthy)
    for (let index = 0; index < 5; index++) {
      engine.publish(sessionID, 'session.next.text.delta', { assistantMessageID: 'msg_a', textID: 'text-0', delta: `${index}` })
      drain(healthy, seen)
    }
    expect(slow.closedBy).toBe('overflow')
    expect(healthy.closedBy).toBeUndefined()
    expect(seen.filter((event) => event.type === 'session.next.text.delta')).toHaveLength(5)
    expect(engine.stats()).toMatchObject({ overflows: 1, droppedLive: 4, subscribers: 1 })
    // Durable rows are never lost: a reconnect re-reads them from the log.
    commitRows(engine, sessionID, 1)
    expect(seqs(drain(subscribe(engine, sessionID)))).toEqual([1])
  })

  it('restart cancels turns without writing, resets activity and keeps the log', async () => {
    const scheduler = createManualScheduler()
    const engine = create({ scheduler })
    const sessionID = engine.createSession()
    const turn = engine.startTurn(sessionID, SCRIPTED_TURN)
    const latest = engine.latestSeq(sessionID)
    const sub = subscribe(engine, sessionID)
    expect(engine.activity(sessionID)).toBe('running')
    engine.restart()
    scheduler.advance(60_000)
    expect(await turn?.done).toBe('cancelled')
    expect(sub.closedBy).toBe('restart')
    expect(engine.latestSeq(sessionID)).toBe(latest)
    expect(engine.activity(sessionID)).toBe('idle')
    expect(engine.stats()).toMatchObject({ runningTurns: 0, subscribers: 0, restarts: 1 })
  })

  it('writes a heartbeat comment each heartbeatMs, and split frames as tiny separate chunks', async () => {
    const scheduler = createManualScheduler()
    const engine = create({ scheduler, heartbeatMs: 1000 })
    const sessionID = engine.createSession()
    commitRows(engine, sessionID, 1)
    const reader = engine.openStream(sessionID, -1)?.body.getReader()
    const readText = async (): Promise<string> => new TextDecoder().decode((await reader?.read())?.value)
    expect(await readText()).toMatch(/^data: \{.*"seq":1,/)
    expect(await readText()).toMatch(/^data: \{.*"session.activity"/)
    scheduler.advance(1000)
    expect(await readText()).toBe(': heartbeat\n\n')
    engine.applyFault({ type: 'split', bytes: 1 })
    commitRows(engine, sessionID, 1, 'tiny')
    const decoder = new TextDecoder()
    const first = (await reader?.read())?.value
    expect(first?.byteLength).toBe(1)
    engine.applyFault({ type: 'split' })
    commitRows(engine, sessionID, 1, 'small')
    let text = decoder.decode(first)
    while (!text.endsWith('"delivery":"steer"}}\n\n') || !text.includes('small 0')) {
      const chunk = (await reader?.read())?.value ?? new Uint8Array()
      expect(chunk.byteLength).toBeGreaterThan(0)
      expect(chunk.byteLength).toBeLessThanOrEqual(7)
      text += decoder.decode(chunk)
    }
    const prompts = text.split('\n\n').filter(Boolean).map((frame) => decodeEvent(frame.slice('data: '.length)))
    expect(prompts.map((decoded) => decoded.kind === 'event' && decoded.event.type === 'session.next.prompted' && decoded.event.data.prompt.text)).toEqual([
      'tiny 0',
      'small 0',
    ])
    await reader?.cancel()
    expect(engine.stats().streams).toBe(0)
  })

  it('compares tokens in constant time without node:crypto', () => {
    expect(constantTimeEqual('secret', 'secret')).toBe(true)
    expect(constantTimeEqual('secret', 'secreT')).toBe(false)
    expect(constantTimeEqual('secret', 'secret!')).toBe(false)
    expect(constantTimeEqual('', '')).toBe(true)
  })
})

describe('file log store', () => {
  let dir = ''
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps private rows and the valid prefix of a torn file, and appends after it', () => {
    dir = mkdtempSync(join(tmpdir(), 'session-stream-log-'))
    const engine = createMockEngine({ logStore: createFileLogStore(dir), privateRows: true })
    const sessionID = engine.createSession()
    expect(commitRows(engine, sessionID, 1, 'kept')).toEqual([2])
    const file = join(dir, `${sessionID}.jsonl`)
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"id":"evt_torn","ty`)
    const store = createFileLogStore(dir)
    expect(store.latest(sessionID)).toBe(2)
    expect(store.load(sessionID, -1, 10).map(isPrivateRow)).toEqual([true, true, false])
    const reopened = createMockEngine({ logStore: store })
    expect(commitRows(reopened, sessionID, 1, 'next')).toEqual([3])
    expect(seqs(reopened.history(sessionID, -1, 10)?.data ?? [])).toEqual([2, 3])
    expect(createFileLogStore(dir).load(sessionID, -1, 10).map((row) => row.durable.seq)).toEqual([0, 1, 2, 3])
  })
})
