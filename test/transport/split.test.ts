import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSessionClient } from '../../src/client/client.js'
import type { LiveEvent, SessionEvent } from '../../src/protocol/events.js'
import { hubFor, openConnection, type ConnectionOptions } from '../../src/transport/connection.js'
import { DEFAULT_BACKOFF } from '../../src/transport/backoff.js'
import { createTestEnvironment } from '../support/environment.js'
import { activity, durable, live, row, SESSION, textDelta } from '../support/events.js'
import { createFakeServer, hang } from '../support/fake-server.js'
import { createManualScheduler } from '../support/scheduler.js'
import { settle } from './harness.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/**
 * A split server: the session stream, the server-wide stream and the activity route, each
 * scripted on its own, so a test can make one run ahead of the other.
 */
function splitServer() {
  const session = createFakeServer()
  const global = createFakeServer()
  const running = new Set<string>()
  let activeRequests = 0
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input)).pathname
    if (path === '/api/event') return global.fetch(input, init)
    if (path === '/api/session/active') {
      activeRequests++
      return new Response(JSON.stringify({ data: Object.fromEntries([...running].map((id) => [id, { type: 'running' }])) }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      })
    }
    return session.fetch(input, init)
  }) as typeof globalThis.fetch
  return {
    session,
    global,
    running,
    fetch,
    get activeRequests() {
      return activeRequests
    },
  }
}

/** One hub for several connections, as a client holds it. */
function sharedHub(server: ReturnType<typeof splitServer>) {
  const env = createTestEnvironment()
  return { env, hub: hubFor({ baseUrl: 'http://server.test', fetch: server.fetch, environment: env.environment }) }
}

function connect(server: ReturnType<typeof splitServer>, options: Partial<ConnectionOptions> = {}) {
  const env = createTestEnvironment()
  const events: SessionEvent[] = []
  const fragments: LiveEvent[] = []
  const connection = openConnection(
    { baseUrl: 'http://server.test', sessionID: SESSION, fetch: server.fetch, environment: env.environment, ...options },
    { event: (event) => void events.push(event), fragment: (event) => void fragments.push(event) },
  )
  const activities = () => events.flatMap((event) => (event.type === 'session.activity' ? [event.data.status] : []))
  return { env, events, fragments, connection, activities, status: () => connection.status() }
}

/** A split session that runs, followed with long liveness deadlines (so no reconnect asks in between), its first answer in. */
async function runningSplit() {
  const server = splitServer()
  server.running.add(SESSION)
  const c = connect(server, { shape: 'split', idleTimeoutMs: 3_600_000 })
  await settle()
  expect(c.activities()).toEqual(['running'])
  return { server, c }
}

const step = (seq: number, id = 'msg_a') =>
  durable('session.next.step.started', seq, { assistantMessageID: id, agent: 'build', model: { id: 'm', providerID: 'p' } })
const textStarted = (seq: number, id = 'msg_a') => durable('session.next.text.started', seq, { assistantMessageID: id, textID: 'text-0' })
const stepEnded = (seq: number, id = 'msg_a') =>
  durable('session.next.step.ended', seq, {
    assistantMessageID: id,
    finish: 'stop',
    cost: 0,
    tokens: { input: 1, output: 1, reasoning: 0, cache: { read: 0, write: 0 } },
  })

