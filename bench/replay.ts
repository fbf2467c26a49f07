import { fork, type ChildProcess } from 'node:child_process'
import { createParser } from 'eventsource-parser'
import type { DurableEventType } from '../src/index.js'
import { follow } from './lib/client.js'
import { createFeed } from './lib/feed.js'
import { count, heapNow, interleave, mb, median, ms, now, pairedRatio, percentile, ratio, settledHeap } from './lib/stats.js'
import type { Row } from './lib/table.js'
import { chunked, encode } from './lib/wire.js'
import { createDurableLog, pushChunks, writeDurableTurns } from './lib/workload.js'

/*
 * Benchmark 6: a session's whole log replayed (no `after`) until the activity snapshot is
 * shown. The log holds the realistic workload's durable rows (bench/lib/workload.ts: its
 * prompts, steps, reasoning, answers, tool calls and outputs, one 1 MiB read), committed to
 * the mock server, which runs in a child process (this same module, started with
 * BENCH_REPLAY_SERVER=1) and streams over loopback with the real fetch. Over loopback both
 * sides wait on the server's pace; the same rows are also replayed from memory (the fake
 * fetch of bench/lib/feed.ts, 16 KiB chunks), where only the reading side's cost counts.
 */

const DURABLE = 100_000
const ROUNDS = 3
/** From memory a run is short and the machine's noise large: more rounds, paired. */
const MEMORY_ROUNDS = 7
const SERVER_FLAG = 'BENCH_REPLAY_SERVER'
/** Turn of the 1 MiB read: early enough that every log this size has it. */
const BIG_TURN = 1_000

interface Seeded {
  readonly url: string
  readonly sessionID: string
  readonly lastSeq: number
  readonly messages: number
  readonly bytes: number
  readonly turns: number
}

const isSeeded = (value: unknown): value is Seeded =>
  typeof value === 'object' && value !== null && 'url' in value && 'sessionID' in value && 'lastSeq' in value && 'messages' in value

/** The child: a mock server whose one session holds DURABLE rows of the workload. */
async function serve(): Promise<void> {
  const { startMockServer } = await import('../mock-server/node.js')
  const server = await startMockServer({ queueLimit: 100_000 })
  const { engine } = server
  const sessionID = engine.createSession({ title: 'replay' })
  let messages = 0
  let bytes = 0
  const full = () => engine.latestSeq(sessionID) >= DURABLE
  const turns = writeDurableTurns(
    {
      durable: (type, data) => {
        if (full()) return
        // The generator writes the catalogue's shapes (verified in benchmark 1); the engine stamps timestamp and sessionID.
        const row = engine.commit(sessionID, type as DurableEventType, data as never)
        bytes += Buffer.byteLength(JSON.stringify(row)) + 8
        if (type === 'session.next.prompt.admitted' || type === 'session.next.step.started') messages++
      },
    },
    full,
    { seed: 3, bigTurn: BIG_TURN },
  )
  const seeded: Seeded = { url: server.url, sessionID, lastSeq: engine.latestSeq(sessionID), messages, bytes, turns }
  process.on('disconnect', () => void server.close().then(() => process.exit(0)))
  process.send?.(seeded)
}

if (process.env[SERVER_FLAG] === '1') await serve()

async function startServer(): Promise<{ seeded: Seeded; close(): Promise<void> }> {
  const child: ChildProcess = fork(new URL(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [SERVER_FLAG]: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const seeded = await new Promise<Seeded>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`replay server exited with ${code}`)))
    child.once('message', (message: unknown) => (isSeeded(message) ? resolve(message) : reject(new Error('replay server did not start'))))
  })
  child.removeAllListeners('exit')
  return {
    seeded,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill()
      }),
  }
}

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

/** The floor: the real fetch, eventsource-parser, JSON.parse of every frame. */
async function bare(seeded: Seeded): Promise<Sample> {
  const before = await settledHeap()
  const watch = heapWatch()
  const started = now()
  const controller = new AbortController()
  const response = await fetch(`${seeded.url}/api/session/${seeded.sessionID}/event`, { signal: controller.signal })
  const { rows, cancel } = await readToSnapshot(response.body!, 'nothing')
  const elapsed = now() - started
  controller.abort()
  await cancel()
  if (rows !== seeded.lastSeq) throw new Error(`bare replay saw ${rows} rows`)
  return { ms: elapsed, peak: watch.stop() - before }
}

