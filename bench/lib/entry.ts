import type { Row } from './table.js'

/** Each benchmark runs in its own process (fresh heap and JIT); this picks it by name. */
const benches = {
  throughput: () => import('../throughput.js'),
  'delta-cost': () => import('../delta-cost.js'),
  'long-event': () => import('../long-event.js'),
  coalescing: () => import('../coalescing.js'),
  latency: () => import('../latency.js'),
  replay: () => import('../replay.js'),
  memory: () => import('../memory.js'),
  size: () => import('../size.js'),
  'peer-size': () => import('../peer-size.js'),
  'turn-cost': () => import('../turn-cost.js'),
  render: () => import('../render.js'),
  reload: () => import('../reload.js'),
} satisfies Record<string, () => Promise<{ run(): Promise<Row[]> }>>

const isBench = (name: string | undefined): name is keyof typeof benches => name !== undefined && name in benches

const name = process.argv[2]
if (!isBench(name)) throw new Error(`unknown benchmark ${name ?? '(none)'}`)
const rows = await (await benches[name]()).run()
if (process.send === undefined) console.log(JSON.stringify(rows, null, 2))
else process.send(rows, () => process.exit(0))
