import { createParser } from 'eventsource-parser'
import { follow } from './lib/client.js'
import { createFeed } from './lib/feed.js'
import { count, interleave, median, now, pairedRatio, ratio } from './lib/stats.js'
import type { Row } from './lib/table.js'
import { chunked, encode, liveSession } from './lib/wire.js'

const CHUNK = 16 * 1024
const TURNS = 16

/** Bare baseline: the same body read the same way, split by eventsource-parser, each frame JSON.parsed. */
async function bare(chunks: readonly Uint8Array[], expected: number): Promise<number> {
  const feed = createFeed()
  const started = now()
  const response = await feed.fetch('http://bench.invalid')
  void feed.push(chunks)
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let seen = 0
  let sink = 0
  const parser = createParser({
    onEvent: (message) => {
      const value: unknown = JSON.parse(message.data)
      if (typeof value === 'object' && value !== null) sink++
      seen++
    },
  })
  for (;;) {
    if (seen === expected) break
    const { value } = await reader.read()
    if (value !== undefined) parser.feed(decoder.decode(value, { stream: true }))
  }
  const elapsed = now() - started
  await reader.cancel()
  if (sink !== expected) throw new Error('baseline lost frames')
  return elapsed
}

/** The whole client: SSE, JSON, validation, gate, reducer, store; done when the final idle is shown. */
async function client(chunks: readonly Uint8Array[], lastSeq: number, finalText: string): Promise<number> {
  const feed = createFeed()
  const started = now()
  const follower = follow({ fetch: feed.fetch })
  void feed.push(chunks)
  const view = await follower.until((v) => v.cursor === lastSeq && v.activity === 'idle')
  const elapsed = now() - started
  follower.close()
  const last = view.messages.at(-1)
  const text = last?.role === 'assistant' ? last.parts.find((part) => part.type === 'text') : undefined
  if (text?.type !== 'text' || text.text !== finalText) throw new Error('client view is wrong')
  return elapsed
}

export async function run(): Promise<Row[]> {
  const recording = liveSession(TURNS)
  const bytes = encode(recording.events)
  const chunks = chunked(bytes, CHUNK)
  const events = recording.events.length
  const lastText = recording.events.findLast((event) => event.type === 'session.next.text.ended')?.data.text
  if (typeof lastText !== 'string') throw new Error('no text in the recording')

  const samples = await interleave(
    {
      bare: () => bare(chunks, events),
      client: () => client(chunks, recording.lastSeq, lastText),
    },
    7,
    2,
  )
  const bareMs = median(samples.bare)
  const clientMs = median(samples.client)
  const rate = (ms: number) => `${count(events / (ms / 1000))} ev/s, ${(bytes.length / 1e6 / (ms / 1000)).toFixed(1)} MB/s`
  const share = pairedRatio(samples.bare, samples.client)
  const deltas = recording.events.filter((event) => event.type.endsWith('.delta')).length
  return [
    {
      name: `1. pipeline throughput (${count(events)} events, ${count(deltas)} deltas, ${(bytes.length / 1e6).toFixed(1)} MB, 16 KiB chunks)`,
      figure: rate(clientMs),
      baseline: rate(bareMs),
      ratio: ratio(share),
      goal: '≥ 0.50×',
      pass: share >= 0.5,
    },
  ]
}
