import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSessionClient } from '../../src/client/client.js'
import type { SessionView } from '../../src/view/types.js'
import { createTestEnvironment } from '../support/environment.js'
import { activity, durable, row, rows, textDelta, SESSION } from '../support/events.js'
import { createFakeServer, status } from '../support/fake-server.js'
import { createManualScheduler } from '../support/scheduler.js'
import { settle } from '../transport/harness.js'

/** nanostores keeps a store mounted this long after its last listener leaves. */
const UNMOUNT_DELAY = 1000

function setup() {
  const server = createFakeServer()
  const env = createTestEnvironment()
  const frames = createManualScheduler()
  const unknown: string[] = []
  const seen: string[] = []
  const client = createSessionClient({
    onEvent: (event, sessionID) => seen.push(`${sessionID} ${event.type}`),
    baseUrl: 'http://server.test',
    shape: 'unified',
    fetch: server.fetch,
    environment: env.environment,
    scheduler: frames.scheduler,
    onUnknownEvent: (event) => unknown.push(event.type),
  })
  return { server, env, frames, client, unknown, seen }
}

const turnStart = (seq: number) => [
  durable('session.next.step.started', seq, { assistantMessageID: 'msg_1', agent: 'build', model: { id: 'm', providerID: 'p' } }),
  durable('session.next.text.started', seq + 1, { assistantMessageID: 'msg_1', textID: 'text-0' }),
]
/** A durable row that adds no message, so the turn's assistant message is the first. */
const start = (seq: number) => durable('session.next.moved', seq, { location: { directory: '/work' } })
/** The text of the newest user prompt in the view. */
const lastPrompt = (view: SessionView): string | undefined => {
  const message = view.messages.findLast((candidate) => candidate.role === 'user')
  return message?.role === 'user' ? message.text : undefined
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('session store', () => {
  it('opens the stream on the first subscriber and closes it after the last leaves', async () => {
    const { server, client } = setup()
    const session = client.session(SESSION)
    await settle()
    expect(server.requests).toHaveLength(0)
    const off = session.$view.listen(() => {})
    const offConnection = session.$connection.listen(() => {})
    await settle()
    expect(server.requests).toHaveLength(1)
    off()
    offConnection()
    // Not at once: a listener that comes back within the delay (a remount) reuses the stream.
    await vi.advanceTimersByTimeAsync(UNMOUNT_DELAY - 1)
    expect(server.requests[0]?.signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(server.requests[0]?.signal.aborted).toBe(true)
    expect(session.$connection.get().state).toBe('closed')
    client.close()
  })

  it('closes an unwatched stream on time even while events keep arriving', async () => {
    const { server, client, frames } = setup()
    const session = client.session(SESSION)
    const off = session.$view.listen(() => {})
    await settle()
    off()
    for (let seq = 0; seq < 40; seq++) {
      server.last.send(row(seq))
      await vi.advanceTimersByTimeAsync(50)
      frames.frame()
    }
    expect(server.requests[0]?.signal.aborted).toBe(true)
    expect(session.$connection.get().state).toBe('closed')
    client.close()
  })

  it('opens one stream, not two, when a subscriber leaves and another comes at once (StrictMode)', async () => {
    const { server, client } = setup()
    const session = client.session(SESSION)
    session.$view.listen(() => {})()
    const off = session.$view.listen(() => {})
    await vi.advanceTimersByTimeAsync(UNMOUNT_DELAY * 2)
    expect(server.requests).toHaveLength(1)
    // The same once the stream is open: the remount keeps it, and no close comes later.
    off()
    const again = session.$view.listen(() => {})
    await vi.advanceTimersByTimeAsync(UNMOUNT_DELAY * 2)
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]?.signal.aborted).toBe(false)
    again()
    client.close()
  })

  it('returns one handle per session id, and a new one after close', () => {
    const { client } = setup()
    const a = client.session(SESSION)
    expect(client.session(SESSION, { after: 5 })).toBe(a)
    a.close()
    expect(client.session(SESSION)).not.toBe(a)
    client.close()
  })

  it('resumes from the given after and exposes cursor and activity', async () => {
    const { server, client, frames } = setup()
    const session = client.session(SESSION, { after: 4 })
    const off = session.$view.listen(() => {})
    await settle()
    expect(server.afterOf(0)).toBe('4')
    server.last.send(...rows(5, 6), activity('running', 6))
    await settle()
    frames.frame()
    expect(session.$connection.get().cursor).toBe(6)
    expect(session.$view.get().cursor).toBe(6)
    expect(session.$view.get().activity).toBe('running')
    off()
    client.close()
  })

  it('notifies once per frame however many deltas arrive, and the final text is exact', async () => {
    const { server, client, frames } = setup()
    const session = client.session(SESSION)
    let notifications = 0
    const off = session.$view.listen(() => notifications++)
    await settle()
    server.last.send(start(0), ...turnStart(1), activity('running', 2))
    const deltas = Array.from({ length: 1000 }, (_, i) => textDelta(String(i % 10)))
    server.last.send(...deltas)
    await settle()
    expect(notifications).toBe(0)
    frames.frame()
    expect(notifications).toBe(1)
    const message = session.$view.get().messages[0]
    const part = message?.role === 'assistant' ? message.parts[0] : undefined
    expect(part?.type === 'text' ? part.text : undefined).toBe(deltas.map((d) => d.data.delta).join(''))
    expect(session.$connection.get().counters.liveApplied).toBe(1000)
    off()
    client.close()
  })

  it('folds at once instead of buffering past 10,000 unflushed events', async () => {
    const { server, client, frames } = setup()
    const session = client.session(SESSION)
    const off = session.$view.listen(() => {})
    await settle()
    server.last.send(start(0), ...turnStart(1), activity('running', 2))
    server.last.send(...Array.from({ length: 10_000 }, () => textDelta('x')))
    await settle()
    expect(frames.frames).toBe(0)
    const textLength = () => {
      const message = session.$view.get().messages[0]
      const part = message?.role === 'assistant' ? message.parts[0] : undefined
      return part?.type === 'text' ? part.text.length : 0
    }
    // 4 earlier events + 9,996 deltas reached the bound; the last 4 wait for the frame.
    expect(textLength()).toBe(9_996)
    frames.frame()
    expect(textLength()).toBe(10_000)
    off()
    client.close()
  })

  it('reports every gated event to onEvent, duplicates excluded', async () => {
    const { server, client, seen } = setup()
    const off = client.session(SESSION).$view.listen(() => {})
    await settle()
    server.last.send(start(0), start(0), activity('idle', 0), textDelta('x'))
    await settle()
    expect(seen).toEqual([
      `${SESSION} session.next.moved`,
      `${SESSION} session.activity`,
      `${SESSION} session.next.text.delta`,
    ])
    off()
    client.close()
  })

  it('an onEvent hook that throws loses no event: the error surfaces on its own task', async () => {
    const server = createFakeServer()
    const frames = createManualScheduler()
    const thrown: unknown[] = []
    const onError = (error: unknown) => thrown.push(error)
    process.on('uncaughtException', onError)
    const client = createSessionClient({
      baseUrl: 'http://server.test',
      shape: 'unified',
      fetch: server.fetch,
      environment: createTestEnvironment().environment,
      scheduler: frames.scheduler,
      onEvent: (event) => {
        if (event.durable?.seq === 1) throw new Error('app bug')
      },
    })
    const session = client.session(SESSION)
    const off = session.$view.listen(() => {})
    await settle()
    server.last.send(start(0), row(1, 'kept'), activity('idle', 1))
    await settle()
    frames.frame()
    process.off('uncaughtException', onError)
    expect(session.$view.get().cursor).toBe(1)
    expect(lastPrompt(session.$view.get())).toBe('kept')
    expect(server.requests).toHaveLength(1)
    expect(String(thrown[0])).toContain('app bug')
    off()
    client.close()
  })

  it('resumes after a trailing durable event of an unknown type, not before it', async () => {
    const { server, client, unknown } = setup()
    const session = client.session(SESSION)
    let off = session.$view.listen(() => {})
    await settle()
    server.last.send(start(0), { id: 'f', type: 'session.future', durable: { aggregateID: SESSION, seq: 1, version: 1 }, data: {} })
    await settle()
    off()
    await vi.advanceTimersByTimeAsync(UNMOUNT_DELAY)
    off = session.$view.listen(() => {})
    await settle()
    expect(server.afterOf(1)).toBe('1')
    expect(unknown).toEqual(['session.future'])
    off()
    client.close()
  })

  it('counts orphan deltas and reports unknown event types without touching the view', async () => {
    const { server, client, frames, unknown } = setup()
    const session = client.session(SESSION)
    const off = session.$view.listen(() => {})
    await settle()
    server.last.send(start(0), activity('idle', 0), textDelta('lost', 'msg_nope'))
    server.last.send({ id: 'e', type: 'session.future', data: { sessionID: SESSION } })
    await settle()
    frames.frame()
    expect(session.$connection.get().counters.orphans).toBe(1)
    expect(session.$connection.get().counters.unknown).toBe(1)
    expect(unknown).toEqual(['session.future'])
    expect(session.$view.get().messages).toEqual([])
    off()
    client.close()
  })

  it('reports a durable row whose data does not fit to onInvalidEvent, folds the rest and keeps streaming', async () => {
    const server = createFakeServer()
    const frames = createManualScheduler()
    const invalid: string[] = []
    const client = createSessionClient({
      baseUrl: 'http://server.test',
      shape: 'unified',
      fetch: server.fetch,
      environment: createTestEnvironment().environment,
      scheduler: frames.scheduler,
      onInvalidEvent: (event, error, sessionID) => invalid.push(`${sessionID} ${event.type} ${event.durable?.seq} ${error.code}`),
    })
    const session = client.session(SESSION)
    const off = session.$view.listen(() => {})
    await settle()
    const odd = { ...row(2), data: { ...row(2).data, delivery: 'shout' } }
    server.last.send(row(1, 'first'), odd, row(3, 'third'), activity('idle', 3))
    await settle()
    frames.frame()
    expect(invalid).toEqual([`${SESSION} session.next.prompted 2 invalid-event`])
    expect(session.$view.get().messages.map((message) => (message.role === 'user' ? message.text : message.role))).toEqual(['first', 'third'])
    expect(session.$connection.get()).toMatchObject({ state: 'open', cursor: 3, counters: { invalid: 1 } })
    off()
    client.close()
  })

  it('refuses a session id that would escape the path, and a bad cursor, before any request', async () => {
    const { server, client } = setup()
    for (const id of ['.', '..', '']) expect(() => client.session(id)).toThrow(expect.objectContaining({ code: 'invalid-session-id' }))
    expect(() => client.session(SESSION, { after: 2.5 })).toThrow(expect.objectContaining({ code: 'invalid-cursor' }))
    await settle()
    expect(server.requests).toHaveLength(0)
    client.close()
  })

  it('rebuilds after a history reset without ever showing an empty or half-built view', async () => {
    const { server, client, frames } = setup()
    const session = client.session(SESSION)
    const seen: SessionView[] = []
    const off = session.$view.listen((view) => seen.push(view))
    await settle()
    server.last.send(row(0, 'before'), ...turnStart(1), activity('idle', 2))
    await settle()
    frames.frame()
    server.last.end()
    await settle()
    await vi.advanceTimersByTimeAsync(1000)
    // The server lost its log: it now has a shorter, different history.
    server.last.send(activity('idle', 0))
    await settle()
    frames.frame()
    expect(server.afterOf(2)).toBeNull()
    server.last.send(row(0, 'after'))
    await settle()
    frames.frame()
    expect(lastPrompt(session.$view.get())).toBe('before')
    server.last.send(row(1, 'rebuilt'), activity('idle', 1))
    await settle()
    frames.frame()
    expect(lastPrompt(session.$view.get())).toBe('rebuilt')
    expect(session.$view.get().cursor).toBe(1)
    expect(seen.map(lastPrompt)).toEqual(['before', 'rebuilt'])
    off()
    client.close()
  })

  it('reconnect() retries a connection that stopped as unauthorized, with the token resolved anew', async () => {
    const server = createFakeServer()
    const frames = createManualScheduler()
    let token = 'expired'
    const client = createSessionClient({
      baseUrl: 'http://server.test',
      shape: 'unified',
      fetch: server.fetch,
      environment: createTestEnvironment().environment,
      scheduler: frames.scheduler,
      token: () => token,
    })
    server.respond(status(401), status(401))
    const session = client.session(SESSION)
    const off = session.$view.listen(() => {})
    await settle()
    frames.frame()
    expect(session.$connection.get().state).toBe('unauthorized')
    token = 'fresh'
    session.reconnect()
    await settle()
    server.last.send(start(0), activity('idle', 0))
    await settle()
    frames.frame()
    expect(server.requests.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer expired',
      'Bearer expired',
      'Bearer fresh',
    ])
    expect(session.$connection.get()).toMatchObject({ state: 'open', synced: true })
    off()
    client.close()
  })

  it('marks the view deleted on 404 and stops', async () => {
    const { server, client, frames } = setup()
    server.respond(status(404))
    const session = client.session(SESSION)
    const off = session.$view.listen(() => {})
    await settle()
    frames.frame()
    expect(session.$view.get().info.deleted).toBe(true)
    expect(session.$connection.get().state).toBe('closed')
    expect(session.$connection.get().lastError?.code).toBe('session-not-found')
    off()
    client.close()
  })

  it('marks open parts incomplete when a reconnect snapshot arrives mid-part', async () => {
    const { server, client, frames } = setup()
    const session = client.session(SESSION)
    const off = session.$view.listen(() => {})
    await settle()
    server.last.send(start(0), ...turnStart(1), activity('running', 2), textDelta('Hel'))
    await settle()
    server.last.fail()
    await settle()
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.afterOf(1)).toBe('2')
    server.last.send(activity('running', 2), textDelta('world'))
    await settle()
    frames.frame()
    const message = session.$view.get().messages[0]
    const part = message?.role === 'assistant' ? message.parts[0] : undefined
    expect(part).toMatchObject({ text: 'Helworld', streaming: true, incomplete: true })
    server.last.send(durable('session.next.text.ended', 3, { assistantMessageID: 'msg_1', textID: 'text-0', text: 'Hello world' }))
    await settle()
    frames.frame()
    const after = session.$view.get().messages[0]
    expect(after?.role === 'assistant' ? after.parts[0] : undefined).toMatchObject({
      text: 'Hello world',
      streaming: false,
      incomplete: false,
    })
    off()
    client.close()
  })

  it('shows no stale running state after a restart mid-turn', async () => {
    const { server, client, frames } = setup()
    const session = client.session(SESSION)
    const off = session.$view.listen(() => {})
    await settle()
    server.last.send(start(0), ...turnStart(1), activity('running', 2), textDelta('Hel'))
    await settle()
    server.last.end()
    await vi.advanceTimersByTimeAsync(1000)
    server.last.send(activity('idle', 2))
    await settle()
    frames.frame()
    const view = session.$view.get()
    expect(view.activity).toBe('idle')
    const message = view.messages[0]
    expect(message?.role === 'assistant' ? message.status : undefined).toBe('interrupted')
    expect(message?.role === 'assistant' ? message.parts[0] : undefined).toMatchObject({ streaming: false, incomplete: true })
    off()
    client.close()
  })

})

