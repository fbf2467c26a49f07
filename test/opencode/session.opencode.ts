import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createSessionClient, type SessionClient, type SessionView, type TextPart } from '../../src/index.js'
import {
  assistants,
  comparable,
  countEventStreams,
  fetchHistory,
  foldedHistory,
  turn,
  turnDone,
  waitFor,
} from './support/helpers.js'
import { DEFAULT_SCRIPT, startModel, words, type ScriptedModel } from './support/model.js'
import { memoryCache, serverKey } from '../../src/persist/index.js'
import { shareAcrossTabs } from '../../src/tabs/index.js'
import { createFakeWorld } from '../tabs/fakes.js'
import { startOpencode, type OpencodeServer } from './support/server.js'

/*
 * One released opencode server (and its scripted model) for every test here (the last one
 * kills and restarts it); each test makes its own sessions and clients. The SDK is used
 * through its public API only.
 */

const PROMPT = 'Please use a tool to read the readme'
/** Reconnects within a second or two: the defaults are for people, not tests. */
const BACKOFF = { initialDelay: 200, maxDelay: 1_000 }

let model: ScriptedModel
let server: OpencodeServer
const clients: SessionClient[] = []

const client = (options: Partial<Parameters<typeof createSessionClient>[0]> = {}) => {
  const made = createSessionClient({ baseUrl: server.url, backoff: BACKOFF, ...options })
  clients.push(made)
  return made
}

/** Names what went wrong on the server too, when a wait fails. */
const explain = (view: SessionView) => `${JSON.stringify(view, null, 1).slice(0, 6000)}\n--- opencode output ---\n${server.log().slice(-3000)}`

beforeAll(async () => {
  model = await startModel()
  server = await startOpencode({ model })
}, 120_000)

afterEach(() => {
  for (const made of clients.splice(0)) made.close()
  model.script = DEFAULT_SCRIPT
})

afterAll(async () => {
  await server?.stop()
  await model?.close()
})

