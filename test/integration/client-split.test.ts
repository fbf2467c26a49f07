import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMockEngine, type Fault, type MockEngine, type TurnInput } from '../../mock-server/index.js'
import { setupMockServer } from '../../mock-server/msw-node.js'
import { startMockServer } from '../../mock-server/node.js'
import { createSessionClient, type SessionClient, type SessionClientOptions } from '../../src/client/client.js'
import type { SessionEvent } from '../../src/protocol/events.js'
import type { SessionHandle } from '../../src/store/session-store.js'
import type { AssistantMessage, TextPart } from '../../src/view/types.js'
import { comparable, publicSeqs, serverFold } from '../support/convergence.js'
import { seededRandom } from '../support/random.js'

/*
 * The client, through its public API, against the mock server in the released opencode
 * server's shape (`split`): durable rows on the session stream, fragments on the one
 * server-wide `/api/event`, activity from `/api/session/active`. The Node server on
 * 127.0.0.1 for everything; the MSW handlers too for the cheaper cases.
 */

interface Harness {
  readonly baseUrl: string
  readonly engine: MockEngine
  close(): Promise<void>
}
type HarnessOptions = { shape?: 'unified' | 'split'; privateRows?: boolean }
type StartHarness = (options?: HarnessOptions) => Promise<Harness>

const startNode: StartHarness = async (options = {}) => {
  const server = await startMockServer({ heartbeatMs: 200, shape: 'split', ...options })
  return { baseUrl: server.url, engine: server.engine, close: () => server.close() }
}

const MSW_BASE = 'http://split.test'
const startMsw: StartHarness = async (options = {}) => {
  const engine = createMockEngine({ heartbeatMs: 200, shape: 'split', ...options })
  const server = setupMockServer(engine, { baseUrl: MSW_BASE })
  server.listen({ onUnhandledRequest: 'error' })
  return {
    baseUrl: MSW_BASE,
    engine,
    close: async () => {
      server.close()
      engine.close()
    },
  }
}

const TEXT = 'Split servers send rows and fragments apart; the client stitches them back in order. '.repeat(4)
const toolTurn = (overrides: Partial<TurnInput> = {}): TurnInput => ({
  prompt: 'read the readme',
  reasoning: 'I should read it first.',
  tools: [{ name: 'read', input: { path: 'README.md' }, output: '# demo' }],
  text: TEXT,
  chunk: 3,
  intervalMs: 4,
  ...overrides,
})

const assistant = (session: SessionHandle, id: string): AssistantMessage | undefined => {
  const message = session.$view.get().messages.find((m) => m.id === id)
  return message?.role === 'assistant' ? message : undefined
}
const textOf = (session: SessionHandle, id: string): TextPart | undefined =>
  assistant(session, id)?.parts.find((p): p is TextPart => p.type === 'text')

let cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const step of cleanup.toReversed()) await step()
  cleanup = []
})

interface Followed {
  readonly harness: Harness
  readonly engine: MockEngine
  readonly client: SessionClient
  /** Durable seqs each session's handle received (onEvent), in order. */
  readonly seqs: Map<string, number[]>
  follow(sessionID?: string): { sessionID: string; session: SessionHandle }
}

async function start(make: StartHarness, options: HarnessOptions = {}, client: Partial<SessionClientOptions> = {}): Promise<Followed> {
  const harness = await make(options)
  const seqs = new Map<string, number[]>()
  const sessionClient = createSessionClient({
    baseUrl: harness.baseUrl,
    backoff: { initialDelay: 20, maxDelay: 200, multiplier: 2 },
    idleTimeoutMs: 1000,
    shapeTimeoutMs: 300,
    maxProtocolRetries: 1000,
    onEvent: (event: SessionEvent, sessionID) => {
      if (event.durable !== undefined) seqs.get(sessionID)?.push(event.durable.seq)
    },
    ...client,
  })
  cleanup.push(() => harness.close(), () => sessionClient.close())
  return {
    harness,
    engine: harness.engine,
    client: sessionClient,
    seqs,
    follow(sessionID = harness.engine.createSession({ title: 'split' })) {
      seqs.set(sessionID, [])
      const session = sessionClient.session(sessionID)
      const stop = session.$view.listen(() => {})
      cleanup.push(stop)
      return { sessionID, session }
    },
  }
}

