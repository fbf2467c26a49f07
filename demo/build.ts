import { parseArgs } from 'node:util'
import { build } from 'vite'
import { parseServerUrl } from './lib/server-url.js'
import { demoViteConfig } from './vite-config.js'

/*
 * `npm run demo:build`: the demo as static files in demo-dist/ (or --out <dir>). Serve them
 * anywhere and open index.html?mock=<mock server URL> or ?opencode=<opencode server URL>;
 * without either the page uses --opencode when given, else --mock (default
 * http://127.0.0.1:4010, where `npm run mock-server -- --port 4010` listens).
 */

const { values } = parseArgs({ options: { out: { type: 'string' }, mock: { type: 'string' }, opencode: { type: 'string' } } })
const opencode = values.opencode === undefined ? undefined : parseServerUrl(values.opencode)
if (opencode !== undefined && 'error' in opencode) {
  console.error(`demo:build: --opencode: ${opencode.error}`)
  process.exit(1)
}
await build(
  demoViteConfig({
    mockUrl: values.mock ?? 'http://127.0.0.1:4010',
    ...(opencode === undefined ? {} : { opencodeUrl: opencode.url }),
    logLevel: 'info',
    ...(values.out === undefined ? {} : { outDir: values.out }),
  }),
)
