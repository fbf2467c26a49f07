import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeEvent, type SessionEvent } from '../../src/protocol/index.js'
import { constantTimeEqual, createMockEngine, type MockEngine, type MockEngineOptions, type Subscription } from '../../mock-server/index.js'
import { createFileLogStore } from '../../mock-server/node.js'
import { createManualScheduler, range, seqs } from './helpers.js'
import { checkTurn, SCRIPTED_TURN } from './turn-checks.js'

const drain = (sub: Subscription, into: SessionEvent[] = []): SessionEvent[] => {
  for (let step = sub.next(); step.kind === 'event'; step = sub.next()) into.push(step.event)
  return into
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

  it('writes turns whose every event decodes and whose ended texts equal their deltas', async () => {
    const scheduler = createManualScheduler()
    const engine = create({ scheduler })
    const sessionID = engine.createSession({ title: 'turn' })
    const sub = engine.subscribe(sessionID, -1)
    const events = drain(sub as Subscription)
    const turn = engine.startTurn(sessionID, { ...SCRIPTED_TURN, intervalMs: 10 })
    while (scheduler.pending > 0) {
      drain(sub as Subscription, events)
      scheduler.advance(10)
    }
    drain(sub as Subscription, events)
    expect(await turn?.done).toBe('completed')
    for (const event of events) expect(decodeEvent(JSON.stringify(event)).kind).toBe('event')
    checkTurn(events, SCRIPTED_TURN)
    // Caught up after every tick, this subscriber sees each part's deltas before its end.
    const types = events.map((event) => event.type)
    expect(types.lastIndexOf('session.text.delta')).toBeLessThan(types.indexOf('session.text.ended'))
    const history = engine.history(sessionID, -1, 1000)?.data ?? []
    expect(history.map((row) => decodeEvent(JSON.stringify(row)).kind)).toEqual(history.map(() => 'event'))
  })

  it('delivers every row to a subscriber deleted mid-replay, then closes it', () => {
    const engine = create({ pageSize: 2 })
    const sessionID = engine.createSession()
    for (let index = 0; index < 9; index++) engine.commit(sessionID, 'session.renamed', { sessionID, title: `${index}` })
    const sub = engine.subscribe(sessionID, -1) as Subscription
    const events = [sub.next(), sub.next(), sub.next()].flatMap((step) => (step.kind === 'event' ? [step.event] : []))
    expect(engine.deleteSession(sessionID)).toBe(true)
    drain(sub, events)
    expect(seqs(events)).toEqual(range(0, 10))
    expect(events[10]).toMatchObject({ type: 'session.activity', data: { cutoff: 9, status: 'idle' } })
    expect(events.at(-1)?.type).toBe('session.deleted')
    expect(sub.closedBy).toBe('deleted')
    expect(engine.subscribe(sessionID, -1)).toBeUndefined()
    expect(engine.history(sessionID, -1, 10)).toBeUndefined()
    expect(engine.stats()).toMatchObject({ subscribers: 0, sessions: 0 })
  })

  it('fails only the subscriber that overflows and counts the live events it lost', () => {
    const engine = create({ queueLimit: 3 })
    const sessionID = engine.createSession()
    const healthy = engine.subscribe(sessionID, -1) as Subscription
    const slow = engine.subscribe(sessionID, -1) as Subscription
    const seen = drain(healthy)
    for (let index = 0; index < 5; index++) {
      engine.publish(sessionID, 'session.tool.progress', { sessionID, id: 'call', metadata: index })
      drain(healthy, seen)
    }
    expect(slow.closedBy).toBe('overflow')
    expect(healthy.closedBy).toBeUndefined()
    expect(seen.filter((event) => event.type === 'session.tool.progress')).toHaveLength(5)
    expect(engine.stats()).toMatchObject({ overflows: 1, droppedLive: 4, subscribers: 1 })
    // Durable rows are never lost: a reconnect re-reads them from the log.
    engine.commit(sessionID, 'session.renamed', { sessionID, title: 'later' })
    expect(seqs(drain(engine.subscribe(sessionID, -1) as Subscription))).toEqual([0, 1])
  })

  it('restart cancels turns without writing, resets activity and keeps the log', async () => {
    const scheduler = createManualScheduler()
    const engine = create({ scheduler })
    const sessionID = engine.createSession()
    const turn = engine.startTurn(sessionID, SCRIPTED_TURN)
    const latest = engine.latestSeq(sessionID)
    const sub = engine.subscribe(sessionID, -1) as Subscription
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
    const reader = engine.openStream(sessionID, -1)?.body.getReader()
    const readText = async (): Promise<string> => new TextDecoder().decode((await reader?.read())?.value)
    expect(await readText()).toMatch(/^data: \{.*"seq":0/)
    expect(await readText()).toMatch(/^data: \{.*"session.activity"/)
    scheduler.advance(1000)
    expect(await readText()).toBe(': heartbeat\n\n')
    engine.applyFault({ type: 'split', bytes: 1 })
    engine.commit(sessionID, 'session.renamed', { sessionID, title: 'tiny' })
    const decoder = new TextDecoder()
    const first = (await reader?.read())?.value
    expect(first?.byteLength).toBe(1)
    engine.applyFault({ type: 'split' })
    engine.commit(sessionID, 'session.renamed', { sessionID, title: 'small' })
    let text = decoder.decode(first)
    while (!text.endsWith('"small"}}\n\n')) {
      const chunk = (await reader?.read())?.value ?? new Uint8Array()
      expect(chunk.byteLength).toBeGreaterThan(0)
      expect(chunk.byteLength).toBeLessThanOrEqual(7)
      text += decoder.decode(chunk)
    }
    const titles = text.split('\n\n').filter(Boolean).map((frame) => decodeEvent(frame.slice('data: '.length)))
    expect(titles.map((decoded) => decoded.kind === 'event' && decoded.event.type === 'session.renamed' && decoded.event.data.title)).toEqual(['tiny', 'small'])
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

  it('keeps the valid prefix of a torn file and appends after it', () => {
    dir = mkdtempSync(join(tmpdir(), 'session-stream-log-'))
    const engine = createMockEngine({ logStore: createFileLogStore(dir) })
    const sessionID = engine.createSession()
    engine.commit(sessionID, 'session.renamed', { sessionID, title: 'kept' })
    const file = join(dir, `${sessionID}.jsonl`)
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"id":"evt_torn","crea`)
    const store = createFileLogStore(dir)
    expect(store.latest(sessionID)).toBe(1)
    const reopened = createMockEngine({ logStore: store })
    expect(reopened.commit(sessionID, 'session.renamed', { sessionID, title: 'next' }).durable.seq).toBe(2)
    expect(seqs(createFileLogStore(dir).load(sessionID, -1, 10))).toEqual([0, 1, 2])
  })
})