describe('the SDK against the released opencode server', () => {
  it('folds a tool turn into a user message, a tool step and an answer step, and ends idle', async () => {
    const sdk = client()
    const { id } = await sdk.sessions.create()
    const handle = sdk.session(id)
    const unlisten = handle.$view.listen(() => {})

    // Prompted at once, before the client can know the server's shape (the spinner and the
    // live text while it runs are the next test's, which waits for the shape first).
    await sdk.sessions.prompt(id, PROMPT)
    const view = await waitFor(handle.$view, turnDone(0), 30_000, explain)

    const { user, steps } = turn(view, 0)
    expect(view.messages).toHaveLength(3)
    expect(user).toMatchObject({ role: 'user', text: PROMPT, queued: false })
    expect(steps).toHaveLength(2)
    const [call, answer] = steps
    expect(call).toMatchObject({ role: 'assistant', status: 'completed', finish: 'tool-calls', model: { id: 'echo', providerID: 'fake' } })
    expect(call!.parts.map((part) => part.key)).toEqual(['reasoning:reasoning-0', expect.stringMatching(/^tool:call_/)])
    expect(call!.parts[0]).toMatchObject({ type: 'reasoning', text: DEFAULT_SCRIPT.reasoning, streaming: false, incomplete: false })
    const tool = call!.parts[1]
    expect(tool).toMatchObject({ type: 'tool', name: 'read', status: 'success', input: { path: 'README.md' }, streaming: false })
    if (tool?.type !== 'tool') throw new Error('no tool part')
    // The read tool's output is the file the project holds.
    expect(tool.structured).toMatchObject({ name: 'README.md', content: '# Demo project\n' })

    expect(answer).toMatchObject({ role: 'assistant', status: 'completed', finish: 'stop' })
    expect(answer!.parts).toHaveLength(1)
    expect(answer!.parts[0]).toMatchObject({ type: 'text', text: DEFAULT_SCRIPT.answer, streaming: false, incomplete: false })

    expect(view.activity).toBe('idle')
    expect(handle.$connection.get()).toMatchObject({ shape: 'split', synced: true, lastError: null })
    unlisten()
  })

  it('shows the answer text growing while it streams, before its text.ended', async () => {
    model.script = { ...DEFAULT_SCRIPT, tool: false, reasoning: '', answer: words(60), delayMs: 30 }
    const sdk = client()
    const { id } = await sdk.sessions.create()
    const handle = sdk.session(id)
    const samples: { text: string; activity: string }[] = []
    const unlisten = handle.$view.listen((view) => {
      for (const step of assistants(view)) {
        for (const part of step.parts) {
          if (part.type === 'text' && part.streaming && part.text !== '') samples.push({ text: part.text, activity: view.activity })
        }
      }
    })

    await waitFor(handle.$connection, (status) => status.shape === 'split', 10_000)
    await sdk.sessions.prompt(id, 'Say sixty words')
    const view = await waitFor(handle.$view, turnDone(0), 30_000, explain)
    unlisten()

    const final = turn(view, 0).steps.at(-1)!.parts.find((part): part is TextPart => part.type === 'text')
    expect(final?.text).toBe(model.script.answer)
    // Each sample a prefix of the final text, several of them strictly shorter: it grew live.
    // (The last fragment may complete the text before text.ended arrives.)
    for (const sample of samples) expect(sample.text).toBe(final!.text.slice(0, sample.text.length))
    const shorter = new Set(samples.filter((sample) => sample.text.length < final!.text.length).map((sample) => sample.text.length))
    expect(shorter.size).toBeGreaterThan(2)
    // The spinner is on while the text streams.
    expect(samples.map((sample) => sample.activity)).not.toContain('idle')
    expect(samples.at(-1)?.activity).toBe('running')
    expect(handle.$connection.get().counters.liveApplied).toBeGreaterThan(2)
  })

  it("a fresh client's view (and the live one's) equals the folded history plus a final idle snapshot", async () => {
    const live = client()
    const { id } = await live.sessions.create()
    const liveHandle = live.session(id)
    const unlisten = liveHandle.$view.listen(() => {})
    await live.sessions.prompt(id, PROMPT)
    const liveView = await waitFor(liveHandle.$view, turnDone(0), 30_000, explain)
    unlisten()

    const rows = await fetchHistory(server, id)
    const expected = foldedHistory(id, rows)
    expect(rows.length).toBeGreaterThan(10)

    const fresh = client()
    const handle = fresh.session(id)
    const unlistenFresh = handle.$view.listen(() => {})
    const view = await waitFor(handle.$view, (current) => current.activity === 'idle' && current.cursor === rows.at(-1)!.durable.seq, 15_000, explain)
    unlistenFresh()

    expect(comparable(view)).toEqual(comparable(expected))
    expect(comparable(liveView)).toEqual(comparable(expected))
  })

  it('follows three sessions over exactly one server-wide /api/event request', async () => {
    model.script = { ...DEFAULT_SCRIPT, tool: false, reasoning: '', answer: words(40), delayMs: 40 }
    const counter = countEventStreams()
    const sdk = client({ fetch: counter.fetch })
    const ids = await Promise.all([1, 2, 3].map(async () => (await sdk.sessions.create()).id))
    const handles = ids.map((id) => sdk.session(id))
    const unlisten = handles.map((handle) => handle.$view.listen(() => {}))
    await Promise.all(handles.map((handle) => waitFor(handle.$connection, (status) => status.shape === 'split', 10_000)))
    expect(counter.open()).toBe(1)

    await Promise.all(ids.map((id, i) => sdk.sessions.prompt(id, `Say twenty words, session ${i}`)))
    const views = await Promise.all(handles.map((handle) => waitFor(handle.$view, turnDone(0), 30_000, explain)))

    for (const view of views) expect(turn(view, 0).steps.at(-1)?.parts[0]).toMatchObject({ type: 'text', text: model.script.answer })
    // Every session got its live fragments, all from the one shared stream.
    for (const handle of handles) expect(handle.$connection.get().counters.liveApplied).toBeGreaterThan(0)
    expect(counter.started()).toBe(1)
    expect(counter.maxOpen()).toBe(1)
    expect(counter.open()).toBe(1)

    for (const stop of unlisten) stop()
    sdk.close()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(counter.open()).toBe(0)
  })

  it('two tabs sharing connections: one /api/event and one session stream in all, the follower folds the same turn', async () => {
    model.script = { ...DEFAULT_SCRIPT, tool: false, reasoning: '', answer: words(30), delayMs: 30 }
    // Two tabs of one origin, their Web Locks and BroadcastChannel in memory (test/tabs/fakes.ts).
    const world = createFakeWorld()
    const streams: string[] = []
    const tab = (name: string) => {
      const platform = world.tab(name, true).platform
      const counting: typeof fetch = (input, init) => {
        const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
        if (url.pathname.endsWith('/event')) streams.push(`${name} ${url.pathname}`)
        return fetch(input, init)
      }
      return client({ fetch: counting, tabs: shareAcrossTabs({ platform }) })
    }
    const leader = tab('leader')
    const { id } = await leader.sessions.create()
    const leading = leader.session(id)
    const stops = [leading.$view.listen(() => {})]
    await world.settle()
    const follower = tab('follower')
    const following = follower.session(id)
    stops.push(following.$view.listen(() => {}))
    await world.settle()
    await waitFor(following.$connection, (status) => status.shape === 'split', 10_000)

    await leader.sessions.prompt(id, 'Say thirty words')
    const views = await Promise.all([leading, following].map((handle) => waitFor(handle.$view, turnDone(0), 30_000, explain)))
    expect(turn(views[1]!, 0).steps.at(-1)?.parts[0]).toMatchObject({ type: 'text', text: model.script.answer })
    expect(comparable(views[1]!)).toEqual(comparable(views[0]!))
    // The follower's text streamed: fragments reached it through the leader.
    expect(following.$connection.get().counters.liveApplied).toBeGreaterThan(0)
    expect(streams.filter((stream) => stream.startsWith('follower'))).toEqual([])
    expect(streams.filter((stream) => stream.endsWith('/api/event'))).toHaveLength(1)
    expect(streams.filter((stream) => stream.includes(`/session/${id}/`))).toHaveLength(1)
    for (const stop of stops) stop()
  })

  it('a reload with the cache knows the server is split at once: the next answer streams without the detection wait', async () => {
    model.script = { ...DEFAULT_SCRIPT, tool: false, reasoning: '', answer: words(40), delayMs: 30 }
    const cache = memoryCache()
    const first = client({ cache })
    const { id } = await first.sessions.create()
    const before = first.session(id)
    const stop = before.$view.listen(() => {})
    await first.sessions.prompt(id, 'Say forty words')
    await waitFor(before.$view, turnDone(0), 30_000, explain)
    expect(before.$connection.get().shape).toBe('split')
    stop()
    before.close() // saves what it has, with the shape it learned
    // Saves are asynchronous: wait for the one of the idle view.
    let saved = await cache.load(serverKey(server.url), id)
    for (let tries = 0; saved?.view.activity !== 'idle' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      saved = await cache.load(serverKey(server.url), id)
    }
    expect(saved).toMatchObject({ cursor: before.$view.get().cursor, shape: 'split' })

    // The "reload" would take a minute to tell the shape by itself.
    const second = client({ cache, shapeTimeoutMs: 60_000 })
    const after = second.session(id)
    const stops = [after.$view.listen(() => {})]
    await second.sessions.prompt(id, 'Say forty words again')
    const streaming = await waitFor(
      after.$view,
      (view) => turn(view, 1).steps.some((step) => step.parts.some((part) => part.type === 'text' && part.streaming && part.text.length > 0)),
      20_000,
      explain,
    )
    expect(streaming.messages.length).toBeGreaterThan(saved!.view.messages.length)
    expect(after.$connection.get().shape).toBe('split')
    const done = await waitFor(after.$view, turnDone(1), 30_000, explain)
    expect(turn(done, 1).steps.at(-1)?.parts[0]).toMatchObject({ type: 'text', text: model.script.answer })
    for (const unlisten of stops) unlisten()
  })

  it('ends the handle of a followed session that is deleted with session-not-found', async () => {
    model.script = { ...DEFAULT_SCRIPT, tool: false, reasoning: '', answer: 'Short answer.' }
    const sdk = client()
    const { id } = await sdk.sessions.create()
    const handle = sdk.session(id)
    const unlisten = handle.$connection.listen(() => {})
    await sdk.sessions.prompt(id, 'Say something short')
    await waitFor(handle.$view, turnDone(0), 30_000, explain)

    // The released server deletes on its older route; \`DELETE /api/session/:id\` is tested below.
    const deleted = await fetch(`${server.url}/session/${id}`, { method: 'DELETE', headers: server.headers })
    expect(deleted.status).toBe(200)
    const status = await waitFor(handle.$connection, (current) => current.state === 'closed' || current.state === 'failed', 10_000)
    expect(status.state).toBe('closed')
    expect(status.lastError?.code).toBe('session-not-found')
    expect(handle.$view.get().info.deleted).toBe(true)
    await expect(sdk.sessions.prompt(id, 'Still there?')).rejects.toMatchObject({ name: 'SessionStreamError', code: 'session-not-found' })
    unlisten()
  })

  it('client.sessions.delete removes the session from the released server', async () => {
    const sdk = client()
    const { id } = await sdk.sessions.create()
    await sdk.sessions.delete(id)
    const history = await fetch(`${server.url}/api/session/${id}/history`, { headers: server.headers })
    expect(history.status).toBe(404)
  })

  // Last: it kills the server. `kill -9` mid-answer writes no end row, the log just stops; only
  // the client can clear that spinner, from the activity it asks for once the server is back.
  it('after kill -9 mid-answer and a restart: no stale spinner, the cut-off step interrupted, the next turn whole', async () => {
    // A long, slow answer: about 16 s of text, so the kill lands mid-answer.
    model.script = { ...DEFAULT_SCRIPT, tool: false, reasoning: '', answer: words(400), delayMs: 40 }
    const sdk = client()
    const { id } = await sdk.sessions.create()
    const handle = sdk.session(id)
    const unlisten = handle.$view.listen(() => {})
    await waitFor(handle.$connection, (status) => status.shape === 'split', 10_000)

    await sdk.sessions.prompt(id, 'Say four hundred words')
    const streaming = await waitFor(
      handle.$view,
      (view) => view.activity === 'running' && assistants(view).some((step) => step.parts.some((part) => part.type === 'text' && part.streaming && part.text.length > 40)),
      20_000,
      explain,
    )
    expect(streaming.activity).toBe('running')

    await server.kill9()
    await server.restart()

    const settled = await waitFor(
      handle.$view,
      (view) => view.activity === 'idle' && turn(view, 0).steps.every((step) => step.status !== 'streaming'),
      30_000,
      explain,
    )
    const cut = turn(settled, 0).steps
    expect(cut).toHaveLength(1)
    expect(cut[0]!.status).toBe('interrupted')
    expect(cut[0]!.parts.length).toBeGreaterThan(0)
    for (const part of cut[0]!.parts) expect(part.streaming).toBe(false)
    // (Its state may read 'connecting': the released server sends a quiet session's stream no headers until its next row.)
    expect(handle.$connection.get()).toMatchObject({ shape: 'split', synced: true })

    // The next turn, on the restarted server, arrives whole.
    model.script = { ...DEFAULT_SCRIPT, tool: false, reasoning: '', answer: 'The server is back and answers in full.', delayMs: 30 }
    await sdk.sessions.prompt(id, 'Are you back?')
    const view = await waitFor(handle.$view, turnDone(1), 30_000, explain)
    const next = turn(view, 1)
    expect(next.user).toMatchObject({ role: 'user', text: 'Are you back?' })
    expect(next.steps).toHaveLength(1)
    expect(next.steps[0]).toMatchObject({ status: 'completed', finish: 'stop' })
    expect(next.steps[0]!.parts).toEqual([expect.objectContaining({ type: 'text', text: model.script.answer, streaming: false, incomplete: false })])
    expect(turn(view, 0).steps[0]!.status).toBe('interrupted')
    for (const step of assistants(view)) for (const part of step.parts) expect(part.streaming).toBe(false)

    // And the whole view is what the restarted server's log says.
    const rows = await fetchHistory(server, id)
    expect(comparable(view)).toEqual(comparable(foldedHistory(id, rows)))
    unlisten()
  }, 90_000)
})
