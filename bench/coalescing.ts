import { follow, type Follower } from './lib/client.js'
import { createFeed, type Feed } from './lib/feed.js'
import { count, now, sleep } from './lib/stats.js'
import type { Row } from './lib/table.js'
import { encode, openStep, Recording, seeded, textDelta } from './lib/wire.js'

const DELTAS = 10_000
const TICKS = 1000
const FRAME_MS = 1000 / 60
const MESSAGE = 'msg_coalesce000000000001'

function stream(): { prefix: Uint8Array; frames: Uint8Array[] } {
  const recording = new Recording('ses_bench0000000000000001', seeded(3))
  const sessionID = recording.sessionID
  openStep(recording, MESSAGE)
  recording.activity('running')
  const frames = Array.from({ length: DELTAS }, (_, i) => encode([textDelta(sessionID, MESSAGE, 'abcd', `evt_c${i}`)]))
  return { prefix: encode(recording.events), frames }
}

const textLength = (follower: Follower): number => {
  const message = follower.handle.$view.get().messages.at(-1)
  const part = message?.role === 'assistant' ? message.parts[0] : undefined
  return part?.type === 'text' ? part.text.length : -1
}

/**
 * Delivers the deltas over about one second: each millisecond timer task hands the
 * client 10 chunks of one delta each. Returns notifications, and the producer's tasks.
 */
async function deliver(feed: Feed, follower: Follower, frames: readonly Uint8Array[]): Promise<{ notified: number; tasks: number; ms: number }> {
  const before = follower.notifications
  const perTick = DELTAS / TICKS
  const started = now()
  let tasks = 0
  for (let tick = 0; tick < TICKS; tick++) {
    void feed.push(frames.slice(tick * perTick, (tick + 1) * perTick))
    tasks++
    await sleep(1)
  }
  await follower.until(() => textLength(follower) === DELTAS * 4)
  return { notified: follower.notifications - before, tasks, ms: now() - started }
}

async function perTask(data: ReturnType<typeof stream>): Promise<Row> {
  const feed = createFeed({ perTask: false })
  const follower = follow({ fetch: feed.fetch, scheduler: null }) // the SDK's default: at most every 4 ms in Node
  await feed.push([data.prefix])
  await follower.until((view) => view.activity === 'running')
  const { notified, tasks, ms } = await deliver(feed, follower, data.frames)
  follower.close()
  return {
    name: `4. notifications for ${count(DELTAS)} deltas over ${(ms / 1000).toFixed(2)} s (Node: per task)`,
    figure: `${count(notified)} notifications`,
    baseline: `${count(tasks)} tasks`,
    ratio: `${(DELTAS / notified).toFixed(1)} deltas/notif.`,
    goal: '≤ 1 per task',
    pass: notified <= tasks,
  }
}

/** The browser path: a 60 Hz requestAnimationFrame stand-in, counting the frames that ran. */
async function perFrame(data: ReturnType<typeof stream>): Promise<Row> {
  let frames = 0
  const raf = (callback: (time: number) => void): ReturnType<typeof setTimeout> =>
    setTimeout(() => {
      frames++
      callback(now())
    }, FRAME_MS)
  Reflect.set(globalThis, 'requestAnimationFrame', raf)
  Reflect.set(globalThis, 'cancelAnimationFrame', (handle: ReturnType<typeof setTimeout>) => clearTimeout(handle))
  try {
    const feed = createFeed({ perTask: false })
    const follower = follow({ fetch: feed.fetch, scheduler: null })
    await feed.push([data.prefix])
    await follower.until((view) => view.activity === 'running')
    frames = 0
    const { notified, ms } = await deliver(feed, follower, data.frames)
    const elapsedFrames = Math.ceil(ms / FRAME_MS)
    follower.close()
    return {
      name: `4. notifications for ${count(DELTAS)} deltas over ${(ms / 1000).toFixed(2)} s (browser: per frame)`,
      figure: `${count(notified)} notifications`,
      baseline: `${count(elapsedFrames)} frames`,
      ratio: `${(DELTAS / notified).toFixed(1)} deltas/notif.`,
      goal: '≤ 1 per frame',
      pass: notified <= Math.max(frames, elapsedFrames),
    }
  } finally {
    Reflect.deleteProperty(globalThis, 'requestAnimationFrame')
    Reflect.deleteProperty(globalThis, 'cancelAnimationFrame')
  }
}

export async function run(): Promise<Row[]> {
  const data = stream()
  return [await perTask(data), await perFrame(data)]
}
