import type { SessionView } from '../src/index.js'
import { follow, type Follower } from './lib/client.js'
import { createFeed, type Feed } from './lib/feed.js'
import { selectPart } from './lib/sdk.js'
import { interleave, median, now, pairedRatio, ratio, us } from './lib/stats.js'
import type { Row } from './lib/table.js'
import { chunked, encode, openStep, prose, Recording, seeded, textDelta, type WireEvent } from './lib/wire.js'

const DELTAS = 2000
const OPEN_MESSAGE = 'msg_open00000000000000001'

/** `messages` finished messages (prompt + answer pairs), then a turn left open with its text part started. */
function prefill(messages: number): Uint8Array {
  const random = seeded(7)
  const recording = new Recording('ses_bench0000000000000001', random)
  for (let i = 0; i < messages / 2; i++) {
    recording.turn({ prompt: prose(random, 80), text: prose(random, 300), chunk: 4 }, false)
  }
  recording.activity('idle')
  openStep(recording, OPEN_MESSAGE)
  recording.activity('running')
  return encode(recording.events)
}

/** The same delta frames for every session size. */
function deltas(random: () => number): { frames: Uint8Array[]; length: number } {
  const events: WireEvent[] = []
  let length = 0
  for (let i = 0; i < DELTAS; i++) {
    const delta = prose(random, 3).slice(0, 4)
    length += delta.length
    events.push(textDelta('ses_bench0000000000000001', OPEN_MESSAGE, delta, `evt_delta${i.toString().padStart(12, '0')}`))
  }
  return { frames: events.map((event) => encode([event])), length }
}

interface Session {
  readonly feed: Feed
  readonly follower: Follower
  textLength: number
}

async function open(messages: number): Promise<Session> {
  const feed = createFeed()
  const follower = follow({ fetch: feed.fetch })
  await feed.push(chunked(prefill(messages), 16 * 1024))
  const view = await follower.until((v) => v.activity === 'running' && v.messages.at(-1)?.id === OPEN_MESSAGE)
  if (view.messages.length !== messages + 2) throw new Error(`prefill gave ${view.messages.length} messages`)
  return { feed, follower, textLength: 0 }
}

/**
 * How a subscriber reads the streaming text. `part` is what a part-level component does
 * (`useSessionPart`: `selectPart`); `list` also takes the whole message list, as a
 * component that renders every message from `view.messages` does on each change.
 */
type Reader = 'part' | 'list'

const openText = (view: SessionView, reader: Reader): number => {
  if (reader === 'list' && view.messages.length === 0) return -1
  const part = selectPart(view, OPEN_MESSAGE, 'text:text-0')
  return part?.type === 'text' ? part.text.length : -1
}

/** Feeds one batch of deltas and returns µs per delta, measured until the last one is in the view. */
async function batch(session: Session, chunks: readonly Uint8Array[], length: number, reader: Reader): Promise<number> {
  const target = session.textLength + length
  const started = now()
  void session.feed.push(chunks)
  await session.follower.until((view) => openText(view, reader) === target)
  session.textLength = target
  return ((now() - started) * 1000) / DELTAS
}

const row = (mode: string, small: readonly number[], large: readonly number[], goal = true): Row => ({
  name: `2. cost per text delta, 10,000 vs 10 messages (${mode})`,
  figure: us(median(large)),
  baseline: us(median(small)),
  ratio: ratio(pairedRatio(large, small)),
  goal: goal ? '≤ 1.50×' : '(reference)',
  pass: goal ? pairedRatio(large, small) <= 1.5 : undefined,
})

export async function run(): Promise<Row[]> {
  const { frames, length } = deltas(seeded(11))
  const bulk = chunked(concat(frames), 16 * 1024)
  const small = await open(10)
  const large = await open(10_000)
  const samples = await interleave(
    {
      smallBulk: () => batch(small, bulk, length, 'part'),
      largeBulk: () => batch(large, bulk, length, 'part'),
      smallEach: () => batch(small, frames, length, 'part'),
      largeEach: () => batch(large, frames, length, 'part'),
      smallList: () => batch(small, frames, length, 'list'),
      largeList: () => batch(large, frames, length, 'list'),
    },
    7,
    2,
  )
  small.follower.close()
  large.follower.close()
  return [
    row('16 KiB chunks', samples.smallBulk, samples.largeBulk),
    row('one delta per task', samples.smallEach, samples.largeEach),
    row('one delta per task, subscriber reads view.messages', samples.smallList, samples.largeList, false),
  ]
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
