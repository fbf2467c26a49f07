import { createParser } from 'eventsource-parser'
import { follow } from './lib/client.js'
import { startServerProcess, type MockServerProcess, type Seeded } from './lib/server.js'
import { count, heapNow, mb, median, ms, now, ratio, settledHeap } from './lib/stats.js'
import type { Row } from './lib/table.js'

const DURABLE = 100_000
const ROUNDS = 3

const isSeeded = (value: unknown): value is Seeded =>
  typeof value === 'object' && value !== null && 'sessionID' in value && 'lastSeq' in value && 'messages' in value

interface Sample {
  readonly ms: number
  /** Highest heap in use above the settled heap before the run. */
  readonly peak: number
}

/** Samples the heap every 2 ms (and whenever `sample` is called) until stopped. */
function heapWatch(): { sample(): void; stop(): number } {
  let peak = heapNow()
  const sample = () => void (peak = Math.max(peak, heapNow()))
  const timer = setInterval(sample, 2)
  return {
    sample,
    stop: () => {
      clearInterval(timer)
      sample()
      return peak
    },
  }
}

async function bare(server: MockServerProcess, seeded: Seeded): Promise<Sample> {
  const before = await settledHeap()
  const watch = heapWatch()
  const started = now()
  const controller = new AbortController()
  const response = await fetch(`${server.url}/api/session/${seeded.sessionID}/event`, { signal: controller.signal })
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let synced = false
  let rows = 0
  const parser = createParser({
    onEvent: ({ data }) => {
      const event = JSON.parse(data) as { type: string; durable?: unknown }
      if (event.durable !== undefined) rows++
      if (event.type === 'session.activity') synced = true
    },
  })
  for (;;) {
    if (synced) break
    const { value, done } = await reader.read()
    if (done) throw new Error('stream ended')
    parser.feed(decoder.decode(value, { stream: true }))
  }
  const elapsed = now() - started
  controller.abort()
  await reader.cancel().catch(() => {})
  if (rows !== seeded.lastSeq) throw new Error(`bare replay saw ${rows} rows`)
  return { ms: elapsed, peak: watch.stop() - before }
}

async function client(server: MockServerProcess, seeded: Seeded): Promise<Sample & { retained: number }> {
  const before = await settledHeap()
  const watch = heapWatch()
  const started = now()
  const follower = follow({ baseUrl: server.url, sessionID: seeded.sessionID, scheduler: null, onView: watch.sample })
  const view = await follower.until((v) => v.activity !== 'unknown')
  const elapsed = now() - started
  const peak = watch.stop() - before
  follower.close()
  if (view.cursor !== seeded.lastSeq || view.messages.length < seeded.messages - 1) throw new Error('client replay incomplete')
  const retained = (await settledHeap()) - before
  return { ms: elapsed, peak, retained }
}

export async function run(): Promise<Row[]> {
  const server = await startServerProcess()
  try {
    const seeded = await server.request({ type: 'seed', durable: DURABLE })
    if (!isSeeded(seeded)) throw new Error('bad reply to seed')
    const bares: Sample[] = []
    const clients: (Sample & { retained: number })[] = []
    await bare(server, seeded)
    await client(server, seeded)
    for (let round = 0; round < ROUNDS; round++) {
      bares.push(await bare(server, seeded))
      clients.push(await client(server, seeded))
    }
    const time = median(clients.map((sample) => sample.ms))
    const bareTime = median(bares.map((sample) => sample.ms))
    // Paired per round: the server's own pace drifts on a shared machine, and hits both alike.
    const paired = median(clients.map((sample, i) => sample.ms / (bares[i]?.ms ?? Number.NaN)))
    const peak = median(clients.map((sample) => sample.peak))
    const barePeak = median(bares.map((sample) => sample.peak))
    const retained = median(clients.map((sample) => sample.retained))
    const what = `${count(seeded.lastSeq)} durable events, ${(seeded.bytes / 1e6).toFixed(1)} MB, ${count(seeded.messages)} messages`
    return [
      {
        name: `6. replay of the whole log → synced (${what})`,
        figure: ms(time),
        baseline: ms(bareTime),
        ratio: ratio(paired),
        goal: '≤ 2.00× bare',
        pass: paired <= 2,
      },
      {
        name: `6. replay peak heap above start (view retained after: ${mb(retained)})`,
        figure: mb(peak),
        baseline: mb(barePeak),
        ratio: ratio(peak / barePeak),
        goal: '≤ view + 64 MiB',
        pass: peak <= retained + 64 * 1024 * 1024,
      },
    ]
  } finally {
    await server.close()
  }
}
