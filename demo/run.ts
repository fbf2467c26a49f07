import { parseArgs } from 'node:util'
import { createServer } from 'vite'
import { startMockServer, type MockServer } from '../mock-server/node.js'
import { parseServerUrl } from './lib/server-url.js'
import { demoViteConfig } from './vite-config.js'

/*
 * `npm run demo`: the mock server plus a Vite dev server for the demo page, one line to
 * tell you where to look, both stopped on Ctrl-C.
 *
 * `npm run demo -- --opencode http://127.0.0.1:4096`: the page alone, following a real
 * opencode server (no mock server is started). The page asks for a password if the server
 * wants one; it is never passed on the command line.
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

/** One look at the server, so a wrong address shows here too; the page says the same in its own words. */
async function probe(url: string): Promise<string> {
  try {
    const response = await fetch(`${url}/api/session`, { signal: AbortSignal.timeout(3000) })
    await response.body?.cancel()
    if (response.status === 401) return 'it wants a password: type it into the page'
    return response.ok ? 'it answers' : `it answered ${response.status} to GET /api/session`
  } catch {
    return 'nothing answers there yet: start it with `opencode serve --port 4096`'
  }
}

const { values } = parseArgs({ options: { opencode: { type: 'string' } } })
const parsed = values.opencode === undefined ? undefined : parseServerUrl(values.opencode)
if (parsed !== undefined && 'error' in parsed) {
  console.error(`session-stream demo: --opencode: ${parsed.error}`)
  process.exit(1)
}
const opencode = parsed?.url
const mock = opencode === undefined ? await startMock() : undefined

const vite = await createServer({
  ...demoViteConfig(opencode === undefined ? { mockUrl: mock?.url ?? '' } : { opencodeUrl: opencode }),
  server: { host: HOST, port: 5173, strictPort: false },
})
await vite.listen()
const page = vite.resolvedUrls?.local[0] ?? `http://${HOST}:${vite.config.server.port}/`
if (opencode === undefined) {
  console.log(`session-stream demo: open ${page}  (mock server ${mock?.url}; Ctrl-C stops both)`)
} else {
  console.log(`session-stream demo: open ${page}  (opencode server ${opencode}: ${await probe(opencode)}; Ctrl-C stops the page)`)
}

let stopping = false
const stop = (): void => {
  if (stopping) return
  stopping = true
  void Promise.allSettled([vite.close(), mock?.close()]).then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
