import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { follow } from './lib/client.js'
import { startServerProcess, type Seeded } from './lib/server.js'
const server = await startServerProcess()
const seeded = (await server.request({ type: 'seed', durable: 100_000 })) as Seeded
const once = async () => {
  const t0 = performance.now()
  const f = follow({ baseUrl: server.url, sessionID: seeded.sessionID, scheduler: null })
  await f.until((v) => v.activity !== 'unknown')
  f.close()
  return performance.now() - t0
}
console.log('warm', await once())
const session = new Session(); session.connect()
await session.post('Profiler.enable'); await session.post('Profiler.start')
console.log('run', await once(), await once())
const { profile } = await session.post('Profiler.stop')
writeFileSync('/tmp/prof/replay.cpuprofile', JSON.stringify(profile))
await server.close()
