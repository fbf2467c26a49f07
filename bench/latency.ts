import { createParser } from 'eventsource-parser'
import { follow, perTask, type Follower } from './lib/client.js'
import type { FlushScheduler } from '../src/index.js'
import { ages, startServerProcess, STAMP_WIDTH, type LiveSession, type MockServerProcess } from './lib/server.js'
import { ms, percentile, ratio } from './lib/stats.js'
import type { Row } from './lib/table.js'

const DELTAS = 1000
const RATE = 1000
const ROUNDS = 3

const isLive = (value: unknown): value is LiveSession =>
  typeof value === 'object' && value !== null && 'sessionID' in value && 'assistantMessageID' in value

async function session(server: MockServerProcess): Promise<LiveSession> {
  const value = await server.request({ type: 'live' })
  if (!isLive(value)) throw new Error('bad reply to live')
  return value
}

const stream = (server: MockServerProcess, live: LiveSession) =>
  server.request({ type: 'deltas', ...live, count: DELTAS, rate: RATE })

/** Baseline: a bare fetch, TextDecoder, eventsource-parser and JSON.parse per event. */
async function bare(server: MockServerProcess, into: number[]): Promise<void> {
  const live = await session(server)
  const controller = new AbortController()
  const response = await fetch(`${server.url}/api/session/${live.sessionID}/event`, {
    headers: { accept: 'text/event-stream' },
    signal: controller.signal,
  })
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let received = 0
  let synced = false
  const parser = createParser({
    onEvent: ({ data }) => {
      const event = JSON.parse(data) as { type: string; data: { delta?: string } }
      if (event.type === 'session.activity') synced = true
      if (event.type === 'session.next.text.delta' && event.data.delta !== undefined) {
        ages(event.data.delta, 0, into)
        received++
      }
    },
  })
  const read = async (until: () => boolean) => {
    while (!until()) {
      const { value, done } = await reader.read()
      if (done) throw new Error('stream ended')
      parser.feed(decoder.decode(value, { stream: true }))
    }
  }
  await read(() => synced)
  const sending = stream(server, live)
  await read(() => received === DELTAS)
  await sending
  controller.abort()
  await reader.cancel().catch(() => {})
}

const textOf = (follower: Follower): string => {
  const message = follower.handle.$view.get().messages.at(-1)
  const part = message?.role === 'assistant' ? message.parts[0] : undefined
  return part?.type === 'text' ? part.text : ''
}

/** The client, measured at the `$view` subscriber's callback; null is the SDK's default scheduler. */
async function client(server: MockServerProcess, into: number[], scheduler: FlushScheduler | null): Promise<void> {
  const live = await session(server)
  let seen = 0
  const follower = follow({
    baseUrl: server.url,
    sessionID: live.sessionID,
    scheduler,
    onView: (view) => {
      const message = view.messages.at(-1)
      const part = message?.role === 'assistant' ? message.parts[0] : undefined
      if (part?.type !== 'text' || part.text.length === seen) return
      ages(part.text, seen, into)
      seen = part.text.length
    },
  })
  await follower.until((view) => view.activity === 'running')
  const sending = stream(server, live)
  await follower.until(() => textOf(follower).length === DELTAS * STAMP_WIDTH)
  await sending
  follower.close()
}

export async function run(): Promise<Row[]> {
  const server = await startServerProcess()
  const samples = { bare: [] as number[], client: [] as number[], immediate: [] as number[] }
  try {
    await bare(server, [])
    await client(server, [], null)
    for (let round = 0; round < ROUNDS; round++) {
      await bare(server, samples.bare)
      await client(server, samples.client, null)
      await client(server, samples.immediate, perTask)
    }
  } finally {
    await server.close()
  }
  const row = (p: number, variant: number[], label: string, goal: boolean): Row => {
    const figure = percentile(variant, p)
    const baseline = percentile(samples.bare, p)
    return {
      name: `5. latency commit → subscriber, p${p}${label}`,
      figure: ms(figure),
      baseline: ms(baseline),
      ratio: ratio(figure / baseline),
      goal: goal ? '≤ baseline + 16.7 ms' : '(proposal)',
      pass: goal ? figure <= baseline + 1000 / 60 : undefined,
    }
  }
  const setup = ` (${RATE}/s over loopback, ${samples.client.length} deltas)`
  const proposal = ', with a setImmediate flush'
  return [row(50, samples.client, setup, true), row(99, samples.client, setup, true), row(50, samples.immediate, proposal, false), row(99, samples.immediate, proposal, false)]
}