async function client(seeded: Seeded): Promise<Sample & { retained: number }> {
  const before = await settledHeap()
  const watch = heapWatch()
  const started = now()
  const follower = follow({ baseUrl: seeded.url, sessionID: seeded.sessionID, scheduler: null, onView: watch.sample })
  const view = await follower.until((v) => v.activity !== 'unknown')
  const elapsed = now() - started
  const peak = watch.stop() - before
  follower.close()
  if (view.cursor !== seeded.lastSeq || view.messages.length !== seeded.messages) {
    throw new Error(`client replay incomplete: cursor ${view.cursor} of ${seeded.lastSeq}, ${view.messages.length} of ${seeded.messages} messages`)
  }
  const retained = (await settledHeap()) - before
  return { ms: elapsed, peak, retained }
}

interface Replay {
  readonly sessionID: string
  readonly lastSeq: number
  readonly messages: number
  readonly bytes: number
  readonly chunks: readonly Uint8Array[]
}

/** The same kind of log, in memory: DURABLE rows and the snapshot, SSE-encoded, cut into 16 KiB chunks. */
function inMemory(): Replay {
  const log = createDurableLog({ durable: DURABLE, seed: 3, bigTurn: BIG_TURN })
  const bytes = encode(log.events)
  return { sessionID: log.sessionID, lastSeq: log.lastSeq, messages: log.messages, bytes: bytes.length, chunks: chunked(bytes, 16 * 1024) }
}

/**
 * What a floor keeps of each parsed event: nothing; all of it; or only what a transcript
 * shows (the texts, and the tools' input and output), the least any client that shows the
 * history must hold.
 */
type Keep = 'nothing' | 'everything' | 'shown'

const shown = (data: Readonly<Record<string, unknown>>): unknown[] =>
  [data.text, data.input, data.structured, data.content].filter((value) => value !== undefined)

/**
 * The floor in memory: eventsource-parser + JSON.parse until the snapshot. A floor that keeps
 * pays what anything that shows the history pays: the garbage collector copies what survives
 * into the old generation, which a floor that drops its objects never does.
 */
async function memoryFloor(replay: Replay, keep: Keep = 'nothing'): Promise<number> {
  // Each run starts from a settled heap: none pays for collecting the one before it.
  await settledHeap()
  const feed = createFeed()
  const started = now()
  const response = await feed.fetch('http://bench.invalid')
  void pushChunks(feed, replay.chunks)
  const { rows, kept, cancel } = await readToSnapshot(response.body!, keep)
  const elapsed = now() - started
  await cancel()
  if (rows !== replay.lastSeq || (keep !== 'nothing' && kept < replay.messages)) throw new Error(`in-memory floor saw ${rows} rows`)
  return elapsed
}

/**
 * The floor's reading, over the network or from memory: eventsource-parser and JSON.parse of
 * every frame until the activity snapshot, keeping what `keep` says. Returns the durable rows
 * seen and how many values were kept.
 */
async function readToSnapshot(body: ReadableStream<Uint8Array>, keep: Keep): Promise<{ rows: number; kept: number; cancel(): Promise<void> }> {
  const kept: unknown[] = []
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let synced = false
  let rows = 0
  const parser = createParser({
    onEvent: ({ data }) => {
      const event = JSON.parse(data) as { type: string; durable?: unknown; data: Readonly<Record<string, unknown>> }
      if (keep === 'everything') kept.push(event)
      else if (keep === 'shown') kept.push(...shown(event.data))
      if (event.durable !== undefined) rows++
      if (event.type === 'session.activity') synced = true
    },
  })
  while (!synced) {
    const { value, done } = await reader.read()
    if (done) throw new Error('stream ended before the snapshot')
    parser.feed(decoder.decode(value, { stream: true }))
  }
  // Cancelled by the caller, once its clock has stopped.
  return { rows, kept: kept.length, cancel: () => reader.cancel().catch(() => {}) }
}