describe('telling the server shape apart (auto)', () => {
  it('a session stream that sends its snapshot is unified: no server-wide stream, no activity requests', async () => {
    const server = splitServer()
    const c = connect(server)
    await settle()
    server.session.last.send(row(1), activity('idle', 1))
    await vi.advanceTimersByTimeAsync(5000)
    expect(c.status().shape).toBe('unified')
    expect(server.global.requests).toHaveLength(0)
    expect(server.activeRequests).toBe(0)
    c.connection.close()
  })

  it('no snapshot within shapeTimeoutMs means split: one server-wide stream, and activity asked for and applied as the snapshot', async () => {
    const server = splitServer()
    server.running.add(SESSION)
    const c = connect(server)
    await settle()
    server.session.last.send(row(1))
    await vi.advanceTimersByTimeAsync(1499)
    expect(c.status().shape).toBeUndefined()
    expect(server.global.requests).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(10)
    await settle()
    expect(c.status()).toMatchObject({ shape: 'split', synced: true })
    expect(server.global.requests.map((r) => r.url.pathname)).toEqual(['/api/event'])
    expect(c.activities()).toEqual(['running'])
    c.connection.close()
  })

  it('rows of a long replay (back to back) postpone the verdict: silence is counted from the last row', async () => {
    const server = splitServer()
    const c = connect(server)
    await settle()
    for (let seq = 1; seq <= 60; seq++) {
      server.session.last.send(row(seq))
      await vi.advanceTimersByTimeAsync(50)
    }
    expect(c.status().shape).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1500)
    expect(c.status().shape).toBe('split')
    c.connection.close()
  })

  it('rows of a live turn (spaced out) do not put the verdict off until the turn ends', async () => {
    const server = splitServer()
    const c = connect(server)
    await settle()
    for (let seq = 1; seq <= 4; seq++) {
      server.session.last.send(row(seq))
      await vi.advanceTimersByTimeAsync(500)
    }
    expect(c.status().shape).toBe('split')
    c.connection.close()
  })

  it('a split server’s quiet session stream (no headers, no heartbeats) is never timed out', async () => {
    const server = splitServer()
    server.session.respond(hang())
    const c = connect(server, { connectTimeoutMs: 3000, idleTimeoutMs: 6000 })
    await vi.advanceTimersByTimeAsync(2000)
    // The server-wide stream's heartbeats vouch for the server meanwhile.
    for (let second = 0; second < 60; second += 3) {
      server.global.last.comment()
      await vi.advanceTimersByTimeAsync(3000)
    }
    expect(c.status()).toMatchObject({ shape: 'split', state: 'open', synced: true, lastError: null })
    expect(server.session.requests).toHaveLength(1)
    c.connection.close()
  })

  it('a snapshot on the session stream later (an upgraded server) switches to unified and releases the server-wide stream', async () => {
    const server = splitServer()
    const c = connect(server)
    await vi.advanceTimersByTimeAsync(2000)
    expect(c.status().shape).toBe('split')
    expect(server.global.streams[0]?.aborted).toBe(false)
    server.session.last.send(row(1), activity('running', 1))
    await settle()
    expect(c.status().shape).toBe('unified')
    expect(server.global.streams[0]?.aborted).toBe(true)
    c.connection.close()
  })

  it('each attempt decides again: a unified server replaced by a split one is followed', async () => {
    const server = splitServer()
    const c = connect(server)
    await settle()
    server.session.last.send(row(1), activity('idle', 1))
    await settle()
    expect(c.status().shape).toBe('unified')
    // The server is replaced: the next attempt's session stream sends no snapshot.
    server.session.last.end()
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.session.requests).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1500)
    expect(c.status().shape).toBe('split')
    expect(server.global.requests).toHaveLength(1)
    c.connection.close()
  })

  it('the client remembers the last verdict: its next session starts as split, without waiting', async () => {
    const server = splitServer()
    const { env, hub } = sharedHub(server)
    const open = (sessionID: string) =>
      openConnection({ baseUrl: 'http://server.test', sessionID, fetch: server.fetch, environment: env.environment, hub }, { event: () => {} })
    const first = open('ses_a')
    await vi.advanceTimersByTimeAsync(2000)
    expect(first.status().shape).toBe('split')
    const next = open('ses_b')
    await settle()
    expect(next.status().shape).toBe('split')
    expect(server.global.requests).toHaveLength(1)
    first.close()
    next.close()
    hub.close()
  })
})

