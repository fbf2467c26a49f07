import { afterEach, expect, it, vi } from 'vitest'
import type { MockEngine, TurnInput } from '../../mock-server/index.js'
import { createSessionClient, type SessionClientOptions } from '../../src/client/client.js'
import { basicAuth } from '../../src/transport/headers.js'
import { isDurable } from '../../src/protocol/events.js'
import type { SessionHandle } from '../../src/store/session-store.js'
import type { AssistantMessage, TextPart } from '../../src/view/types.js'

/** One way of reaching the mock server: MSW in happy-dom, or the real Node server. */
export interface Harness {
  readonly baseUrl: string
  readonly engine: MockEngine
  readonly fetch?: typeof fetch
  close(): Promise<void>
}

export type HarnessFactory = (options?: { token?: string; password?: string; privateRows?: boolean }) => Promise<Harness>

const TEXT = 'The quick brown fox jumps over the lazy dog, then reads the logs and writes a summary. '.repeat(3)
const turn = (overrides: Partial<TurnInput> = {}): TurnInput => ({
  prompt: 'summarize',
  text: TEXT,
  reasoning: 'think first',
  tools: [{ name: 'read', input: { path: 'a.log' }, output: 'ok' }],
  chunk: 3,
  intervalMs: 2,
  ...overrides,
})

const assistant = (session: SessionHandle, id: string): AssistantMessage | undefined => {
  const message = session.$view.get().messages.find((m) => m.id === id)
  return message?.role === 'assistant' ? message : undefined
}
const textOf = (session: SessionHandle, id: string) =>
  assistant(session, id)?.parts.find((p): p is TextPart => p.type === 'text')

/** Durable seqs seen by an independent iterator over the same session. */
function tail(client: ReturnType<typeof createSessionClient>, sessionID: string) {
  const controller = new AbortController()
  const seqs: number[] = []
  const done = (async () => {
    for await (const event of client.sessions.events({ sessionID, signal: controller.signal })) {
      if (isDurable(event)) seqs.push(event.durable.seq)
    }
  })()
  return { seqs, stop: async () => (controller.abort(), await done) }
}

const settled = async (engine: MockEngine, session: SessionHandle, sessionID: string) =>
  vi.waitFor(
    () => {
      expect(session.$view.get().cursor).toBe(engine.latestSeq(sessionID))
      expect(session.$view.get().activity).toBe('idle')
    },
    { timeout: 10_000, interval: 10 },
  )

/**
 * The client against the contract engine through one adapter. Each test names a failure
 * a real network or server produces, and checks the client recovers exactly.
 */
