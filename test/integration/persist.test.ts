import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMockEngine, type MockEngine } from '../../mock-server/index.js'
import { createSessionClient, type SessionClientOptions } from '../../src/client/client.js'
import { memoryCache, serverKey, type SessionCache } from '../../src/persist/index.js'
import type { SessionHandle } from '../../src/store/session-store.js'
import { comparable, serverFold } from '../support/convergence.js'

/*
 * A client with a cache (session-stream/persist) against the mock engine: a second client,
 * as after a reload, shows the cached transcript before any byte arrives, asks only for
 * what came after its cursor, and ends equal to the server's fold. A history reset and a
 * deletion drop the entry; no credential reaches the cache.
 */

const BASE = 'http://user:secret@mock.test/'
let cleanup: (() => void)[] = []
afterEach(() => {
  for (const clean of cleanup.toReversed()) clean()
  cleanup = []
})

function setup(shape: 'unified' | 'split' = 'unified') {
  const engine = createMockEngine({ heartbeatMs: 200, shape })
  const urls: string[] = []
  const held: { release?: () => void } = {}
  let holding = false
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    urls.push(request.url)
    if (holding) await new Promise<void>((resolve) => (held.release = resolve))
    return engine.handle(request)
  }
  cleanup.push(() => engine.close())
  const client = (cache: SessionCache, extra: Partial<SessionClientOptions> = {}) => {
    const made = createSessionClient({ baseUrl: 'http://mock.test', fetch, cache, backoff: { initialDelay: 20, maxDelay: 100 }, ...extra })
    cleanup.push(() => made.close())
    return made
  }
  /** A first visit: a session with one answered turn, followed until idle, then closed (which saves it). */
  const firstVisit = async (cache: SessionCache, title: string) => {
    const id = engine.createSession({ title })
    engine.startTurn(id, { prompt: 'one', text: 'first answer', chunk: 3, intervalMs: 1 })
    const first = client(cache).session(id)
    const stop = first.$view.listen(() => {})
    await idleAt(engine, first, id)
    stop()
    first.close()
    return { id, first }
  }
  return { engine, urls, client, firstVisit, hold: (on: boolean) => (holding = on), held }
}

const idleAt = (engine: MockEngine, handle: SessionHandle, sessionID: string) =>
  vi.waitFor(
    () => {
      expect(handle.$view.get().cursor).toBe(engine.latestSeq(sessionID))
      expect(handle.$view.get().activity).toBe('idle')
    },
    { timeout: 10_000, interval: 10 },
  )

describe('a cached session after a reload', () => {
  it('shows the cached transcript before any byte arrives, then resumes after its cursor', async () => {
    const { engine, urls, client, firstVisit, hold, held } = setup()
    const cache = memoryCache()
    const { id, first } = await firstVisit(cache, 'cached')
    const cursor = first.$view.get().cursor
    await vi.waitFor(async () => expect((await cache.load('http://mock.test', id))?.cursor).toBe(cursor))

    // The "reload": the server holds its answer back.
    engine.startTurn(id, { prompt: 'two', text: 'second answer', chunk: 3, intervalMs: 1 })
    hold(true)
    urls.length = 0
    const second = client(cache).session(id)
    second.$view.listen(() => {})
    await vi.waitFor(() => expect(urls.some((url) => url.includes(`/session/${id}/event`))).toBe(true))
    // Shown from the cache, before the response: the whole first turn, no run vouched for.
    expect(second.$view.get().cursor).toBe(cursor)
    expect(second.$view.get().messages.map((m) => m.id)).toEqual(first.$view.get().messages.map((m) => m.id))
    expect(second.$view.get().activity).toBe('unknown')
    expect(new URL(urls.find((url) => url.includes('/event'))!).searchParams.get('after')).toBe(String(cursor))
    hold(false)
    held.release?.()
    await idleAt(engine, second, id)
    expect(comparable(second.$view.get())).toEqual(comparable(serverFold(engine, id)))
  })

  it('starts from the server shape it saved: a released server’s live text flows at once, without the detection wait', async () => {
    const { engine, client, firstVisit } = setup('split')
    const cache = memoryCache()
    const { id, first } = await firstVisit(cache, 'split')
    expect(first.$connection.get().shape).toBe('split')
    await vi.waitFor(async () => expect((await cache.load('http://mock.test', id))?.shape).toBe('split'))

    // The reload would take a minute to tell the shape by itself; the cache tells it at once.
    const second = client(cache, { shapeTimeoutMs: 60_000 }).session(id)
    second.$view.listen(() => {})
    const turn = engine.startTurn(id, { prompt: 'two', text: 'the second answer, streamed in small pieces', chunk: 2, intervalMs: 10 })!
    await vi.waitFor(
      () => {
        const message = second.$view.get().messages.find((candidate) => candidate.id === turn.assistantMessageID)
        const text = message?.role === 'assistant' ? message.parts.find((part) => part.type === 'text') : undefined
        // Live fragments, not just the row that ends the part: some text while it still streams.
        expect(text?.streaming === true && text.type === 'text' && text.text.length > 0).toBe(true)
      },
      { timeout: 5000, interval: 5 },
    )
    expect(second.$connection.get().shape).toBe('split')
    expect(await turn.done).toBe('completed')
    await idleAt(engine, second, id)
    expect(comparable(second.$view.get())).toEqual(comparable(serverFold(engine, id)))
  })

  it('drops the entry on a history reset and rebuilds from the server', async () => {
    const { engine, client, firstVisit } = setup()
    const cache = memoryCache()
    const { id, first } = await firstVisit(cache, 'reset')
    // A cache from a history the server no longer has: a cursor far past its end.
    const stale = first.$view.get()
    await cache.save('http://mock.test', id, { cursor: stale.cursor + 1000, view: { ...stale, messages: stale.messages, cursor: stale.cursor + 1000 }, savedAt: 1 })
    expect((await cache.load('http://mock.test', id))?.cursor).toBe(stale.cursor + 1000)
    const second = client(cache).session(id)
    second.$view.listen(() => {})
    await idleAt(engine, second, id)
    expect(comparable(second.$view.get())).toEqual(comparable(serverFold(engine, id)))
    expect(second.$connection.get().counters.resets).toBe(1)
    // The stale entry is gone; what is saved now is the rebuilt history.
    await vi.waitFor(async () => expect((await cache.load('http://mock.test', id))?.cursor).toBe(engine.latestSeq(id)), { timeout: 5000 })
  })

  it('drops the entry when the session is deleted', async () => {
    const { engine, client, firstVisit } = setup()
    const cache = memoryCache()
    const { id } = await firstVisit(cache, 'deleted')
    await vi.waitFor(async () => expect(await cache.load('http://mock.test', id)).toBeDefined())
    engine.deleteSession(id)
    const again = client(cache).session(id)
    again.$view.listen(() => {})
    await vi.waitFor(() => expect(again.$view.get().info.deleted).toBe(true), { timeout: 10_000 })
    await vi.waitFor(async () => expect(await cache.load('http://mock.test', id)).toBeUndefined())
  })

  it('keys entries by the server without credentials', () => {
    expect(serverKey(BASE)).toBe('http://mock.test')
  })
})
