import type { SessionConnection, SessionEvent, SessionHandle, SessionView } from '../src/index.js'
import { decodeEvent, foldEvents, initialView } from './lib/sdk.js'
import { follow } from './lib/client.js'
import { grown, objectCounts } from './lib/heap-count.js'
import { startServerProcess, type LiveSession, type MockServerProcess } from './lib/server.js'
import { count, kb, mb, ratio, settledHeap } from './lib/stats.js'
import type { Row } from './lib/table.js'
import { realisticTurn, Recording, seeded } from './lib/wire.js'

const MESSAGES = 10_000
const CYCLES = 1000
const EARLY = 10

/** The durable log of a session with `messages` messages, as the JSON frames a replay would carry. */
function durableLog(messages: number): string[] {
  const random = seeded(13)
  const recording = new Recording('ses_bench0000000000000001', random)
  // A realistic turn is a prompt and two steps (the tool calls, then the answer): three messages.
  for (let i = 0; i < Math.ceil(messages / 3); i++) recording.turn(realisticTurn(random, 1500), false)
  return recording.events.map((event) => JSON.stringify(event))
}

/** Folds the log into a view, decoding as the client does, and keeps only the view. */
function fold(log: readonly string[]): SessionView {
  const events: SessionEvent[] = []
  for (const data of log) {
    const decoded = decodeEvent(data)
    if (decoded.kind === 'event') events.push(decoded.event)
  }
  return foldEvents(events, initialView('ses_bench0000000000000001'))
}

/**
 * Bytes of the distinct strings reachable from `value`, as V8 stores them: one byte per
 * character, two for a string with any character beyond Latin-1 (an em dash or an emoji
 * is enough).
 */
function stringBytes(value: unknown, seen = new Set<unknown>()): number {
  if (seen.has(value)) return 0
  if (typeof value === 'string') {
    seen.add(value)
    return value.length * (/[\u0100-\uffff]/.test(value) ? 2 : 1)
  }
  if (typeof value !== 'object' || value === null) return 0
  seen.add(value)
  return Object.values(value).reduce((sum: number, child: unknown) => sum + stringBytes(child, seen), 0)
}

const OVERHEAD_GOAL = 1024

async function retainedView(): Promise<Row> {
  const log = durableLog(MESSAGES)
  const before = await settledHeap()
  const view = fold(log)
  const after = await settledHeap()
  const messages = view.messages.length
  if (messages < MESSAGES || messages > MESSAGES + 2) throw new Error(`view has ${messages} messages`)
  const retained = after - before
  const content = stringBytes(view)
  const overhead = (retained - content) / messages
  return {
    name: `7. retained heap, ${count(MESSAGES)}-message view (${count(overhead)} B/message beyond its strings)`,
    figure: mb(retained),
    baseline: `${mb(content)} strings`,
    ratio: ratio(retained / content),
    goal: `≤ strings + ${OVERHEAD_GOAL} B/msg`,
    pass: overhead <= OVERHEAD_GOAL,
  }
}

function untilConnection(handle: SessionHandle, predicate: (status: SessionConnection) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (predicate(handle.$connection.get())) return resolve()
    const stop = handle.$connection.listen((status) => {
      if (!predicate(status)) return
      stop()
      resolve()
    })
  })
}

/** Opens a client on a live session; `cycle()` drops the stream and waits for the resubscribe. */
async function reconnecting(server: MockServerProcess): Promise<{ cycle(): Promise<void>; done(): number; close(): void }> {
  const live = (await server.request({ type: 'live' })) as LiveSession
  const follower = follow({ baseUrl: server.url, sessionID: live.sessionID, scheduler: null })
  const { handle } = follower
  await follower.until((view) => view.activity === 'running')
  return {
    async cycle() {
      const before = handle.$connection.get().counters.reconnects
      await server.request({ type: 'drop' })
      await untilConnection(handle, (status) => status.counters.reconnects > before && status.synced)
    },
    done: () => handle.$connection.get().counters.reconnects,
    close: () => follower.close(),
  }
}

/**
 * What the process grows by on its own is kept out: every fetch adds a PerformanceResourceTiming
 * entry to a buffer the platform caps at 250 (browsers too), emptied before measuring; and
 * the first ~1,000 cycles grow compiled code and bytecode by ~1.3 MB while the JIT settles,
 * so an unmeasured client runs them first. Heap-snapshot diffs of the measured span show
 * only code and V8's own lists, no SDK or undici objects.
 */
const heldHeap = (): Promise<number> => {
  performance.clearResourceTimings()
  return settledHeap('objects')
}

async function reconnects(server: MockServerProcess): Promise<Row> {
  const warmup = await reconnecting(server)
  for (let i = 0; i < CYCLES; i++) await warmup.cycle()
  warmup.close()
  const client = await reconnecting(server)
  for (let i = 0; i < EARLY; i++) await client.cycle()
  const census = await objectCounts() // first, so it is held in both measurements
  const early = await heldHeap()
  for (let i = EARLY; i < CYCLES; i++) await client.cycle()
  const late = await heldHeap()
  // A leak per reconnect shows as some kind of object whose count grows with the cycles.
  const leaks = grown(census, await objectCounts(), (CYCLES - EARLY) / 4)
  const total = client.done()
  client.close()
  const growth = late - early
  const leaked = leaks.length === 0 ? 'no object kind grew with the cycles' : `grew: ${leaks.slice(0, 3).map(([kind, n]) => `${kind} +${n}`).join(', ')}`
  return {
    name: `7. heap after ${count(CYCLES)} reconnects vs after ${EARLY} (${count(total)} done; ${leaked})`,
    figure: mb(late),
    baseline: mb(early),
    ratio: `+${kb(growth)}`,
    goal: 'growth ≤ 512 kB, no kind grows',
    pass: growth <= 512_000 && leaks.length === 0,
  }
}

export async function run(): Promise<Row[]> {
  const rows = [await retainedView()]
  const server = await startServerProcess()
  try {
    rows.push(await reconnects(server))
  } finally {
    await server.close()
  }
  return rows
}