export function clientContract(makeHarness: HarnessFactory): void {
  let open: { harness: Harness; close: () => void }[] = []
  afterEach(async () => {
    for (const { harness, close } of open) {
      close()
      await harness.close()
    }
    open = []
  })

  async function start(
    options: { token?: string; password?: string; privateRows?: boolean; client?: Partial<SessionClientOptions> } = {},
  ) {
    const { client: _client, ...serverOptions } = options
    const harness = await makeHarness(serverOptions)
    const client = createSessionClient({
      baseUrl: harness.baseUrl,
      ...(harness.fetch === undefined ? {} : { fetch: harness.fetch }),
      backoff: { initialDelay: 20, maxDelay: 200, multiplier: 2 },
      idleTimeoutMs: 1000,
      ...options.client,
    })
    open.push({ harness, close: () => client.close() })
    const sessionID = harness.engine.createSession({ title: 'contract' })
    const session = client.session(sessionID)
    session.$view.listen(() => {})
    return { harness, engine: harness.engine, client, session, sessionID }
  }

  it('streams a turn to completion: the text equals the server text and activity ends idle', async () => {
    const { engine, session, sessionID } = await start()
    const started = engine.startTurn(sessionID, turn())!
    await vi.waitFor(() => expect(session.$view.get().activity).toBe('running'), { timeout: 5000 })
    await started.done
    await settled(engine, session, sessionID)
    expect(textOf(session, started.assistantMessageID)).toMatchObject({ text: TEXT, streaming: false, incomplete: false })
    expect(assistant(session, started.assistantMessageID)?.status).toBe('completed')
    expect(session.$connection.get()).toMatchObject({ state: 'open', synced: true })
  })

  it('resumes after a drop mid-turn with nothing lost or repeated', async () => {
    const { engine, client, session, sessionID } = await start()
    const tailer = tail(client, sessionID)
    const started = engine.startTurn(sessionID, turn())!
    await vi.waitFor(() => expect((textOf(session, started.assistantMessageID)?.text.length ?? 0) > 10).toBe(true), {
      timeout: 5000,
    })
    engine.applyFault({ type: 'drop', mode: 'reset' })
    await started.done
    await settled(engine, session, sessionID)
    await vi.waitFor(() => expect(tailer.seqs.at(-1)).toBe(engine.latestSeq(sessionID)))
    await tailer.stop()
    // Public seqs start at 1: the session's seq 0 is a private row the server never sends.
    expect(tailer.seqs).toEqual(Array.from({ length: engine.latestSeq(sessionID) }, (_, i) => i + 1))
    expect(textOf(session, started.assistantMessageID)?.text).toBe(TEXT)
    expect(session.$connection.get().counters.reconnects).toBeGreaterThanOrEqual(1)
  })

  it('ends a restart mid-turn with activity idle and no part left streaming', async () => {
    const { engine, session, sessionID } = await start()
    const started = engine.startTurn(sessionID, turn({ intervalMs: 10 }))!
    await vi.waitFor(() => expect((textOf(session, started.assistantMessageID)?.text.length ?? 0) > 6).toBe(true), {
      timeout: 5000,
    })
    engine.restart()
    expect(await started.done).toBe('cancelled')
    await settled(engine, session, sessionID)
    const message = assistant(session, started.assistantMessageID)
    expect(message?.status).toBe('interrupted')
    expect(message?.parts.some((p) => p.streaming)).toBe(false)
    expect(textOf(session, started.assistantMessageID)?.incomplete).toBe(true)
    // The session works again afterwards.
    const next = engine.startTurn(sessionID, turn({ text: 'again' }))!
    await next.done
    await settled(engine, session, sessionID)
    expect(textOf(session, next.assistantMessageID)?.text).toBe('again')
  })

  it('marks the view deleted and stops when the session is deleted', async () => {
    const { engine, session, sessionID } = await start()
    await vi.waitFor(() => expect(session.$connection.get().synced).toBe(true))
    engine.deleteSession(sessionID)
    await vi.waitFor(() => expect(session.$view.get().info.deleted).toBe(true))
    await vi.waitFor(() => expect(session.$connection.get().state).toBe('closed'))
    // opencode writes no deletion event: the stream ends and the resubscription is refused with 404.
    expect(session.$connection.get().lastError?.code).toBe('session-not-found')
  })

  it('reports 404 for a session that never existed', async () => {
    const { harness } = await start()
    const client = createSessionClient({ baseUrl: harness.baseUrl, ...(harness.fetch === undefined ? {} : { fetch: harness.fetch }) })
    open.push({ harness: { ...harness, close: async () => {} }, close: () => client.close() })
    const ghost = client.session('ses_missing')
    ghost.$view.listen(() => {})
    await vi.waitFor(() => expect(ghost.$connection.get().state).toBe('closed'))
    expect(ghost.$connection.get().lastError?.code).toBe('session-not-found')
    expect(ghost.$view.get().info.deleted).toBe(true)
  })

  it('stops as unauthorized without the token, and streams with it', async () => {
    const denied = await start({ token: 'secret-token', client: { token: 'wrong' } })
    await vi.waitFor(() => expect(denied.session.$connection.get().state).toBe('unauthorized'))
    expect(denied.session.$connection.get().lastError?.code).toBe('unauthorized')
    const allowed = await start({ token: 'secret-token', client: { token: async () => 'secret-token' } })
    await vi.waitFor(() => expect(allowed.session.$connection.get().synced).toBe(true))
  })

  it('backs off for Retry-After while the server sheds load, then connects', async () => {
    const { engine, session, sessionID } = await start()
    await vi.waitFor(() => expect(session.$connection.get().synced).toBe(true))
    engine.applyFault({ type: 'shed', on: true, retryAfterSeconds: 1 })
    engine.applyFault({ type: 'drop', mode: 'end' })
    await vi.waitFor(() => expect(session.$connection.get().lastError?.code).toBe('server-error'))
    const { nextRetryAt, lastError } = session.$connection.get()
    expect(lastError?.status).toBe(503)
    expect(lastError?.retryAfterMs).toBe(1000)
    expect((nextRetryAt ?? 0) - Date.now()).toBeGreaterThan(500)
    engine.applyFault({ type: 'shed', on: false })
    const started = engine.startTurn(sessionID, turn({ text: 'after shedding' }))!
    await started.done
    await settled(engine, session, sessionID)
    expect(textOf(session, started.assistantMessageID)?.text).toBe('after shedding')
  })

  it('reassembles frames split into tiny writes, and drops duplicated frames', async () => {
    const { engine, session, sessionID } = await start()
    engine.applyFault({ type: 'split', on: true })
    engine.applyFault({ type: 'duplicate', on: true })
    engine.applyFault({ type: 'drop', mode: 'end' })
    const started = engine.startTurn(sessionID, turn({ text: 'ünïcødé ✓ split across chunks 🚀', chunk: 2 }))!
    await started.done
    await settled(engine, session, sessionID)
    expect(textOf(session, started.assistantMessageID)?.text).toBe('ünïcødé ✓ split across chunks 🚀')
    expect(session.$connection.get().counters.duplicates).toBeGreaterThan(0)
    expect(session.$connection.get().counters.invalid).toBe(0)
  })

  it('follows a server that skips private seqs: nothing lost, no resync, the text exact', async () => {
    const { engine, client, session, sessionID } = await start({ privateRows: true })
    const tailer = tail(client, sessionID)
    const started = engine.startTurn(sessionID, turn())!
    await started.done
    await settled(engine, session, sessionID)
    await vi.waitFor(() => expect(tailer.seqs.at(-1)).toBe(engine.latestSeq(sessionID)))
    await tailer.stop()
    const published = (engine.history(sessionID, -1, 1000)?.data ?? []).map((event) => event.durable.seq)
    expect(tailer.seqs).toEqual(published)
    expect(published.some((seq, i) => i > 0 && seq !== (published[i - 1] ?? 0) + 1)).toBe(true)
    expect(textOf(session, started.assistantMessageID)?.text).toBe(TEXT)
    expect(session.$connection.get().counters).toMatchObject({ reconnects: 0, protocolErrors: 0 })
    expect(session.$connection.get().counters.skips).toBeGreaterThan(0)
  })

  it('authenticates with HTTP Basic through headers, as opencode takes it, and never puts it in a URL', async () => {
    const denied = await start({ password: 'pa:ss wörd', client: { headers: basicAuth('wrong') } })
    await vi.waitFor(() => expect(denied.session.$connection.get().state).toBe('unauthorized'))
    const requested: string[] = []
    const allowed = await start({
      password: 'pa:ss wörd',
      client: {
        headers: async () => basicAuth('pa:ss wörd'),
        ...(denied.harness.fetch === undefined
          ? {
              fetch: (input: RequestInfo | URL, init?: RequestInit) => {
                requested.push(String(input))
                return globalThis.fetch(input, init)
              },
            }
          : {}),
      },
    })
    await vi.waitFor(() => expect(allowed.session.$connection.get().synced).toBe(true))
    expect(requested.join(' ')).not.toMatch(/pa|w%C3%B6rd|Basic/)
  })

  it('creates a session, prompts it, interrupts and deletes it through the client, with typed errors', async () => {
    const { client, engine } = await start()
    const { id } = await client.sessions.create()
    expect(engine.exists(id)).toBe(true)
    const session = client.session(id)
    session.$view.listen(() => {})
    const admitted = await client.sessions.prompt(id, 'hello there')
    expect(admitted.admittedSeq).toBeGreaterThan(0)
    await vi.waitFor(() => expect(session.$view.get().messages.find((m) => m.role === 'user')).toMatchObject({ id: admitted.id, text: 'hello there' }), { timeout: 5000 })
    await vi.waitFor(() => expect(session.$view.get().activity).toBe('running'), { timeout: 5000 })
    await client.sessions.interrupt(id)
    await vi.waitFor(() => expect(session.$view.get().activity).toBe('idle'), { timeout: 5000 })
    expect(session.$view.get().messages.some((m) => m.role === 'assistant' && m.status === 'streaming')).toBe(false)
    await client.sessions.delete(id)
    await vi.waitFor(() => expect(session.$connection.get().lastError?.code).toBe('session-not-found'), { timeout: 5000 })
    await expect(client.sessions.prompt(id, 'anyone?')).rejects.toMatchObject({ name: 'SessionStreamError', code: 'session-not-found', status: 404 })
    await expect(client.sessions.prompt('..', 'x')).rejects.toMatchObject({ code: 'invalid-session-id' })
  })
}
