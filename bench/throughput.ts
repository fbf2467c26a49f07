import { fetchEventSource } from '@microsoft/fetch-event-source'
import { createParser } from 'eventsource-parser'
import type { SessionView } from '../src/index.js'
import { follow } from './lib/client.js'
import { createFeed } from './lib/feed.js'
import { importPeer, peerVersion } from './lib/peers.js'
import { createSessionClient, decodeEvent, foldEvents } from './lib/sdk.js'
import { count, interleave, median, now, pairedRatio, percentile, ratio, sleep } from './lib/stats.js'
import type { Row } from './lib/table.js'
import { checkView, createWorkload, pushChunks, verifyWorkload, type Workload } from './lib/workload.js'

/*
 * Benchmark 1: the realistic workload (bench/lib/workload.ts: 40 turns, deltas of 3–20
 * characters, tool calls, one 1 MiB tool output) through our whole client and through peers,
 * the same chunks read the same way (bench/lib/feed.ts: one chunk per task, on request), at
 * 16 KiB chunks (socket-sized reads) and at 64 B chunks (a frame arrives in many pieces).
 * All variants of both sizes run interleaved, round after round; figures are medians.
 */

const SIZES = [16 * 1024, 64] as const
const ROUNDS = 7
const WARMUP = 2
const STREAM_URL = 'http://bench.invalid/api/session/event'
/** Full path's goal, as a share of the floor's event rate, per chunk size. */
const GOALS: Readonly<Record<number, number>> = { [16 * 1024]: 0.6, 64: 0.5 }

/** Reads the feed's body with a reader and hands each chunk to `onChunk` until `done()`. */
async function readAll(workload: Workload, size: number, onChunk: (chunk: Uint8Array) => void, done: () => boolean): Promise<number> {
  const feed = createFeed()
  const started = now()
  const response = await feed.fetch(STREAM_URL)
  void pushChunks(feed, workload.chunks(size))
  const reader = response.body!.getReader()
  while (!done()) {
    const { value } = await reader.read()
    if (value !== undefined) onChunk(value)
  }
  const elapsed = now() - started
  await reader.cancel()
  return elapsed
}

/** The floor: eventsource-parser splits, each frame's data is JSON.parsed. */
function floor(workload: Workload, size: number): Promise<number> {
  const decoder = new TextDecoder()
  let seen = 0
  const parser = createParser({
    onEvent: (message) => {
      const value: unknown = JSON.parse(message.data)
      if (typeof value === 'object' && value !== null) seen++
    },
  })
  return readAll(workload, size, (chunk) => parser.feed(decoder.decode(chunk, { stream: true })), () => seen === workload.events.length)
}

/**
 * The physical limit: decode, cut lines at `\n` (frames are single `data:` lines; JSON has no
 * raw newline), JSON.parse each line's data. No SSE field handling at all.
 */
function bare(workload: Workload, size: number): Promise<number> {
  const decoder = new TextDecoder()
  let seen = 0
  let pending = ''
  const line = (text: string) => {
    if (!text.startsWith('data: ')) return
    const value: unknown = JSON.parse(text.slice(6))
    if (typeof value === 'object' && value !== null) seen++
  }
  const onChunk = (chunk: Uint8Array) => {
    const text = decoder.decode(chunk, { stream: true })
    let start = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      line(pending === '' ? text.slice(start, end) : pending + text.slice(start, end))
      pending = ''
      start = end + 1
    }
    pending += text.slice(start)
  }
  return readAll(workload, size, onChunk, () => seen === workload.events.length)
}

/** @microsoft/fetch-event-source on the same fake fetch; it needs `window` and `document`, stubbed for the run. */
async function microsoft(workload: Workload, size: number): Promise<number> {
  const globals = globalThis as { window?: unknown; document?: unknown }
  const stubbed = globals.window === undefined
  if (stubbed) {
    globals.window = globalThis
    globals.document = { hidden: false, addEventListener: () => {}, removeEventListener: () => {} }
  }
  try {
    const feed = createFeed()
    const controller = new AbortController()
    let seen = 0
    let finished!: () => void
    const all = new Promise<void>((resolve) => (finished = resolve))
    const started = now()
    void fetchEventSource(STREAM_URL, {
      fetch: feed.fetch,
      signal: controller.signal,
      openWhenHidden: true,
      onmessage: (message) => {
        const value: unknown = JSON.parse(message.data)
        if (typeof value === 'object' && value !== null && ++seen === workload.events.length) finished()
      },
      onerror: (error: unknown) => {
        throw error
      },
    })
    void pushChunks(feed, workload.chunks(size))
    await all
    const elapsed = now() - started
    controller.abort()
    return elapsed
  } finally {
    if (stubbed) {
      delete globals.window
      delete globals.document
    }
  }
}

interface EventSourceModule {
  readonly EventSource: new (url: string, init: { fetch: typeof fetch }) => {
    addEventListener(type: 'message', listener: (event: MessageEvent<string>) => void): void
    close(): void
  }
}

/** The `eventsource` package (WHATWG EventSource over a custom fetch), on the same fake fetch. */
async function eventsource(module: EventSourceModule, workload: Workload, size: number): Promise<number> {
  const feed = createFeed()
  let seen = 0
  let finished!: () => void
  const all = new Promise<void>((resolve) => (finished = resolve))
  const started = now()
  const source = new module.EventSource(STREAM_URL, { fetch: feed.fetch })
  source.addEventListener('message', (message) => {
    const value: unknown = JSON.parse(message.data)
    if (typeof value === 'object' && value !== null && ++seen === workload.events.length) finished()
  })
  void pushChunks(feed, workload.chunks(size))
  await all
  const elapsed = now() - started
  source.close()
  return elapsed
}

