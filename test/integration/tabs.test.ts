// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMockEngine, type MockEngine } from '../../mock-server/index.js'
import { setupMockServer } from '../../mock-server/msw-node.js'
import { createSessionClient, type SessionClient, type SessionClientOptions } from '../../src/client/client.js'
import type { DurableEventType } from '../../src/protocol/events.js'
import type { SessionHandle } from '../../src/store/session-store.js'
import { shareAcrossTabs } from '../../src/tabs/index.js'
import { comparable, serverFold } from '../support/convergence.js'
import { createFakeWorld, type FakeTab } from '../tabs/fakes.js'

/*
 * Several tabs of one origin (fake Web Locks and BroadcastChannel, test/tabs/fakes.ts), each
 * with its own client, against one mock server through MSW: one tab leads and holds the
 * session streams, the others fold its feed; when it dies, another takes over from its cursor.
 */

const BASE = 'http://mock.test'
const TEXT = 'Tabs share one stream; each keeps its own view of it. '.repeat(4)

interface Tab {
  readonly fake: FakeTab
  readonly client: SessionClient
  readonly handles: SessionHandle[]
  readonly stops: (() => void)[]
}

let cleanup: (() => void)[] = []
afterEach(() => {
  for (const clean of cleanup.toReversed()) clean()
  cleanup = []
})

function setup(shape: 'unified' | 'split' = 'unified') {
  const engine = createMockEngine({ heartbeatMs: 200, shape })
  const server = setupMockServer(engine, { baseUrl: BASE })
  server.listen({ onUnhandledRequest: 'error' })
  const world = createFakeWorld()
  cleanup.push(() => {
    server.close()
    engine.close()
  })
  const open = (name: string, sessions: readonly string[], options: Partial<SessionClientOptions> = {}): Tab => {
    const fake = world.tab(name, true)
    const client = createSessionClient({
      baseUrl: BASE,
      tabs: shareAcrossTabs({ platform: fake.platform, silenceMs: 60_000 }),
      backoff: { initialDelay: 20, maxDelay: 200, multiplier: 2 },
      ...options,
    })
    const handles = sessions.map((id) => client.session(id))
    const stops = handles.map((handle) => handle.$view.listen(() => {}))
    cleanup.push(() => client.close())
    return { fake, client, handles, stops }
  }
  return { engine, world, open }
}

const converged = async (engine: MockEngine, tabs: readonly Tab[], sessions: readonly string[]) =>
  vi.waitFor(
    () => {
      for (const tab of tabs) {
        tab.handles.forEach((handle, i) => {
          const id = sessions[i]!
          const view = handle.$view.get()
          expect(view.cursor).toBe(engine.latestSeq(id))
          expect(view.activity).toBe('idle')
          expect(comparable(view)).toEqual(comparable(serverFold(engine, id)))
        })
      }
    },
    { timeout: 15_000, interval: 20 },
  )