const detected = (session: SessionHandle, shape: 'split' | 'unified' = 'split') =>
  vi.waitFor(() => expect(session.$connection.get()).toMatchObject({ shape, synced: true }), { timeout: 5000, interval: 10 })

const settled = (engine: MockEngine, session: SessionHandle, sessionID: string, timeout = 10_000) =>
  vi.waitFor(
    () => {
      expect(session.$view.get().cursor).toBe(engine.latestSeq(sessionID))
      expect(session.$view.get().activity).toBe('idle')
    },
    { timeout, interval: 10 },
  )

/** Every text the answer part showed, as the view changed. */
function watchText(session: SessionHandle, id: () => string | undefined): string[] {
  const seen: string[] = []
  const stop = session.$view.listen(() => {
    const messageID = id()
    const text = messageID === undefined ? undefined : textOf(session, messageID)?.text
    if (text !== undefined && text !== seen.at(-1)) seen.push(text)
  })
  cleanup.push(stop)
  return seen
}

/** Everything the client holds equals what the server's log says, and each durable seq came once. */
function expectConverged(f: Followed, sessionID: string, session: SessionHandle): void {
  expect(f.seqs.get(sessionID)).toEqual(publicSeqs(f.engine, sessionID))
  expect(comparable(session.$view.get())).toEqual(comparable(serverFold(f.engine, sessionID)))
}

describe.each([
  ['node', startNode],
  ['msw', startMsw],
] as const)('client against a split server (%s)', (_name, make) => {
  it('detects split, streams a tool turn to completion with the exact text, activity running then idle', async () => {
    const f = await start(make, {}, { shapeTimeoutMs: undefined })
    const { sessionID, session } = f.follow()
    await detected(session)
    expect(session.$view.get().activity).toBe('idle')
    const activity: string[] = [session.$view.get().activity]
    cleanup.push(
      session.$view.listen((view) => {
        if (view.activity !== activity.at(-1)) activity.push(view.activity)
      }),
    )
    const started = f.engine.startTurn(sessionID, toolTurn())!
    expect(await started.done).toBe('completed')
    await settled(f.engine, session, sessionID)
    // Asked after the tool step ended (running), and again after the answer step (idle).
    expect(activity).toEqual(['idle', 'running', 'idle'])
    expect(textOf(session, started.assistantMessageID)).toMatchObject({ text: TEXT, streaming: false, incomplete: false })
    expect(assistant(session, started.assistantMessageIDs[0] ?? '')?.status).toBe('completed')
    expect(assistant(session, started.assistantMessageID)?.status).toBe('completed')
    expect(session.$connection.get()).toMatchObject({ shape: 'split', state: 'open' })
    expectConverged(f, sessionID, session)
  })

  it('applies fragments from /api/event: the live text grows, in order', async () => {
    const f = await start(make)
    const { sessionID, session } = f.follow()
    await detected(session)
    let answer: string | undefined
    const seen = watchText(session, () => answer)
    const started = f.engine.startTurn(sessionID, toolTurn({ tools: [], reasoning: undefined, chunk: 2 }))!
    answer = started.assistantMessageID
    await started.done
    await settled(f.engine, session, sessionID)
    expect(seen.at(-1)).toBe(TEXT)
    // Grown fragment by fragment before its end row, never out of order.
    expect(seen.filter((text) => text.length > 0 && text.length < TEXT.length).length).toBeGreaterThan(5)
    expect(seen.every((text) => TEXT.startsWith(text))).toBe(true)
    const { counters } = session.$connection.get()
    expect(counters.liveApplied).toBeGreaterThan(5)
    expect(counters.orphans).toBe(0)
  })

  it('shows running at once after a prompt sent through the client, and idle after the answer', async () => {
    const f = await start(make)
    const { id } = await f.client.sessions.create()
    const prompted = f.follow(id).session
    await detected(prompted)
    const admitted = await f.client.sessions.prompt(id, 'hello split')
    // The client asks for activity when it sends a prompt: no wait for a step to end.
    await vi.waitFor(() => expect(prompted.$view.get().activity).toBe('running'), { timeout: 1000, interval: 5 })
    await settled(f.engine, prompted, id)
    const answer = prompted.$view.get().messages.find((m) => m.role === 'assistant')
    expect(answer?.role === 'assistant' ? answer.parts.find((p) => p.type === 'text') : undefined).toMatchObject({ text: 'Echo: hello split' })
    expect(prompted.$view.get().messages.find((m) => m.id === admitted.id)).toMatchObject({ role: 'user', text: 'hello split' })
    expectConverged(f, id, prompted)
  })

  it('marks the view deleted when a quiet session is deleted', async () => {
    const f = await start(make)
    const { sessionID, session } = f.follow()
    await detected(session)
    f.engine.deleteSession(sessionID)
    await vi.waitFor(() => expect(session.$view.get().info.deleted).toBe(true), { timeout: 5000 })
    await vi.waitFor(() => expect(session.$connection.get().state).toBe('closed'))
    expect(session.$connection.get().lastError?.code).toBe('session-not-found')
    await vi.waitFor(() => expect(f.engine.stats()).toMatchObject({ streams: 0, serverStreams: 0 }))
  })

  it('holds ONE server-wide stream for three sessions, and one session stream each', async () => {
    const f = await start(make)
    const followed = [f.follow(), f.follow(), f.follow()]
    for (const { session } of followed) await detected(session)
    await vi.waitFor(() => expect(f.engine.stats()).toMatchObject({ serverStreams: 1, streams: 3 }))
    const turns = followed.map(({ sessionID }, index) => f.engine.startTurn(sessionID, toolTurn({ text: `answer ${index}: ${TEXT}` }))!)
    await Promise.all(turns.map((turn) => turn.done))
    for (const [index, { sessionID, session }] of followed.entries()) {
      await settled(f.engine, session, sessionID)
      expect(textOf(session, turns[index]?.assistantMessageID ?? '')?.text).toBe(`answer ${index}: ${TEXT}`)
      // Each got its own fragments, routed by sessionID from the one stream.
      expect(session.$connection.get().counters.liveApplied).toBeGreaterThan(0)
      expectConverged(f, sessionID, session)
    }
    expect(f.engine.stats()).toMatchObject({ serverStreams: 1, streams: 3 })
  })
})