/** Our client in memory, the SDK's default scheduler, until the snapshot is shown. */
async function memoryClient(replay: Replay): Promise<number> {
  await settledHeap()
  const feed = createFeed()
  const started = now()
  const follower = follow({ fetch: feed.fetch, sessionID: replay.sessionID, scheduler: null })
  void pushChunks(feed, replay.chunks)
  const view = await follower.until((v) => v.activity !== 'unknown')
  const elapsed = now() - started
  follower.close()
  if (view.cursor !== replay.lastSeq || view.messages.length !== replay.messages) throw new Error('in-memory client replay incomplete')
  return elapsed
}

const spread = (values: readonly number[], format: (value: number) => string): string =>
  `${format(median(values))} (${format(percentile(values, 0))}–${format(percentile(values, 100))})`

export async function run(): Promise<Row[]> {
  const server = await startServer()
  const { seeded } = server
  try {
    const bares: Sample[] = []
    const clients: (Sample & { retained: number })[] = []
    await bare(seeded)
    await client(seeded)
    for (let round = 0; round < ROUNDS; round++) {
      bares.push(await bare(seeded))
      clients.push(await client(seeded))
    }
    const times = clients.map((sample) => sample.ms)
    const bareTimes = bares.map((sample) => sample.ms)
    // Paired per round: the server's own pace drifts on a shared machine, and hits both alike.
    const paired = median(clients.map((sample, i) => sample.ms / (bares[i]?.ms ?? Number.NaN)))
    const peak = median(clients.map((sample) => sample.peak))
    const barePeak = median(bares.map((sample) => sample.peak))
    const retained = median(clients.map((sample) => sample.retained))
    const replay = inMemory()
    const memory = await interleave(
      {
        floor: () => memoryFloor(replay),
        keeping: () => memoryFloor(replay, 'everything'),
        shown: () => memoryFloor(replay, 'shown'),
        client: () => memoryClient(replay),
      },
      MEMORY_ROUNDS,
      1,
    )
    const memoryRatio = pairedRatio(memory.client, memory.floor)
    const keepingRatio = pairedRatio(memory.client, memory.keeping)
    const shownRatio = pairedRatio(memory.shown, memory.floor)
    const what = `${count(seeded.lastSeq)} durable events of the workload, ${(seeded.bytes / 1e6).toFixed(1)} MB, ${count(seeded.messages)} messages`
    return [
      {
        name: `6. replay of the whole log → synced (${what})`,
        figure: spread(times, ms),
        baseline: `${spread(bareTimes, ms)} eventsource-parser + JSON.parse`,
        ratio: ratio(paired),
        goal: '≤ 1.30× floor',
        pass: paired <= 1.3,
      },
      {
        name: `6. the same replay from memory (fake fetch, 16 KiB chunks; ${(replay.bytes / 1e6).toFixed(1)} MB, ${count(replay.messages)} messages)`,
        figure: spread(memory.client, ms),
        baseline: `${spread(memory.floor, ms)} eventsource-parser + JSON.parse`,
        ratio: ratio(memoryRatio),
        goal: '≤ 1.30× floor',
        pass: memoryRatio <= 1.3,
      },
      {
        name: '6. the same, against a floor that keeps every parsed event (what retaining the history costs)',
        figure: spread(memory.client, ms),
        baseline: `${spread(memory.keeping, ms)} eventsource-parser + JSON.parse, kept`,
        ratio: ratio(keepingRatio),
        goal: '(reference)',
        pass: undefined,
      },
      {
        name: '6. a floor that keeps only what a transcript shows (texts, tool input and output) vs the floor: the least that showing the history costs',
        figure: spread(memory.shown, ms),
        baseline: `${spread(memory.floor, ms)} eventsource-parser + JSON.parse`,
        ratio: ratio(shownRatio),
        goal: '(bound)',
        pass: undefined,
      },
      {
        name: `6. replay peak heap above start (view retained after: ${mb(retained)})`,
        figure: spread(clients.map((sample) => sample.peak), mb),
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
