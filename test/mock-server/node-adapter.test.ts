import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startMockServer, type MockServer } from '../../mock-server/node.js'
import { describeHttpContract } from './contract-http.js'
import { describeSessionContract } from './contract-session.js'
import { describeStreamContract } from './contract-stream.js'
import {
  authHeaders,
  basic,
  commitRows,
  createSession,
  openStream,
  range,
  readFrames,
  readRawUntil,
  seqs,
  streamPath,
  type StartHarness,
} from './helpers.js'
import { SCRIPTED_TURN } from './turn-checks.js'

const startNode: StartHarness = async (options = {}) => {
  const server = await startMockServer({ port: 0, ...options })
  return {
    name: 'node',
    engine: server.engine,
    baseUrl: server.url,
    fetch: (path, init = {}) => fetch(`${server.url}${path}`, { ...init, headers: authHeaders(options, init.headers) }),
    close: () => server.close(),
  }
}

describe('node adapter: contract', () => {
  describeStreamContract(startNode)
  describeHttpContract(startNode)
  describeSessionContract(startNode)
})

describe('node adapter', () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).toReversed()) await step()
  })
  const start = async (options: Parameters<typeof startMockServer>[0] = {}): Promise<MockServer> => {
    const server = await startMockServer(options)
    cleanup.push(() => server.close())
    return server
  }
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'session-stream-mock-'))
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
    return dir
  }

  it('drops the subscriber when the client cancels or aborts', async () => {
    const server = await start()
    const sessionID = server.engine.createSession()
    const cancelled = readFrames(await fetch(`${server.url}${streamPath(sessionID)}`))
    await cancelled.events(1)
    const aborter = new AbortController()
    const aborted = readFrames(await fetch(`${server.url}${streamPath(sessionID)}`, { signal: aborter.signal }))
    await aborted.events(1)
    expect(server.engine.stats().subscribers).toBe(2)
    await cancelled.cancel()
    aborter.abort()
    await vi.waitFor(() => expect(server.engine.stats()).toMatchObject({ subscribers: 0, streams: 0 }), { timeout: 5000 })
  })

  it('writes split pieces as separate writes', async () => {
    const server = await start()
    const sessionID = server.engine.createSession()
    commitRows(server.engine, sessionID, 1, 'a prompt long enough to be cut into many pieces')
    server.engine.applyFault({ type: 'split', bytes: 1 })
    const { text, reads } = await readRawUntil(await fetch(`${server.url}${streamPath(sessionID)}`), '"session.activity"')
    // One byte per write with a turn in between: the client cannot get it all in one read.
    expect(reads).toBeGreaterThan(10)
    expect(text).toContain('"seq":1,')
  })

  it('keeps the log across a real server restart with the file store', async () => {
    const dataDir = tempDir()
    const first = await startMockServer({ dataDir })
    const finished = first.engine.createSession({ title: 'kept' })
    await first.engine.startTurn(finished, SCRIPTED_TURN)?.done
    const interrupted = first.engine.createSession()
    first.engine.startTurn(interrupted, { ...SCRIPTED_TURN, intervalMs: 600_000 })
    const history = await (await fetch(`${first.url}/api/session/${finished}/history?limit=100`)).text()
    expect((JSON.parse(history) as { data: unknown[] }).data).toHaveLength(first.engine.latestSeq(finished))
    const interruptedLatest = first.engine.latestSeq(interrupted)
    expect(first.engine.activity(interrupted)).toBe('running')
    await first.close()

    const second = await start({ dataDir })
    expect(await (await fetch(`${second.url}/api/session/${finished}/history?limit=100`)).text()).toBe(history)
    const reader = await openStream(
      { name: 'node', engine: second.engine, baseUrl: second.url, fetch: (path, init) => fetch(`${second.url}${path}`, init), close: () => second.close() },
      interrupted,
    )
    const replay = await reader.events(interruptedLatest + 1)
    expect(seqs(replay)).toEqual(range(1, interruptedLatest))
    expect(replay.at(-1)).toMatchObject({ type: 'session.activity', data: { status: 'idle', cutoff: interruptedLatest } })
    expect(commitRows(second.engine, interrupted, 1, 'after restart')).toEqual([interruptedLatest + 1])
    expect(seqs(await reader.events(1))).toEqual([interruptedLatest + 1])
    await reader.cancel()

    await fetch(`${second.url}/api/session/${finished}`, { method: 'DELETE' })
    const third = await start({ dataDir })
    expect(third.engine.sessions().map((session) => session.sessionID)).toEqual([interrupted])
  })

  it('starts from the CLI, prints its URL, and stops on SIGTERM', async () => {
    const args = ['--port', '0', '--token', 't0k', '--password', 'pw', '--private-rows']
    const child = spawn(process.execPath, ['--import', 'tsx', 'mock-server/cli.ts', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    cleanup.push(() => void child.kill('SIGKILL'))
    let output = ''
    child.stdout.setEncoding('utf8')
    while (!output.includes('\n')) output += String((await once(child.stdout, 'data'))[0])
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
    expect(url).toBeDefined()
    expect((await fetch(`${url}/__mock/stats`)).status).toBe(401)
    expect((await fetch(`${url}/__mock/stats`, { headers: { authorization: 'Bearer t0k' } })).status).toBe(200)
    expect((await fetch(`${url}/__mock/stats`, { headers: { authorization: basic('opencode', 'pw') } })).status).toBe(200)
    expect(await (await fetch(`${url}/__mock/faults`, { headers: { authorization: 'Bearer t0k' } })).json()).toMatchObject({ faults: { privateRows: true } })
    const session = await createSession({
      name: 'node',
      engine: undefined as never,
      baseUrl: url ?? '',
      fetch: (path, init = {}) => fetch(`${url}${path}`, { ...init, headers: authHeaders({ token: 't0k' }, init.headers) }),
      close: async () => {},
    })
    expect(session).toMatch(/^ses_/)
    child.kill('SIGTERM')
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(code).toBe(0)
  })
})
