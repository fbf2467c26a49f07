import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { isSessionStreamError } from '../../src/errors.js'
import { isDurable, isLive, type SessionEvent } from '../../src/protocol/events.js'
import { sessionEvents } from '../../src/stream/events.js'
import { createTestEnvironment } from '../support/environment.js'
import { activity, row, rows, textDelta, SESSION } from '../support/events.js'
import { createFakeServer, status } from '../support/fake-server.js'
import { settle } from '../transport/harness.js'

function setup(options: Partial<Parameters<typeof sessionEvents>[0]> = {}) {
  const server = createFakeServer()
  const env = createTestEnvironment()
  const iterable = sessionEvents({
    baseUrl: 'http://server.test',
    shape: 'unified',
    sessionID: SESSION,
    fetch: server.fetch,
    environment: env.environment,
    ...options,
  })
  return { server, env, iterable }
}

/** Consumes in the background, so the test can drive the server meanwhile. */
function consume(iterable: AsyncIterable<SessionEvent>, stopWhen: (event: SessionEvent) => boolean = () => false) {
  const seen: SessionEvent[] = []
  const done = (async () => {
    for await (const event of iterable) {
      seen.push(event)
      if (stopWhen(event)) break
    }
  })()
  return { seen, done }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('sessions.events()', () => {
  it('narrows data by type and tells durable from live', async () => {
    const { server, iterable } = setup()
    const { seen, done } = consume(iterable, (e) => e.type === 'session.next.text.delta')
    await settle()
    server.last.send(row(1), activity('idle', 1), textDelta('hi'))
    await settle()
    await done
    const [first, second, third] = seen
    expect(first !== undefined && isDurable(first) ? first.durable.seq : undefined).toBe(1)
    expect(second !== undefined && isLive(second)).toBe(true)
    expect([first, second, third].map((event) => event !== undefined && isDurable(event))).toEqual([true, false, false])
    expect([first, second, third].map((event) => event !== undefined && isLive(event))).toEqual([false, true, true])
    expect(third?.type === 'session.next.text.delta' ? third.data.delta : undefined).toBe('hi')
  })

  it('a consumer that breaks mid-stream leaves nothing open', async () => {
    // The caller's signal outlives the loop: the loop must take its listener off it.
    const signal = new AbortController().signal
    let signalListeners = 0
    const add = signal.addEventListener.bind(signal)
    const remove = signal.removeEventListener.bind(signal)
    signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => (signalListeners++, add(...args))
    signal.removeEventListener = (...args: Parameters<AbortSignal['removeEventListener']>) => (signalListeners--, remove(...args))
    const { server, env, iterable } = setup({ signal })
    const { done } = consume(iterable, (e) => isDurable(e) && e.durable.seq === 1)
    await settle()
    server.last.send(...rows(0, 5))
    await settle()
    await done
    expect(server.requests[0]?.signal.aborted).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
    expect(env.listenerCount()).toBe(0)
    expect(signalListeners).toBe(0)
  })

  it('breaking while the producer is paused mid-chunk returns at once and releases everything', async () => {
    const { server, env, iterable } = setup({ highWaterMark: 2 })
    const { seen, done } = consume(iterable, () => true)
    await settle()
    server.last.send(...rows(0, 9))
    await settle()
    await done
    expect(seen).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
    expect(env.listenerCount()).toBe(0)
  })

  it('a signal that has already aborted ends the loop at once, yields nothing and releases everything', async () => {
    const controller = new AbortController()
    controller.abort()
    const { server, env, iterable } = setup({ signal: controller.signal })
    const { seen, done } = consume(iterable)
    await settle()
    server.streams.at(-1)?.send(...rows(0, 3))
    await settle()
    await done
    expect(seen).toEqual([])
    expect(server.requests.every((request) => request.signal.aborted)).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
    expect(env.listenerCount()).toBe(0)
  })

  it('yields nothing more once its signal aborts, even from a chunk already read', async () => {
    const controller = new AbortController()
    const { server, iterable } = setup({ signal: controller.signal, highWaterMark: 2 })
    const iterator = iterable[Symbol.asyncIterator]()
    const first = iterator.next()
    await settle()
    server.last.send(...rows(0, 9))
    await settle()
    expect((await first).done).toBe(false)
    controller.abort()
    expect(await iterator.next()).toEqual({ done: true, value: undefined })
  })

  it('ends with history-reset rather than re-yielding seqs from 0', async () => {
    const server = createFakeServer()
    const iterable = sessionEvents({
      baseUrl: 'http://server.test',
      shape: 'unified',
      sessionID: SESSION,
      after: 10,
      fetch: server.fetch,
      environment: createTestEnvironment().environment,
    })
    const { done } = consume(iterable)
    const failure = done.then(
      () => undefined,
      (e: unknown) => e,
    )
    await settle()
    server.last.send(activity('idle', 3))
    await settle()
    const error = await failure
    expect(isSessionStreamError(error) ? error.code : error).toBe('history-reset')
  })

  it('an AbortSignal ends the loop without an error and releases everything', async () => {
    const controller = new AbortController()
    const { server, env, iterable } = setup({ signal: controller.signal })
    const { seen, done } = consume(iterable)
    await settle()
    server.last.send(...rows(0, 1))
    await settle()
    controller.abort()
    await done
    expect(seen).toHaveLength(2)
    expect(server.requests[0]?.signal.aborted).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
    expect(env.listenerCount()).toBe(0)
  })

  it('yields every durable event exactly once across a drop mid-turn', async () => {
    const { server, iterable } = setup()
    const { seen, done } = consume(iterable, (e) => isDurable(e) && e.durable.seq === 9)
    await settle()
    server.last.send(...rows(0, 4), activity('running', 4), textDelta('a'))
    await settle()
    server.last.fail()
    await settle()
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.afterOf(1)).toBe('4')
    // A server may replay overlap; the client drops it.
    server.last.send(...rows(3, 9))
    await settle()
    await done
    expect(seen.filter(isDurable).map((e) => e.durable.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('a slow consumer makes the client pause reading, not lose durable events', async () => {
    // An unknown type is reported the moment its frame is read: it shows how far reading got.
    const read: string[] = []
    const { server, iterable } = setup({ highWaterMark: 4, onUnknownEvent: (event) => read.push(event.type) })
    const iterator = iterable[Symbol.asyncIterator]()
    const first = iterator.next()
    await settle()
    server.last.send(...rows(0, 99), { id: 'e_last', type: 'session.next.future', data: { sessionID: SESSION } })
    await settle()
    // The consumer has taken one event: the client stopped reading near highWaterMark, far before the end.
    expect(read).toEqual([])
    const seqs: number[] = []
    const firstResult = await first
    if (!firstResult.done && isDurable(firstResult.value)) seqs.push(firstResult.value.durable.seq)
    while (seqs.length < 100) {
      const result = await iterator.next()
      if (result.done) break
      if (isDurable(result.value)) seqs.push(result.value.durable.seq)
      await vi.advanceTimersByTimeAsync(10) // the consumer awaits between items
    }
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i))
    expect(server.requests).toHaveLength(1)
    await settle()
    expect(read).toEqual(['session.next.future'])
    await iterator.return?.()
  })

  it('a consumer that holds an event longer than idleTimeoutMs does not make the client reconnect', async () => {
    const { server, iterable } = setup({ highWaterMark: 1, idleTimeoutMs: 5000 })
    const iterator = iterable[Symbol.asyncIterator]()
    const first = iterator.next()
    await settle()
    server.last.send(...rows(0, 3), activity('idle', 3))
    await settle()
    const taken = await first
    expect(!taken.done && isDurable(taken.value) ? taken.value.durable.seq : undefined).toBe(0)
    // The consumer works on that event for three idle timeouts. The socket is quiet only
    // because the client stopped reading: that silence is not the server's.
    await vi.advanceTimersByTimeAsync(15_000)
    expect(server.streams[0]?.aborted).toBe(false)
    const rest: string[] = []
    for (let i = 0; i < 4; i++) {
      const result = await iterator.next()
      if (!result.done) rest.push(isDurable(result.value) ? String(result.value.durable.seq) : result.value.type)
    }
    expect(rest).toEqual(['1', '2', '3', 'session.activity'])
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.requests).toHaveLength(1)
    expect(server.streams[0]?.aborted).toBe(false)
    await iterator.return?.()
  })

  it.each([
    [404, 'session-not-found'],
    [400, 'bad-request'],
  ] as const)('a %i ends the iteration by throwing %s', async (code, errorCode) => {
    const { server, iterable } = setup()
    server.respond(status(code))
    const { done } = consume(iterable)
    const error: unknown = await done.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isSessionStreamError(error) ? error.code : error).toBe(errorCode)
  })

  it('401 after its retry ends the iteration with unauthorized', async () => {
    const { server, iterable } = setup()
    server.respond(status(401), status(401))
    const { done } = consume(iterable)
    const failure = done.then(
      () => undefined,
      (e: unknown) => e,
    )
    await settle()
    const error = await failure
    expect(isSessionStreamError(error) ? error.code : error).toBe('unauthorized')
    expect(server.requests).toHaveLength(2)
  })

  it('a session deleted while followed ends the loop with session-not-found once the server says so', async () => {
    const { server, iterable } = setup()
    const { seen, done } = consume(iterable)
    await settle()
    server.last.send(row(1), activity('idle', 1))
    await settle()
    // opencode writes no deletion event: the stream ends, and the resubscription is refused.
    server.respond(status(404))
    server.last.end()
    const failure = done.then(
      () => undefined,
      (e: unknown) => e,
    )
    await vi.advanceTimersByTimeAsync(1000)
    await settle()
    const error = await failure
    expect(isSessionStreamError(error) ? error.code : error).toBe('session-not-found')
    expect(seen.map((event) => event.type)).toEqual(['session.next.prompted', 'session.activity'])
  })

  it('never yields an event whose data does not fit, but reports it and yields what follows', async () => {
    const invalid: (number | undefined)[] = []
    const { server, iterable } = setup({ onInvalidEvent: (event) => invalid.push(event.durable?.seq) })
    const { seen, done } = consume(iterable, (event) => event.durable?.seq === 3)
    await settle()
    server.last.send(row(1), { ...row(2), data: { ...row(2).data, messageID: 7 } }, row(3))
    await done
    expect(seen.map((event) => event.durable?.seq)).toEqual([1, 3])
    expect(invalid).toEqual([2])
  })
})