describe('a remembered verdict that is wrong now', () => {
  it('a connection that starts split still reads its stream’s first snapshot as one: a history reset is not missed', async () => {
    const server = splitServer()
    const { env, hub } = sharedHub(server)
    // As a reload's cache or another session would have it; the server has since become unified.
    hub.shape = 'split'
    const events: SessionEvent[] = []
    let resets = 0
    const connection = openConnection(
      { baseUrl: 'http://server.test', sessionID: SESSION, fetch: server.fetch, environment: env.environment, hub, after: 5 },
      { event: (event) => void events.push(event), reset: () => void resets++ },
    )
    await vi.advanceTimersByTimeAsync(10)
    // The activity answer came first and vouches for the attempt...
    expect(events.map((event) => event.type)).toEqual(['session.activity'])
    expect(connection.status().synced).toBe(true)
    // ...but the stream's own snapshot says its history ends at 2, behind the cursor 5.
    server.session.last.send(activity('idle', 2))
    await vi.advanceTimersByTimeAsync(10)
    expect(resets).toBe(1)
    expect(new URL(server.session.requests.at(-1)!.url).searchParams.has('after')).toBe(false)
    connection.close()
    hub.close()
  })
})

describe('following a split server', () => {
  it('takes this session’s fragments from the server-wide stream, ignores other sessions’ and other types, and never delivers one twice', async () => {
    const server = splitServer()
    const c = connect(server, { shape: 'split' })
    await settle()
    const mine = textDelta('hi')
    server.global.last.send(
      { id: 'evt_c', type: 'server.connected', data: {} },
      mine,
      live('session.next.text.delta', { assistantMessageID: 'm', textID: 't', delta: 'theirs' }, 'ses_other'),
      row(1),
      mine,
    )
    await settle()
    expect(c.fragments).toEqual([mine])
    expect(c.events.filter((event) => event.type !== 'session.activity')).toEqual([])
    c.connection.close()
  })

  it('asks for activity again after a step ends, and after the server-wide stream reconnects (restarting the session stream)', async () => {
    const server = splitServer()
    server.running.add(SESSION)
    const c = connect(server, { shape: 'split', backoff: { ...DEFAULT_BACKOFF, initialDelay: 100 } })
    await settle()
    expect(c.activities()).toEqual(['running'])
    server.running.delete(SESSION)
    server.session.last.send(step(1), stepEnded(2))
    await vi.advanceTimersByTimeAsync(300)
    expect(c.activities()).toEqual(['running', 'idle'])
    // The server restarts: both streams drop; the server-wide one comes back.
    server.global.last.fail()
    await vi.advanceTimersByTimeAsync(200)
    expect(server.global.requests).toHaveLength(2)
    expect(server.session.streams[0]?.aborted).toBe(true)
    expect(server.session.requests.length).toBeGreaterThanOrEqual(2)
    expect(server.session.afterOf(server.session.requests.length - 1)).toBe('2')
    expect(c.activities().length).toBeGreaterThanOrEqual(3)
    c.connection.close()
  })

  it('a session.deleted on the server-wide stream (the only word a split server gives) stops the session as closed, not found', async () => {
    const server = splitServer()
    const c = connect(server, { shape: 'split' })
    await settle()
    server.global.last.send(
      { id: 'evt_d0', type: 'session.deleted', durable: { aggregateID: 'ses_other', seq: 1, version: 1 }, data: { sessionID: 'ses_other', info: {} } },
    )
    await settle()
    expect(c.status().state).not.toBe('closed')
    server.global.last.send(
      { id: 'evt_d1', type: 'session.deleted', durable: { aggregateID: SESSION, seq: 1, version: 1 }, data: { sessionID: SESSION, info: {} } },
    )
    await settle()
    expect(c.status()).toMatchObject({ state: 'closed', lastError: expect.objectContaining({ code: 'session-not-found' }) })
    expect(server.session.streams.every((stream) => stream.aborted)).toBe(true)
  })

  it('a quiet split session stream that waits for its next row reads as open once activity vouches for it', async () => {
    const server = splitServer()
    server.session.respond(hang())
    const c = connect(server, { shape: 'split' })
    await vi.advanceTimersByTimeAsync(100)
    expect(c.status()).toMatchObject({ synced: true, state: 'open' })
    c.connection.close()
  })

  it('connections on one hub share one server-wide stream; the last to leave closes it', async () => {
    const server = splitServer()
    const { env, hub } = sharedHub(server)
    const open = (sessionID: string) =>
      openConnection({ baseUrl: 'http://server.test', sessionID, fetch: server.fetch, environment: env.environment, shape: 'split', hub }, { event: () => {} })
    const a = open('ses_a')
    const b = open('ses_b')
    const c = open('ses_c')
    await settle()
    expect(server.global.requests).toHaveLength(1)
    expect(server.activeRequests).toBeLessThanOrEqual(3)
    a.close()
    b.close()
    await settle()
    expect(server.global.streams[0]?.aborted).toBe(false)
    c.close()
    await settle()
    expect(server.global.streams[0]?.aborted).toBe(true)
    hub.close()
  })

  it('a fragment both streams carry during a switch-over is delivered once', async () => {
    const server = splitServer()
    const c = connect(server)
    await vi.advanceTimersByTimeAsync(2000)
    expect(c.status().shape).toBe('split')
    const mine = textDelta('once')
    server.global.last.send(mine)
    await settle()
    // An upgraded server: its session stream now sends the snapshot and the same fragment again.
    server.session.last.send(activity('running', 0), mine)
    await settle()
    expect(c.status().shape).toBe('unified')
    const delivered = [...c.fragments, ...c.events].filter((event) => event.id === mine.id)
    expect(delivered).toHaveLength(1)
    c.connection.close()
  })

  it('delivers an activity answer only when it says something new on this attempt (a repeated running would mark streaming parts incomplete)', async () => {
    const { server, c } = await runningSplit()
    // A tool turn's first step ends while the run goes on: asked again, still running.
    const asked = server.activeRequests
    server.session.last.send(step(1), stepEnded(2))
    await vi.advanceTimersByTimeAsync(300)
    expect(server.activeRequests).toBe(asked + 1)
    expect(c.activities()).toEqual(['running'])
    server.running.delete(SESSION)
    server.session.last.send(step(3, 'msg_b'), stepEnded(4, 'msg_b'))
    await vi.advanceTimersByTimeAsync(300)
    expect(c.activities()).toEqual(['running', 'idle'])
    c.connection.close()
  })

  it('asks for activity every 20 s while running, and stops asking once idle', async () => {
    const { server, c } = await runningSplit()
    const asked = server.activeRequests
    await vi.advanceTimersByTimeAsync(19_000)
    expect(server.activeRequests).toBe(asked)
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.activeRequests).toBe(asked + 1)
    // The run died without an end row: the next answer settles it.
    server.running.delete(SESSION)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(c.activities().at(-1)).toBe('idle')
    const settled = server.activeRequests
    await vi.advanceTimersByTimeAsync(120_000)
    expect(server.activeRequests).toBe(settled)
    c.connection.close()
  })

  it('asks for activity again after the client’s own prompt and interrupt', async () => {
    const server = splitServer()
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) =>
      init?.method === 'POST'
        ? new Response(JSON.stringify({ data: { id: 'msg_u', admittedSeq: 1 } }), { status: 200, headers: { 'content-type': 'application/json' } })
        : server.fetch(input, init)) as typeof globalThis.fetch
    const frames = createManualScheduler()
    const client = createSessionClient({
      baseUrl: 'http://server.test',
      fetch,
      environment: createTestEnvironment().environment,
      scheduler: frames.scheduler,
      shape: 'split',
      idleTimeoutMs: 3_600_000,
    })
    const session = client.session(SESSION)
    session.$view.listen(() => {})
    await settle()
    frames.frame()
    expect(session.$view.get().activity).toBe('idle')
    server.running.add(SESSION)
    await client.sessions.prompt(SESSION, 'hi')
    await settle()
    frames.frame()
    expect(session.$view.get().activity).toBe('running')
    server.running.delete(SESSION)
    await client.sessions.interrupt(SESSION)
    await settle()
    frames.frame()
    expect(session.$view.get().activity).toBe('idle')
    client.close()
  })

  it('asks for activity again when the session stream reconnects', async () => {
    const server = splitServer()
    const c = connect(server, { shape: 'split', idleTimeoutMs: 3_600_000 })
    await settle()
    expect(c.activities()).toEqual(['idle'])
    server.running.add(SESSION)
    server.session.last.fail()
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.session.requests).toHaveLength(2)
    expect(server.global.requests).toHaveLength(1)
    expect(c.activities()).toEqual(['idle', 'running'])
    c.connection.close()
  })

  it('an activity request that never answers is abandoned after connectTimeoutMs, and asked again', async () => {
    const server = splitServer()
    const hung: AbortSignal[] = []
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (new URL(String(input)).pathname === '/api/session/active' && hung.length === 0) {
        const signal = init?.signal ?? new AbortController().signal
        hung.push(signal)
        return new Promise<Response>((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))
      }
      return server.fetch(input, init)
    }) as typeof globalThis.fetch
    const c = connect(server, { shape: 'split', fetch, connectTimeoutMs: 3000, idleTimeoutMs: 3_600_000 })
    await vi.advanceTimersByTimeAsync(2999)
    expect(hung).toHaveLength(1)
    expect(hung[0]?.aborted).toBe(false)
    expect(c.activities()).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(hung[0]?.aborted).toBe(true)
    await vi.advanceTimersByTimeAsync(5000)
    expect(c.activities()).toEqual(['idle'])
    c.connection.close()
  })
})

