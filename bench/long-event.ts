import { getLines, getMessages } from '@microsoft/fetch-event-source/lib/cjs/parse.js'
import { follow } from './lib/client.js'
import { createFeed } from './lib/feed.js'
import { interleave, median, ms, now, pairedRatio, ratio, settledHeap } from './lib/stats.js'
import type { Row } from './lib/table.js'
import { chunked, encode, openStep, prose, Recording, seeded } from './lib/wire.js'

const SIZE = 1024 * 1024
const SMALL = 1024
const LARGE = 64 * 1024
/**
 * A run takes 5–10 ms, so one collection or one late timer inside it moves its figure by half:
 * many rounds, each from a settled heap, and the median of the paired ratios.
 */
const ROUNDS = 25

interface Input {
  readonly prefix: Uint8Array
  readonly event: Uint8Array
  readonly textLength: number
}

/** A session with an open text part, then one 1 MiB `session.next.text.ended` carrying its full value. */
function input(): Input {
  const random = seeded(5)
  const recording = new Recording('ses_bench0000000000000001', random)
  const part = { assistantMessageID: 'msg_long0000000000000001', textID: 'text-0' }
  openStep(recording, part.assistantMessageID)
  recording.activity('running')
  const prefix = encode(recording.events)
  const text = prose(random, SIZE).slice(0, SIZE)
  recording.events.length = 0
  recording.durable('session.next.text.ended', { ...part, text })
  return { prefix, event: encode(recording.events), textLength: text.length }
}

/** Client SSE path (reader, TextDecoder, the sse-lines splitter, JSON, validation, reducer, store). */
async function client(data: Input, chunks: readonly Uint8Array[]): Promise<number> {
  const feed = createFeed({ perTask: false })
  const follower = follow({ fetch: feed.fetch })
  await feed.push([data.prefix])
  await follower.until((view) => view.activity === 'running')
  await settledHeap()
  const started = now()
  void feed.push(chunks)
  await follower.until((view) => {
    const message = view.messages.at(-1)
    const part = message?.role === 'assistant' ? message.parts[0] : undefined
    return part?.type === 'text' && !part.streaming && part.text.length === data.textLength
  })
  const elapsed = now() - started
  follower.close()
  return elapsed
}

/** @microsoft/fetch-event-source's splitter on the same chunks, read the same way. */
async function microsoft(data: Input, chunks: readonly Uint8Array[]): Promise<number> {
  const feed = createFeed({ perTask: false })
  const response = await feed.fetch('http://bench.invalid')
  const reader = response.body!.getReader()
  let length = -1
  const onLine = getLines(
    getMessages(
      () => {},
      () => {},
      (message) => {
        const value: unknown = JSON.parse(message.data)
        const text: unknown = typeof value === 'object' && value !== null ? Reflect.get(Reflect.get(value, 'data') ?? {}, 'text') : undefined
        if (typeof text === 'string') length = text.length
      },
    ),
  )
  void feed.push([data.prefix])
  await reader.read().then(({ value }) => value && onLine(value))
  await settledHeap()
  const started = now()
  void feed.push(chunks)
  while (length !== data.textLength) {
    const { value } = await reader.read()
    if (value !== undefined) onLine(value)
  }
  const elapsed = now() - started
  await reader.cancel()
  return elapsed
}

export async function run(): Promise<Row[]> {
  const data = input()
  const small = chunked(data.event, SMALL)
  const large = chunked(data.event, LARGE)
  const samples = await interleave(
    {
      clientSmall: () => client(data, small),
      clientLarge: () => client(data, large),
      msSmall: () => microsoft(data, small),
      msLarge: () => microsoft(data, large),
    },
    ROUNDS,
    1,
  )
  // Same bytes either way, so the per-byte cost ratio is the time ratio.
  const clientRatio = pairedRatio(samples.clientSmall, samples.clientLarge)
  const msRatio = pairedRatio(samples.msSmall, samples.msLarge)
  return [
    {
      name: '3. one 1 MiB event: 1 KiB vs 64 KiB chunks, client SSE path',
      figure: ms(median(samples.clientSmall)),
      baseline: ms(median(samples.clientLarge)),
      ratio: ratio(clientRatio),
      goal: '≤ 2.00×',
      pass: clientRatio <= 2,
    },
    {
      name: '3. same input, @microsoft/fetch-event-source getLines/getMessages (reference)',
      figure: ms(median(samples.msSmall)),
      baseline: ms(median(samples.msLarge)),
      ratio: ratio(msRatio),
      goal: 'why not used',
      pass: undefined,
    },
  ]
}
