import { follow } from './lib/client.js'
import { startServerProcess, type LiveSession } from './lib/server.js'
import { settledHeap } from './lib/stats.js'
import { getHeapSnapshot } from 'node:v8'
import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
const server = await startServerProcess()
async function client() {
  const live = (await server.request({ type: 'live' })) as LiveSession
  const follower = follow({ baseUrl: server.url, sessionID: live.sessionID, scheduler: null })
  const { handle } = follower
  await follower.until((view) => view.activity === 'running')
  const cycle = async () => {
    const before = handle.$connection.get().counters.reconnects
    await server.request({ type: 'drop' })
    await new Promise<void>((resolve) => {
      const check = () => { const s = handle.$connection.get(); return s.counters.reconnects > before && s.synced }
      if (check()) return resolve()
      const stop = handle.$connection.listen(() => { if (check()) { stop(); resolve() } })
    })
  }
  return { cycle, close: () => follower.close() }
}
//nowarm
const c = await client()
let done = 0
for (const target of [10, 1000, 2000, 3000]) {
  while (done < target) { await c.cycle(); done++ }
  performance.clearResourceTimings()
  console.log(target, ((await settledHeap()) / 1024).toFixed(0), 'KiB')
  if (target === 10 || target === 1000 || target === 3000) await pipeline(getHeapSnapshot(), createWriteStream(`/tmp/prof/heap-${target}.heapsnapshot`))
}
c.close()
await server.close()
