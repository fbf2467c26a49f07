import { buildTurnScript, type IdSource, type TurnInput, type TurnSink } from '../../mock-server/index.js'

/** An envelope as it goes over the wire; `data` stays open, as in the protocol. */
export interface WireEvent {
  readonly id: string
  readonly type: string
  readonly durable?: { readonly aggregateID: string; readonly seq: number; readonly version: number }
  readonly data: Readonly<Record<string, unknown>>
}

import { seededRandom as seeded } from '../../test/support/random.js'

export { seeded }

const WORDS = ('the a stream event session client server reconnect cursor durable delta frame view ' +
  'message part tool input output reasoning token parser buffer chunk heap latency replay ' +
  'snapshot activity café naïve — ✓ 🚀 function const return await promise array object').split(' ')

/** Prose of about `length` characters, with some multi-byte characters among the ASCII. */
export function prose(random: () => number, length: number): string {
  const words: string[] = []
  let size = 0
  while (size < length) {
    const word = WORDS[Math.floor(random() * WORDS.length)] ?? 'x'
    words.push(word)
    size += word.length + 1
  }
  return words.join(' ')
}

/** IDs shaped like the mock server's (`msg_<time><counter><random>`), but reproducible. */
export function seededIds(random: () => number): IdSource {
  let counter = 0
  return {
    next: (prefix) =>
      `${prefix}_mh9x2k1c${(++counter).toString(36).padStart(4, '0')}${Math.floor(random() * 36 ** 8)
        .toString(36)
        .padStart(8, '0')}`,
  }
}

export const CREATED_AT = 1_763_000_000_000

/**
 * Records the events one subscriber of a session would receive, in the server's order:
 * a durable row goes out when committed, live events as published, and activity
 * transitions carry the latest seq as their cutoff. Public seqs start at 1, as opencode's.
 * `data` is given without `sessionID` and `timestamp`, which are filled in.
 */
export class Recording {
  readonly events: WireEvent[] = []
  readonly ids: IdSource
  #seq = 0
  #clock = CREATED_AT

  constructor(
    readonly sessionID: string,
    random: () => number,
  ) {
    this.ids = seededIds(random)
  }

  get lastSeq(): number {
    return this.#seq
  }

  durable(type: string, data: Readonly<Record<string, unknown>>): void {
    const seq = ++this.#seq
    const durable = { aggregateID: this.sessionID, seq, version: 1 }
    this.events.push({ id: this.ids.next('evt'), type, durable, data: this.#data(data) })
  }

  live(type: string, data: Readonly<Record<string, unknown>>): void {
    this.events.push({ id: this.ids.next('evt'), type, data: this.#data(data) })
  }

  activity(status: 'idle' | 'running'): void {
    this.live('session.activity', { status, cutoff: this.#seq })
  }

  #data(data: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
    return { timestamp: this.#clock++, sessionID: this.sessionID, ...data }
  }

  /** Runs the mock server's own turn script; `live: false` keeps only what the log stores. */
  turn(input: TurnInput, live = true): string {
    const sink: TurnSink = {
      commit: (type, data) => this.durable(type, data),
      publish: (type, data) => (live ? this.live(type, data) : undefined),
      beginRun: () => (live ? this.activity('running') : undefined),
      endRun: () => (live ? this.activity('idle') : undefined),
    }
    const script = buildTurnScript(input, this.ids)
    for (const step of script.steps) step.run(sink)
    return script.assistantMessageID
  }
}

/** A realistic turn: reasoning, a long answer in ~4-character deltas, one or two tool calls. */
export function realisticTurn(random: () => number, textLength = 3000): TurnInput {
  const tools = Array.from({ length: 1 + Math.floor(random() * 2) }, (_, i) => ({
    name: i === 0 ? 'read' : 'bash',
    input: { path: `src/${prose(random, 20).replaceAll(' ', '/')}.ts`, limit: 200, note: prose(random, 60) },
    output: prose(random, 400),
  }))
  return {
    prompt: prose(random, 120),
    reasoning: prose(random, 500),
    text: prose(random, textLength),
    tools,
    chunk: 4,
  }
}

/** An assistant step left open with its text part started, as `open` events: the head of a turn. */
export function openStep(recording: Recording, assistantMessageID: string, prompt = 'go'): void {
  recording.durable('session.next.prompted', { messageID: `${assistantMessageID}_prompt`, prompt: { text: prompt }, delivery: 'steer' })
  recording.durable('session.next.step.started', { assistantMessageID, agent: 'build', model: { id: 'bench', providerID: 'bench' } })
  recording.durable('session.next.text.started', { assistantMessageID, textID: 'text-0' })
}

/** One live text delta of the open step's text, as the wire carries it. */
export const textDelta = (sessionID: string, assistantMessageID: string, delta: string, id: string): WireEvent => ({
  id,
  type: 'session.next.text.delta',
  data: { timestamp: CREATED_AT, sessionID, assistantMessageID, textID: 'text-0', delta },
})

export const frame = (event: WireEvent): string => `data: ${JSON.stringify(event)}\n\n`
const encoder = new TextEncoder()
export const encode = (events: readonly WireEvent[]): Uint8Array => encoder.encode(events.map(frame).join(''))

/** Cuts bytes into chunks of `size` (copies, as separate socket reads would be). */
export function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.slice(offset, offset + size))
  return chunks
}

/** A session opened and streamed live: the idle snapshot, then `turns` realistic turns. */
export function liveSession(turns: number, seed = 1): Recording {
  const random = seeded(seed)
  const recording = new Recording('ses_bench0000000000000001', random)
  recording.activity('idle')
  for (let i = 0; i < turns; i++) recording.turn(realisticTurn(random))
  return recording
}
