import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { startMockServer } from '../../mock-server/node.js'
import { createSessionClient } from '../../src/client/client.js'
import { clientContract } from './client-contract.js'

describe('client against the Node mock server on 127.0.0.1', () => {
  clientContract(async (options = {}) => {
    const server = await startMockServer({ heartbeatMs: 200, ...options })
    return { baseUrl: server.url, engine: server.engine, close: () => server.close() }
  })

  it('survives a real server restart mid-turn: the log is kept, activity ends idle', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'session-stream-'))
    let server = await startMockServer({ dataDir, heartbeatMs: 200 })
    const port = Number(new URL(server.url).port)
    const client = createSessionClient({ baseUrl: server.url, backoff: { initialDelay: 20, maxDelay: 200 }, idleTimeoutMs: 1000 })
    try {
      const sessionID = server.engine.createSession({ title: 'restart' })
      const session = client.session(sessionID)
      session.$view.listen(() => {})
      server.engine.startTurn(sessionID, { prompt: 'p', text: 'a long answer '.repeat(20), chunk: 2, intervalMs: 5 })!
      await vi.waitFor(() => expect(session.$view.get().activity).toBe('running'), { timeout: 5000 })
      await server.close()
      server = await startMockServer({ dataDir, port, heartbeatMs: 200 })
      const latest = server.engine.latestSeq(sessionID)
      expect(latest).toBeGreaterThan(0)
      await vi.waitFor(
        () => {
          expect(session.$view.get().activity).toBe('idle')
          expect(session.$view.get().cursor).toBe(latest)
        },
        { timeout: 10_000, interval: 20 },
      )
      const message = session.$view.get().messages.find((m) => m.role === 'assistant')
      expect(message?.role === 'assistant' ? message.status : undefined).toBe('interrupted')
    } finally {
      client.close()
      await server.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