describe('$connection', () => {
  it('changes at once for health, and at most every 250 ms for counters and the cursor while deltas stream', async () => {
    const { server, client, frames } = setup()
    const session = client.session(SESSION)
    const changes: string[] = []
    const off = session.$connection.listen((status) => changes.push(status.state))
    await settle()
    server.last.send(start(0), ...turnStart(1), activity('running', 2))
    await settle()
    frames.frame()
    const before = changes.length
    for (let i = 0; i < 100; i++) {
      server.last.send(textDelta('x'))
      await vi.advanceTimersByTimeAsync(10)
      frames.frame()
    }
    // One second of deltas, a flush every 10 ms: four or five counter updates, not a hundred.
    const during = changes.length - before
    expect(during).toBeGreaterThanOrEqual(3)
    expect(during).toBeLessThanOrEqual(5)
    expect(session.$connection.get().counters.liveApplied).toBeGreaterThan(90)
    server.last.end()
    await settle()
    frames.frame()
    expect(changes.at(-1)).toBe('backoff')
    off()
    client.close()
  })
})

const running = (server: ReturnType<typeof createFakeServer>) =>
  server.last.send(start(0), ...turnStart(1), activity('running', 2), textDelta('Hel'))
const streamingParts = (view: SessionView) =>
  view.messages.flatMap((m) => (m.role === 'assistant' ? m.parts.filter((p) => p.streaming) : []))

