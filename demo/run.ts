import { createServer } from 'vite'
import { startMockServer, type MockServer } from '../mock-server/node.js'

/*
 * `npm run demo`: the mock server plus a Vite dev server for the demo page, one line to
 * tell you where to look, both stopped on Ctrl-C. Vite gets an inline config: the
 * repository's vite.config.ts configures vitest, not this page.
 */

const HOST = '127.0.0.1'

async function startMock(): Promise<MockServer> {
  for (let port = 4010; port < 4030; port++) {
    try {
      return await startMockServer({ host: HOST, port })
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== 'EADDRINUSE') throw cause
    }
  }
  throw new Error('no free port for the mock server in 4010..4029')
}

const mock = await startMock()
const vite = await createServer({
  configFile: false,
  root: import.meta.dirname,
  logLevel: 'warn',
  clearScreen: false,
  server: { host: HOST, port: 5173, strictPort: false },
  define: { DEMO_MOCK_URL: JSON.stringify(mock.url) },
})
await vite.listen()
const page = vite.resolvedUrls?.local[0] ?? `http://${HOST}:${vite.config.server.port}/`
console.log(`session-stream demo: open ${page}  (mock server ${mock.url}; Ctrl-C stops both)`)

let stopping = false
const stop = (): void => {
  if (stopping) return
  stopping = true
  void Promise.allSettled([vite.close(), mock.close()]).then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