describe('fragments that overtake their start row (store)', () => {
  function follow() {
    const server = splitServer()
    const frames = createManualScheduler()
    const client = createSessionClient({
      baseUrl: 'http://server.test',
      fetch: server.fetch,
      environment: createTestEnvironment().environment,
      scheduler: frames.scheduler,
      shape: 'split',
    })
    const session = client.session(SESSION)
    session.$view.listen(() => {})
    const text = () => {
      const message = session.$view.get().messages.find((m) => m.id === 'msg_a')
      const part = message?.role === 'assistant' ? message.parts.find((p) => p.key === 'text:text-0') : undefined
      return part?.type === 'text' ? part.text : undefined
    }
    return { server, frames, client, session, text }
  }

  it('wait for the row and land right after it, in order', async () => {
    const f = follow()
    await settle()
    f.server.global.last.send(textDelta('Hel', 'msg_a'), textDelta('lo', 'msg_a'))
    await settle()
    f.frames.frame()
    expect(f.text()).toBeUndefined()
    f.server.session.last.send(step(1), textStarted(2))
    f.server.global.last.send(textDelta(' world', 'msg_a'))
    await settle()
    f.frames.frame()
    expect(f.text()).toBe('Hello world')
    expect(f.session.$connection.get().counters.orphans).toBe(0)
    f.client.close()
  })

  it('are dropped when the part’s end row comes first: the end’s full value wins', async () => {
    const f = follow()
    await settle()
    f.server.global.last.send(textDelta('stale', 'msg_a'))
    await settle()
    f.server.session.last.send(
      step(1),
      durable('session.next.text.ended', 2, { assistantMessageID: 'msg_a', textID: 'text-0', text: 'The whole answer' }),
    )
    await settle()
    f.frames.frame()
    expect(f.text()).toBe('The whole answer')
    f.client.close()
  })

  it('that wait longer than 10 s are dropped and counted as orphans', async () => {
    const f = follow()
    await settle()
    f.server.global.last.send(textDelta('lost', 'msg_never'))
    await settle()
    await vi.advanceTimersByTimeAsync(10_001)
    f.server.session.last.send(row(1))
    await settle()
    f.frames.frame()
    expect(f.session.$connection.get().counters.orphans).toBe(1)
    f.client.close()
  })

  it('wait 1,000 at most: one more is counted as an orphan', async () => {
    const f = follow()
    await settle()
    f.server.global.last.send(...Array.from({ length: 1001 }, () => textDelta('x', 'msg_a')))
    await settle()
    f.frames.frame()
    expect(f.session.$connection.get().counters.orphans).toBe(1)
    f.server.session.last.send(step(1), textStarted(2))
    await settle()
    f.frames.frame()
    expect(f.text()).toBe('x'.repeat(1000))
    expect(f.session.$connection.get().counters.orphans).toBe(1)
    f.client.close()
  })
})