describe('$connection when only heartbeats arrive', () => {
  /** A synced, idle session whose `$connection` is watched; `lastByteAt` read after its snapshot. */
  async function quiet() {
    const harness = setup()
    const session = harness.client.session(SESSION)
    const off = session.$connection.listen(() => {})
    await settle()
    harness.server.last.send(start(0), activity('idle', 0))
    await settle()
    harness.frames.frame()
    const lastByteAt = () => session.$connection.get().lastByteAt ?? 0
    const done = () => {
      off()
      harness.client.close()
    }
    return { ...harness, lastByteAt, first: lastByteAt(), done }
  }

  it('publishes the last byte of a heartbeat, within the counters interval', async () => {
    const { server, frames, lastByteAt, first, done } = await quiet()
    await vi.advanceTimersByTimeAsync(10_000)
    server.last.comment()
    await settle()
    frames.frame()
    await vi.advanceTimersByTimeAsync(300)
    frames.frame()
    expect(lastByteAt() - first).toBeGreaterThanOrEqual(10_000)
    done()
  })

  it('asks for no flush for bytes alone: a long event in many chunks costs no flush per chunk', async () => {
    const { server, frames, lastByteAt, first, done } = await quiet()
    await vi.advanceTimersByTimeAsync(1000)
    for (let i = 0; i < 50; i++) server.last.comment()
    await settle()
    expect(frames.pending).toBe(0)
    // The last byte is still published, by the counters' throttle.
    await vi.advanceTimersByTimeAsync(300)
    expect(lastByteAt() - first).toBeGreaterThanOrEqual(1000)
    done()
  })
})

