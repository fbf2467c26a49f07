// @vitest-environment happy-dom
import { describe } from 'vitest'
import { createMockEngine } from '../../mock-server/index.js'
import { setupMockServer } from '../../mock-server/msw-node.js'
import { clientContract } from './client-contract.js'

const BASE = 'http://mock.test'

describe('client against the MSW handlers in happy-dom', () => {
  clientContract(async (options = {}) => {
    const engine = createMockEngine({ heartbeatMs: 200, ...options })
    const server = setupMockServer(engine, { baseUrl: BASE })
    server.listen({ onUnhandledRequest: 'error' })
    return {
      baseUrl: BASE,
      engine,
      close: async () => {
        server.close()
        engine.close()
      },
    }
  })
})
