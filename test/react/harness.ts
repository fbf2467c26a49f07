import { createMockEngine, type MockEngine } from '../../mock-server/index.js'
import { setupMockServer } from '../../mock-server/msw-node.js'
import { createSessionClient, type SessionClient } from '../../src/index.js'

/**
 * The real client against the mock server's engine through MSW, as a browser app would run:
 * happy-dom's fetch, the default animation-frame scheduler, real timers. Shared by the React
 * and Vue binding tests; it imports neither framework.
 */
export interface MockSetup {
  readonly engine: MockEngine
  readonly client: SessionClient
  /** URLs of the session-stream requests the client made, in order. */
  readonly streamRequests: readonly string[]
  close(): void
}

const BASE_URL = 'http://mock.test'

export function startMock(): MockSetup {
  const engine = createMockEngine()
  const server = setupMockServer(engine, { baseUrl: BASE_URL })
  const streamRequests: string[] = []
  server.events.on('request:start', ({ request }) => {
    if (new URL(request.url).pathname.endsWith('/event')) streamRequests.push(request.url)
  })
  server.listen({ onUnhandledRequest: 'error' })
  const client = createSessionClient({ baseUrl: BASE_URL })
  return {
    engine,
    client,
    streamRequests,
    close() {
      client.close()
      server.close()
      engine.close()
    },
  }
}

/** Long enough to stream in many deltas of `chunk: 3`; every word is distinct. */
export const longText = (label: string): string =>
  Array.from({ length: 12 }, (_, index) => `${label}-${index}`).join(' ')

/** True when no two consecutive renders saw the same object: nothing rendered for someone else's change. */
export const allDistinct = (renders: readonly unknown[]): boolean =>
  renders.every((value, index) => index === 0 || value !== renders[index - 1])