describe.each(['unified', 'split'] as const)('tabs sharing connections (%s server)', (shape) => {
  it('three tabs following the same two sessions hold exactly two session streams', async () => {
    const { engine, world, open } = setup(shape)
    const sessions = [engine.createSession({ title: 'a' }), engine.createSession({ title: 'b' })]
    const tabs = [open('one', sessions), open('two', sessions), open('three', sessions)]
    await world.settle()
    for (const id of sessions) engine.startTurn(id, { prompt: 'go', text: TEXT, chunk: 4, intervalMs: 1 })
    await converged(engine, tabs, sessions)
    expect(engine.stats().streams).toBe(2)
    expect(tabs.filter((tab) => tab.client.session(sessions[0]!).$health.get().state === 'open')).toHaveLength(3)
  })

  it('the leader dies mid-turn: another tab continues, and every view equals the server fold', async () => {
    const { engine, world, open } = setup(shape)
    const sessions = [engine.createSession({ title: 'a' }), engine.createSession({ title: 'b' })]
    const leader = open('one', sessions)
    await world.settle()
    const tabs = [open('two', sessions), open('three', sessions)]
    await world.settle()
    const turns = sessions.map((id) => engine.startTurn(id, { prompt: 'go', text: TEXT, chunk: 2, intervalMs: 3 })!)
    // Mid-turn: some text is in every tab.
    await vi.waitFor(() => expect(tabs[0]!.handles[0]!.$view.get().messages.length).toBeGreaterThan(1), { timeout: 5000 })
    leader.fake.die()
    leader.client.close()
    await world.settle()
    expect(turns).toHaveLength(2)
    await converged(engine, tabs, sessions)
    await vi.waitFor(() => expect(engine.stats().streams).toBe(2))
  })

  it('a stream closes when no tab needs it any more', async () => {
    const { engine, world, open } = setup(shape)
    const sessions = [engine.createSession({ title: 'a' })]
    const leader = open('one', [])
    const follower = open('two', sessions)
    await world.settle()
    await vi.waitFor(() => expect(engine.stats().streams).toBe(1))
    expect(leader.client.session(sessions[0]!).$view.lc).toBeGreaterThan(0)
    for (const stop of follower.stops) stop()
    // The follower's store lets go after nanostores' unmount delay; the leader then closes its stream.
    await vi.waitFor(() => expect(engine.stats().streams).toBe(0), { timeout: 5000 })
  })

  it('the leading tab closes its own handle: another tab that wants the session keeps getting it', async () => {
    const { engine, world, open } = setup(shape)
    const sessions = [engine.createSession({ title: 'a' })]
    const leader = open('one', sessions)
    await world.settle()
    const follower = open('two', sessions)
    await world.settle()
    leader.handles[0]!.close()
    await world.settle()
    engine.startTurn(sessions[0]!, { prompt: 'after', text: TEXT, chunk: 4, intervalMs: 1 })
    await converged(engine, [follower], sessions)
    await vi.waitFor(() => expect(engine.stats().streams).toBe(1))
  })

  it('every tab reports an unknown and an invalid row once, in order with the events, through a change of leader', async () => {
    const { engine, world, open } = setup(shape)
    const sessions = [engine.createSession({ title: 'a' })]
    const logs = new Map<string, string[]>()
    const reporting = (name: string) => {
      const log: string[] = []
      logs.set(name, log)
      return open(name, sessions, {
        onEvent: (event) => void (event.durable === undefined || log.push(`event ${event.durable.seq}`)),
        onUnknownEvent: (event) => log.push(`unknown ${event.type} ${event.durable?.seq}`),
        onInvalidEvent: (event, error) => log.push(`invalid ${event.type} ${event.durable?.seq} ${error.code}`),
      })
    }
    const leader = reporting('one')
    await world.settle()
    const tabs = [reporting('two'), reporting('three')]
    await world.settle()
    await vi.waitFor(() => expect([leader, ...tabs].every((tab) => tab.handles[0]!.$health.get().synced)).toBe(true), { timeout: 5000 })
    // In one go, as the leader reads them: a row, then rows a newer (or broken) server might write.
    const id = sessions[0]!
    const plain = engine.commit(id, 'session.next.prompted', { messageID: 'msg_p', prompt: { text: 'x' }, delivery: 'steer' } as never)
    const future = engine.commit(id, 'session.next.future.thing' as DurableEventType, { messageID: 'msg_x' } as never)
    const broken = engine.commit(id, 'session.next.prompted', { messageID: 'msg_y', prompt: { text: 'x' }, delivery: 'shout' } as never)
    const expected = [
      `event ${plain.durable.seq}`,
      `unknown session.next.future.thing ${future.durable.seq}`,
      `invalid session.next.prompted ${broken.durable.seq} invalid-event`,
    ]
    await vi.waitFor(() => expect([...logs.values()].every((log) => log.length >= 3)).toBe(true), { timeout: 5000 })
    for (const log of logs.values()) expect(log).toEqual(expected)
    // The odd rows end the log: the tab that takes over resumes after them, and no tab reports them again.
    leader.fake.die()
    leader.client.close()
    await world.settle()
    const turn = engine.startTurn(id, { prompt: 'after', text: TEXT, chunk: 4, intervalMs: 1 })!
    expect(await turn.done).toBe('completed')
    await vi.waitFor(
      () => {
        for (const tab of tabs) {
          const view = tab.handles[0]!.$view.get()
          expect(view.cursor).toBe(engine.latestSeq(id))
          expect(view.activity).toBe('idle')
          // Both odd rows are kept out of the view (the server's own fold would show the broken prompt).
          expect(view.messages.map((message) => message.id)).not.toContain('msg_y')
        }
      },
      { timeout: 10_000, interval: 20 },
    )
    for (const name of ['two', 'three']) {
      const log = logs.get(name)!
      expect(log.slice(0, 3)).toEqual(expected)
      expect(log.slice(3).filter((line) => !line.startsWith('event '))).toEqual([])
    }
  })

  it('a tab that joins after the session was deleted learns it from the leader', async () => {
    const { engine, world, open } = setup(shape)
    const sessions = [engine.createSession({ title: 'a' })]
    const leader = open('one', sessions)
    await world.settle()
    await vi.waitFor(() => expect(leader.handles[0]!.$health.get().synced).toBe(true), { timeout: 5000 })
    engine.deleteSession(sessions[0]!)
    await vi.waitFor(() => expect(leader.handles[0]!.$view.get().info.deleted).toBe(true), { timeout: 10_000 })
    const late = open('two', sessions)
    await world.settle()
    await vi.waitFor(() => expect(late.handles[0]!.$view.get().info.deleted).toBe(true), { timeout: 5000 })
    expect(late.handles[0]!.$health.get().lastError?.code).toBe('session-not-found')
  })
})