/**
 * Our whole client: SSE, JSON, validation, gate, reducer, store, the SDK's default scheduler
 * (in Node: a flush at most every 4 ms), done when the final idle is shown.
 */
async function client(workload: Workload, size: number): Promise<number> {
  const feed = createFeed()
  const started = now()
  const follower = follow({ fetch: feed.fetch, sessionID: workload.sessionID, scheduler: null })
  void pushChunks(feed, workload.chunks(size))
  const view = await follower.until((v) => v.cursor === workload.lastSeq && v.activity === 'idle')
  const elapsed = now() - started
  follower.close()
  const problems = checkView(view, workload.expected)
  if (problems.length > 0) throw new Error(`client view is wrong: ${problems.join('; ')}`)
  return elapsed
}

/**
 * Once, untimed: every frame decodes as a known event, the fold has no orphans, and the
 * client reports no invalid or unknown event and no orphan, and shows the expected view.
 */
async function verify(workload: Workload): Promise<void> {
  const offline = verifyWorkload(workload, { decodeEvent, foldEvents })
  if (offline.problems.length > 0) throw new Error(`workload does not fold cleanly: ${offline.problems.join('; ')}`)
  const feed = createFeed()
  let reported = 0
  const client = createSessionClient({
    baseUrl: 'http://bench.invalid',
    fetch: feed.fetch,
    onInvalidEvent: () => void reported++,
    onUnknownEvent: () => void reported++,
  })
  const handle = client.session(workload.sessionID)
  const stopConnection = handle.$connection.listen(() => {})
  const done = new Promise<SessionView>((resolve) => {
    const stop = handle.$view.listen((view) => {
      if (view.cursor !== workload.lastSeq || view.activity !== 'idle') return
      stop()
      resolve(view)
    })
  })
  void pushChunks(feed, workload.chunks(SIZES[0]))
  const view = await done
  await sleep(300) // counters are published at most every 250 ms
  const { counters } = handle.$connection.get()
  stopConnection()
  client.close()
  const problems = checkView(view, workload.expected)
  if (reported > 0) problems.push(`${reported} invalid or unknown events`)
  if (counters.orphans > 0) problems.push(`${counters.orphans} orphans`)
  if (problems.length > 0) throw new Error(`client on the workload: ${problems.join('; ')}`)
}

const short = (rate: number): string => (rate >= 1e6 ? `${(rate / 1e6).toFixed(2)}M` : `${Math.round(rate / 1e3)}k`)

/** Median event rate and its spread (min–max over rounds). */
function rateOf(workload: Workload, samples: readonly number[]): { text: string; median: number } {
  const rates = samples.map((ms) => workload.events.length / (ms / 1000))
  const mid = median(rates)
  const mbs = (workload.bytes.length / 1e6) * (mid / workload.events.length)
  return {
    median: mid,
    text: `${count(mid)} ev/s, ${mbs.toFixed(1)} MB/s (${short(percentile(rates, 0))}–${short(percentile(rates, 100))})`,
  }
}

export async function run(): Promise<Row[]> {
  const workload = createWorkload()
  await verify(workload)
  const es = await importPeer<EventSourceModule>('eventsource')
  for (const size of SIZES) workload.chunks(size)

  type Name = 'client' | 'floor' | 'bare' | 'microsoft' | 'eventsource'
  const variants: Record<string, () => Promise<number>> = {}
  for (const size of SIZES) {
    variants[`client@${size}`] = () => client(workload, size)
    variants[`floor@${size}`] = () => floor(workload, size)
    variants[`bare@${size}`] = () => bare(workload, size)
    variants[`microsoft@${size}`] = () => microsoft(workload, size)
    variants[`eventsource@${size}`] = () => eventsource(es, workload, size)
  }
  const samples = await interleave(variants, ROUNDS, WARMUP)
  const at = (name: Name, size: number): number[] => samples[`${name}@${size}`] ?? []

  const { stats } = workload
  const what = `${count(stats.events)} events, ${count(stats.deltas)} deltas, ${(stats.bytes / 1e6).toFixed(1)} MB`
  const rows: Row[] = []
  for (const size of SIZES) {
    const label = size >= 1024 ? `${size / 1024} KiB` : `${size} B`
    const floorRate = rateOf(workload, at('floor', size))
    // Rate ratio = the floor's time over ours, paired per round.
    const share = pairedRatio(at('floor', size), at('client', size))
    const goal = GOALS[size] ?? 0.5
    rows.push({
      name: `1. full client path vs eventsource-parser + JSON.parse, ${label} chunks (${what})`,
      figure: rateOf(workload, at('client', size)).text,
      baseline: floorRate.text,
      ratio: ratio(share),
      goal: `≥ ${goal.toFixed(2)}× floor`,
      pass: share >= goal,
    })
    const peers: [Name, string][] = [
      ['bare', 'bare JSON.parse per line (physical limit)'],
      ['microsoft', '@microsoft/fetch-event-source 2.0.1 + JSON.parse'],
      ['eventsource', `eventsource ${peerVersion('eventsource')} + JSON.parse`],
    ]
    for (const [name, title] of peers) {
      rows.push({
        name: `1. ${title}, ${label} chunks`,
        figure: rateOf(workload, at(name, size)).text,
        baseline: floorRate.text,
        ratio: ratio(pairedRatio(at('floor', size), at(name, size))),
        goal: '(reference)',
        pass: undefined,
      })
    }
  }
  return rows
}
