import { createServer } from 'vite'
import { startMockServer, type MockServer } from '../mock-server/node.js'
import { demoViteConfig } from './vite-config.js'

/*
 * `npm run demo`: the mock server plus a Vite dev server for the demo page, one line to
 * tell you where to look, both stopped on Ctrl-C.
 */

const HOST = '127.0.0.1'

async function startMock(): Promise<MockServer> {
  for (let port = 4010; port < 4030; port++) {
    try {
      // Heartbeats every 2 s, well inside the page's 6 s idle timeout: a stall shows quickly.
      return await startMockServer({ host: HOST, port, heartbeatMs: 2000 })
    } catch (cause) {
      if ((cause as { code?: unknown }).code !== 'EADDRINUSE') throw cause
    }
  }
  throw new Error('no free port for the mock server in 4010..4029')
}

const mock = await startMock()
const vite = await createServer({
  ...demoViteConfig({ mockUrl: mock.url }),
  server: { host: HOST, port: 5173, strictPort: false },
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
