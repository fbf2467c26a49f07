import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMockEngine, type MockEngine } from '../../mock-server/index.js'
import { setupMockServer } from '../../mock-server/msw-node.js'
import { describeHttpContract } from './contract-http.js'
import { describeSessionContract } from './contract-session.js'
import { describeStreamContract } from './contract-stream.js'
import { authHeaders, readFrames, streamPath, type StartHarness } from './helpers.js'

const BASE = 'http://mock.test'

const startMsw: StartHarness = async (options = {}) => {
  const engine = createMockEngine({
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(options.privateRows === undefined ? {} : { privateRows: options.privateRows }),
  })
  const server = setupMockServer(engine, { baseUrl: BASE })
  server.listen({ onUnhandledRequest: 'error' })
  return {
    name: 'msw',
    engine,
    baseUrl: BASE,
    fetch: (path, init = {}) => fetch(`${BASE}${path}`, { ...init, headers: authHeaders(options, init.headers) }),
    close: async () => {
      engine.close()
      server.close()
    },
  }
}

describe('msw adapter: contract', () => {
  describeStreamContract(startMsw)
  describeHttpContract(startMsw)
  describeSessionContract(startMsw)
})

describe('msw adapter', () => {
  let engine: MockEngine | undefined
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })
  const start = async (): Promise<MockEngine> => {
    const harness = await startMsw()
    close = harness.close
    return (engine = harness.engine)
  }

  // msw 2.15 does not cancel a mocked body when the client aborts its fetch; the engine
  // learns of it through request.signal, which it keeps alive while the stream is open.
  it('drops the subscriber when the client aborts its fetch', async () => {
    const mock = await start()
    const sessionID = mock.createSession()
    const aborter = new AbortController()
    const reader = readFrames(await fetch(`${BASE}${streamPath(sessionID)}`, { signal: aborter.signal }))
    await reader.events(1)
    expect(mock.stats().subscribers).toBe(1)
    aborter.abort()
    await vi.waitFor(() => expect(engine?.stats()).toMatchObject({ subscribers: 0, streams: 0 }), { timeout: 5000 })
  })

  it('drops the subscriber when the client cancels the body', async () => {
    const mock = await start()
    const sessionID = mock.createSession()
    const reader = readFrames(await fetch(`${BASE}${streamPath(sessionID)}`))
    await reader.events(1)
    await reader.cancel()
    expect(mock.stats()).toMatchObject({ subscribers: 0, streams: 0 })
  })
})
