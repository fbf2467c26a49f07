import { parseArgs } from 'node:util'
import { build } from 'vite'
import { demoViteConfig } from './vite-config.js'

/*
 * `npm run demo:build`: the demo as static files in demo-dist/ (or --out <dir>). Serve them
 * anywhere and open index.html?mock=<mock server URL>; without `?mock=` the page uses
 * --mock (default http://127.0.0.1:4010, where `npm run mock-server -- --port 4010` listens).
 */

const { values } = parseArgs({ options: { out: { type: 'string' }, mock: { type: 'string' } } })
await build(
  demoViteConfig({
    mockUrl: values.mock ?? 'http://127.0.0.1:4010',
    logLevel: 'info',
    ...(values.out === undefined ? {} : { outDir: values.out }),
  }),
)