/** A followed session in the middle of a running turn, its text part streaming. */
async function followRunning() {
  const harness = setup()
  const session = harness.client.session(SESSION)
  const off = session.$view.listen(() => {})
  await settle()
  running(harness.server)
  await settle()
  return { ...harness, session, off }
}

describe('activity that cannot lie', () => {
  it('a connection that stops for good mid-turn leaves no spinner: activity unknown, nothing streaming, parts cut short', async () => {
    const { server, client, frames, session, off } = await followRunning()
    frames.frame()
    expect(session.$view.get().activity).toBe('running')
    server.respond(status(400))
    server.last.end()
    await vi.advanceTimersByTimeAsync(1000)
    frames.frame()
    const view = session.$view.get()
    expect(session.$connection.get().state).toBe('failed')
    expect(view.activity).toBe('unknown')
    expect(streamingParts(view)).toEqual([])
    const message = view.messages.find((m) => m.role === 'assistant')
    expect(message?.role === 'assistant' ? [message.status, message.parts[0]?.incomplete] : []).toEqual(['interrupted', true])
    off()
    client.close()
  })

  it('a session deleted mid-turn is not running: the 404 shows it deleted and idle, nothing streaming', async () => {
    const { server, client, frames, session, off } = await followRunning()
    server.respond(status(404))
    server.last.end()
    await vi.advanceTimersByTimeAsync(1000)
    frames.frame()
    expect(session.$view.get()).toMatchObject({ activity: 'idle', info: { deleted: true } })
    expect(streamingParts(session.$view.get())).toEqual([])
    off()
    client.close()
  })

  it('down longer than activityStaleMs (20 s), activity is unknown; the next snapshot settles it', async () => {
    const { server, client, frames, session, off } = await followRunning()
    frames.frame()
    server.respond(status(503), status(503), status(503), status(503), status(503), status(503))
    server.last.end()
    await vi.advanceTimersByTimeAsync(19_000)
    frames.frame()
    expect(session.$view.get().activity).toBe('running')
    await vi.advanceTimersByTimeAsync(1500)
    frames.frame()
    expect(session.$view.get().activity).toBe('unknown')
    expect(streamingParts(session.$view.get())).toEqual([])
    for (let i = 0; i < 60 && server.streams.length < 2; i++) await vi.advanceTimersByTimeAsync(5000)
    expect(server.streams).toHaveLength(2)
    server.last.send(activity('running', 2))
    await settle()
    frames.frame()
    expect(session.$view.get().activity).toBe('running')
    off()
    client.close()
  })
})

describe('lifecycle', () => {
  it('client.close() leaves no timer or request behind', async () => {
    const { server, client, env } = setup()
    const a = client.session(SESSION)
    const b = client.session('ses_other')
    const c = client.session('ses_third')
    a.$view.listen(() => {})
    b.$connection.listen(() => {})
    const offC = c.$view.listen(() => {})
    await settle()
    // c's last listener has just left: its stream waits to close.
    offC()
    client.close()
    client.close()
    await settle()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(UNMOUNT_DELAY)
    expect(server.requests.every((r) => r.signal.aborted)).toBe(true)
    expect(env.listenerCount()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })
})
