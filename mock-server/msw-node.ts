import { setupServer, type SetupServer } from 'msw/node'
import type { MockEngine } from './engine/types.js'
import { createMockHandlers, releaseResponseClones, type MockHandlersOptions } from './msw.js'

/**
 * `setupServer` with the engine's handlers and msw's response clones released, so a
 * client's `reader.cancel()` reaches the engine at once (see `releaseResponseClones`).
 * Node only; call `listen()` and `close()` on the result as usual.
 */
export function setupMockServer(engine: MockEngine, options: MockHandlersOptions): SetupServer {
  const server = setupServer(...createMockHandlers(engine, options))
  releaseResponseClones(server.events)
  return server
}