describe('client against a split server (node): ordering and recovery', () => {
  it('holds fragments that overtake their start row and applies them in order once it comes', async () => {
    const f = await start(startNode)
    const { sessionID, session } = f.follow()
    await detected(session)
    let answer: string | undefined
    const seen = watchText(session, () => answer)
    // The session stream writes nothing while the server-wide stream runs on.
    f.engine.applyFault({ type: 'stall', on: true, target: 'session' })
    const started = f.engine.startTurn(sessionID, toolTurn({ tools: [], reasoning: undefined, chunk: 2, intervalMs: 5 }))!
    answer = started.assistantMessageID
    await vi.waitFor(() => expect(session.$connection.get().counters.live).toBeGreaterThan(10), { timeout: 5000, interval: 5 })
    // Fragments arrived, but no row has: the part is unknown, nothing is shown, nothing is lost.
    expect(session.$view.get().messages).toEqual([])
    expect(f.engine.stats().runningTurns).toBe(1)
    f.engine.applyFault({ type: 'stall', on: false })
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0), { timeout: 5000, interval: 5 })
    // Released right after its start row: the first text shown already holds the held fragments.
    expect(seen[0]?.length).toBeGreaterThan(10)
    expect(await started.done).toBe('completed')
    await settled(f.engine, session, sessionID)
    expect(seen.at(-1)).toBe(TEXT)
    expect(seen.every((text) => TEXT.startsWith(text))).toBe(true)
    expect(session.$connection.get().counters.orphans).toBe(0)
    expectConverged(f, sessionID, session)
  })

  it('lets fragments through at once while their start row waits, unfolded, for the next flush', async () => {
    // Flushes only when told: from the turn's start on, every row stays queued, unfolded.
    let flushNow: (() => void) | undefined
    const events: SessionEvent[] = []
    const f = await start(startNode, {}, {
      scheduler: (flush) => {
        flushNow = flush
        return () => {
          if (flushNow === flush) flushNow = undefined
        }
      },
      onEvent: (event) => void events.push(event),
    })
    const { sessionID, session } = f.follow()
    const pump = setInterval(() => flushNow?.(), 5)
    await detected(session)
    clearInterval(pump)
    flushNow?.()
    const started = f.engine.startTurn(sessionID, toolTurn({ tools: [], reasoning: undefined, chunk: 2, intervalMs: 2 }))!
    expect(await started.done).toBe('completed')
    const deltas = () =>
      events.flatMap((event) => (event.type === 'session.next.text.delta' && event.data.assistantMessageID === started.assistantMessageID ? [event.data.delta] : []))
    // Every fragment reached the queue: none waited in the hold for a row that was already queued.
    await vi.waitFor(() => expect(deltas().join('')).toBe(TEXT), { timeout: 5000, interval: 10 })
    expect(textOf(session, started.assistantMessageID)).toBeUndefined()
    flushNow?.()
    expect(textOf(session, started.assistantMessageID)?.text).toBe(TEXT)
    expect(session.$connection.get().counters.orphans).toBe(0)
  })

  it('leaves no stale spinner after a restart mid-turn, and takes the next turn whole', async () => {
    const f = await start(startNode)
    const { sessionID, session } = f.follow()
    await detected(session)
    const started = f.engine.startTurn(sessionID, toolTurn({ intervalMs: 10 }))!
    await vi.waitFor(() => expect((textOf(session, started.assistantMessageID)?.text.length ?? 0) > 6).toBe(true), { timeout: 5000 })
    f.engine.restart()
    expect(await started.done).toBe('cancelled')
    await settled(f.engine, session, sessionID)
    const cut = assistant(session, started.assistantMessageID)
    expect(cut?.status).toBe('interrupted')
    expect(session.$view.get().messages.some((m) => m.role === 'assistant' && m.status === 'streaming')).toBe(false)
    expect(session.$view.get().messages.flatMap((m) => (m.role === 'assistant' ? m.parts : [])).some((p) => p.streaming)).toBe(false)
    expect(textOf(session, started.assistantMessageID)?.incomplete).toBe(true)

    const next = f.engine.startTurn(sessionID, toolTurn({ text: 'whole again' }))!
    expect(await next.done).toBe('completed')
    await settled(f.engine, session, sessionID)
    expect(textOf(session, next.assistantMessageID)).toMatchObject({ text: 'whole again', streaming: false, incomplete: false })
    expect(assistant(session, next.assistantMessageID)?.status).toBe('completed')
    expectConverged(f, sessionID, session)
  })

  it('follows a live switch from split to unified: shape unified, /api/event released, nothing lost or doubled', async () => {
    const f = await start(startNode)
    const { sessionID, session } = f.follow()
    await detected(session)
    await vi.waitFor(() => expect(f.engine.stats().serverStreams).toBe(1))
    const started = f.engine.startTurn(sessionID, toolTurn({ intervalMs: 6 }))!
    await vi.waitFor(() => expect((textOf(session, started.assistantMessageID)?.text.length ?? 0) > 20).toBe(true), { timeout: 5000 })
    f.engine.applyFault({ type: 'shape', shape: 'unified' })
    await detected(session, 'unified')
    await vi.waitFor(() => expect(f.engine.stats()).toMatchObject({ serverStreams: 0, streams: 1 }), { timeout: 5000 })
    expect(await started.done).toBe('completed')
    await settled(f.engine, session, sessionID)
    expect(textOf(session, started.assistantMessageID)).toMatchObject({ text: TEXT, streaming: false, incomplete: false })
    expectConverged(f, sessionID, session)
    // And back: a later turn on the unified stream arrives whole too.
    const next = f.engine.startTurn(sessionID, toolTurn({ text: 'unified now' }))!
    await next.done
    await settled(f.engine, session, sessionID)
    expect(textOf(session, next.assistantMessageID)?.text).toBe('unified now')
    expect(f.engine.stats().serverStreams).toBe(0)
    expectConverged(f, sessionID, session)
  })

  it('follows a live switch from unified to split: detected, one /api/event opened, live text applied', async () => {
    const f = await start(startNode, { shape: 'unified' })
    const { sessionID, session } = f.follow()
    await detected(session, 'unified')
    expect(f.engine.stats().serverStreams).toBe(0)
    f.engine.applyFault({ type: 'shape', shape: 'split' })
    await detected(session, 'split')
    await vi.waitFor(() => expect(f.engine.stats()).toMatchObject({ serverStreams: 1, streams: 1 }))
    let answer: string | undefined
    const seen = watchText(session, () => answer)
    const before = session.$connection.get().counters.liveApplied
    const started = f.engine.startTurn(sessionID, toolTurn({ tools: [], chunk: 2 }))!
    answer = started.assistantMessageID
    expect(await started.done).toBe('completed')
    await settled(f.engine, session, sessionID)
    expect(seen.at(-1)).toBe(TEXT)
    expect(seen.filter((text) => text.length < TEXT.length).length).toBeGreaterThan(5)
    expect(session.$connection.get().counters.liveApplied).toBeGreaterThan(before)
    expectConverged(f, sessionID, session)
  })

  it('converges under faults on both streams: nothing lost or applied twice, completed texts exact', { timeout: 60_000 }, async () => {
    const seed = Number(process.env.SPLIT_SEED ?? 4242)
    const random = seededRandom(seed)
    const f = await start(startNode)
    const followed = [f.follow(), f.follow()]
    for (const { session } of followed) await detected(session)
    const faults: Fault[] = [
      { type: 'drop', mode: 'end', target: 'session' },
      { type: 'drop', mode: 'reset', target: 'session' },
      { type: 'drop', mode: 'end', target: 'server' },
      { type: 'drop', mode: 'reset', target: 'server' },
      { type: 'drop', mode: 'reset' },
      { type: 'restart' },
      { type: 'split', on: true },
      { type: 'private-rows', on: true },
      { type: 'duplicate', on: true },
      { type: 'drop-after', frames: 5 },
      { type: 'stall', on: true, target: 'session' },
      { type: 'shed', on: true, retryAfterSeconds: 0 },
    ]
    const applied: string[] = []
    let running = true
    // At least nine faults, however fast the turns go on this machine.
    const enough = () => !running && applied.length > 8
    const chaos = (async () => {
      while (!enough()) {
        await new Promise((resolve) => setTimeout(resolve, 40 + Math.floor(random() * 120)))
        if (enough()) break
        const fault = faults[Math.floor(random() * faults.length)] as Fault
        applied.push(fault.type)
        f.engine.applyFault(fault)
        const lift: Fault | undefined =
          fault.type === 'stall' ? { type: 'stall', on: false } : fault.type === 'shed' ? { type: 'shed', on: false } : fault.type === 'drop-after' ? { type: 'clear' } : undefined
        if (lift !== undefined) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          f.engine.applyFault(lift)
        }
      }
    })()
    const outcomes = await Promise.all(
      followed.map(async ({ sessionID }, index) => {
        const done: { ids: readonly string[]; text: string; completed: boolean }[] = []
        for (let t = 0; t < 6; t++) {
          const text = `turn ${index}.${t}: ${TEXT.slice(0, 40 + Math.floor(random() * 200))}`
          const started = f.engine.startTurn(sessionID, toolTurn({ text, tools: random() < 0.5 ? [] : toolTurn().tools, intervalMs: 3 }))!
          done.push({ ids: started.assistantMessageIDs, text, completed: (await started.done) === 'completed' })
        }
        return done
      }),
    )
    running = false
    await chaos
    f.engine.applyFault({ type: 'clear' })
    expect(applied.length).toBeGreaterThan(8)
    for (const [index, { sessionID, session }] of followed.entries()) {
      await settled(f.engine, session, sessionID, 20_000)
      expectConverged(f, sessionID, session)
      for (const turn of outcomes[index]?.filter((o) => o.completed) ?? []) {
        const texts = session.$view
          .get()
          .messages.flatMap((m) => (m.role === 'assistant' && turn.ids.includes(m.id) ? m.parts : []))
          .flatMap((p) => (p.type === 'text' ? [p.text] : []))
        expect({ seed, texts }).toEqual({ seed, texts: [turn.text] })
      }
      expect(session.$connection.get().shape).toBe('split')
    }
  })
})
