/**
 * `npm run bench`: every benchmark in its own process (fresh heap and JIT, --expose-gc),
 * one after another so they do not compete for the two cores, then one table.
 * `npm run bench -- throughput replay` runs only those.
 */
import { fork } from 'node:child_process'
import { cpus } from 'node:os'
import { formatTable, isRows, type Row } from './lib/table.js'

const ALL = ['throughput', 'delta-cost', 'long-event', 'coalescing', 'latency', 'replay', 'memory', 'size', 'peer-size', 'render', 'turn-cost', 'reload'] as const
const TIMEOUT_MS = 90_000

function runOne(name: string): Promise<Row[]> {
  return new Promise((resolve) => {
    const failed = (why: string): Row[] => [{ name, figure: why, baseline: '', ratio: '', goal: '', pass: false }]
    const child = fork(new URL('./lib/entry.ts', import.meta.url), [name], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let rows: Row[] | undefined
    const timer = setTimeout(() => child.kill(), TIMEOUT_MS)
    child.on('message', (message: unknown) => {
      if (isRows(message)) rows = message
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(rows ?? failed(signal === null ? `exited with ${code}` : `killed (${signal}, timeout ${TIMEOUT_MS / 1000} s)`))
    })
  })
}

const picked = process.argv.slice(2)
const names = picked.length > 0 ? ALL.filter((name) => picked.includes(name)) : ALL
const started = performance.now()
const rows: Row[] = []
for (const name of names) {
  process.stderr.write(`bench: ${name}…\n`)
  rows.push(...(await runOne(name)))
}
const cpu = cpus()[0]?.model ?? 'unknown CPU'
console.log(`\n${cpus().length} × ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`)
console.log(formatTable(rows))
const failed = rows.filter((row) => row.pass === false).length
console.log(`\n${failed === 0 ? 'all goals met' : `${failed} goal(s) missed`}`)
