import type { SessionView } from '../src/index.js'
import { follow, type Follower } from './lib/client.js'
import { createFeed, type Feed } from './lib/feed.js'
import { foldEvents } from './lib/sdk.js'
import { interleave, median, now, pairedRatio, percentile, ratio } from './lib/stats.js'
import type { Row } from './lib/table.js'
import { chunked, encode, prose, realisticTurn, Recording, seeded, type WireEvent } from './lib/wire.js'

/*
 * One whole turn (prompt, a step with reasoning and tool calls, a step that streams its answer,
 * activity running → idle) folded onto a session of 50,000 messages against the same turn onto
 * 10: nothing a turn does (appends, an activity snapshot, closing a step) may walk the list.
 */

const SMALL = 10
const LARGE = 50_000
const ROUNDS = 15
const WARMUP = 3
const SESSION = 'ses_bench0000000000000001'

interface Workload {
  /** The history, as the wire carries it: durable rows only, then an idle snapshot. */
  readonly history: WireEvent[]
  /** ROUNDS + WARMUP turns after it, each with its live deltas and activity. */
  readonly turns: WireEvent[][]
}

/** `messages` settled messages (a prompt and an answer a turn), then the measured turns: the same content for every size. */
function workload(messages: number): Workload {
  const recording = new Recording(SESSION, seeded(3))
  const filler = seeded(5)
  for (let i = 0; i < Math.ceil(messages / 2); i++) {
    recording.turn({ prompt: prose(filler, 40), reasoning: prose(filler, 40), text: prose(filler, 80), tools: [], chunk: 40 }, false)
  }
  recording.activity('idle')
  const history = recording.events.splice(0)
  const random = seeded(9)
  const turns: WireEvent[][] = []
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    recording.turn(realisticTurn(random, 600))
    turns.push(recording.events.splice(0))
  }
  return { history, turns }
}

/** foldEvents(turn, view), one call per turn, each onto the view the last one returned. */
function folder(work: Workload): () => Promise<number> {
  // The reducer's own view of the history: what a store holds.
  let view: SessionView = foldEvents(work.history as never)
  let next = 0
  return () => {
    const turn = work.turns[next++ % work.turns.length]!
    const started = now()
    view = foldEvents(turn as never, view)
    return Promise.resolve((now() - started) * 1000)
  }
}

interface Live {
  readonly feed: Feed
  readonly follower: Follower
  next: number
  readonly work: Workload
}

async function openLive(work: Workload, messages: number): Promise<Live> {
  const feed = createFeed()
  const follower = follow({ fetch: feed.fetch })
  await feed.push(chunked(encode(work.history), 64 * 1024))
  const view = await follower.until((v) => v.activity === 'idle' && v.messages.length >= messages)
  if (view.messages.length < messages) throw new Error(`prefill gave ${view.messages.length} messages`)
  return { feed, follower, next: 0, work }
}

/** The whole live path: the turn's frames one per task (a flush each), until its idle is shown. */
function liveTurn(live: Live): () => Promise<number> {
  return async () => {
    const turn = live.work.turns[live.next++]!
    const last = turn.findLast((event) => event.durable !== undefined)?.durable?.seq ?? -1
    const started = now()
    void live.feed.push(turn.map((event) => encode([event])))
    await live.follower.until((view) => view.cursor === last && view.activity === 'idle')
    return (now() - started) * 1000
  }
}

const figure = (samples: readonly number[]) =>
  `${(median(samples) / 1000).toFixed(2)} ms (p25–p75 ${(percentile(samples, 25) / 1000).toFixed(2)}–${(percentile(samples, 75) / 1000).toFixed(2)})`

const row = (what: string, small: readonly number[], large: readonly number[], events: number): Row => ({
  name: `10. one whole turn (${events} events), ${LARGE.toLocaleString('en')} vs ${SMALL} messages (${what})`,
  figure: figure(large),
  baseline: figure(small),
  ratio: ratio(pairedRatio(large, small)),
  goal: '≤ 1.30×',
  pass: pairedRatio(large, small) <= 1.3,
})

export async function run(): Promise<Row[]> {
  const small = workload(SMALL)
  const large = workload(LARGE)
  const events = small.turns[0]!.length
  const folds = await interleave({ small: folder(small), large: folder(large) }, ROUNDS, WARMUP)
  const liveSmall = await openLive(small, SMALL)
  const liveLarge = await openLive(large, LARGE)
  const lives = await interleave({ small: liveTurn(liveSmall), large: liveTurn(liveLarge) }, ROUNDS, WARMUP)
  liveSmall.follower.close()
  liveLarge.follower.close()
  return [row('foldEvents, one call per turn', folds.small, folds.large, events), row('live store, one event per task', lives.small, lives.large, events)]
}
