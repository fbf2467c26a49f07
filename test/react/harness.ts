import { createSessionClient, type SessionClient, type SessionEvent } from '../../src/index.js'
import { activity, durable, live, SESSION, textDelta } from '../support/events.js'
import { createFakeServer } from '../support/fake-server.js'

/**
 * The real client against a scripted server (test/support/fake-server.ts), as a browser app
 * would run it: happy-dom, the default animation-frame scheduler, real timers. The test
 * sends opencode `session.next.*` events down the stream the client opened. Shared by the
 * React and Vue binding tests; it imports neither framework.
 */
export interface Setup {
  readonly server: ReturnType<typeof createFakeServer>
  readonly client: SessionClient
  readonly sessionID: string
  /**
   * Sends `events` down the open stream one at a time with a short pause after each, so each
   * can land in its own frame; `after` runs after each pause (to look at the DOM mid-stream).
   */
  play(events: readonly SessionEvent[], after?: (event: SessionEvent) => void): Promise<void>
  close(): void
}

const BASE_URL = 'http://fake.test'
const PAUSE_MS = 4

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function startFake(): Setup {
  const server = createFakeServer()
  const client = createSessionClient({ baseUrl: BASE_URL, fetch: server.fetch })
  return {
    server,
    client,
    sessionID: SESSION,
    async play(events, after) {
      for (const event of events) {
        server.last.send(event)
        await pause(PAUSE_MS)
        after?.(event)
      }
    },
    close() {
      client.close()
    },
  }
}

/** What a session stream starts with once replay is done: the activity snapshot. */
export const snapshot = (status: 'idle' | 'running' = 'idle', cutoff = 0): SessionEvent => activity(status, cutoff)

const MODEL = { id: 'echo', providerID: 'fake' }
const TOKENS = { input: 10, output: 20, reasoning: 0, cache: { read: 0, write: 0 } }

export interface TurnScript {
  readonly events: SessionEvent[]
  /** The last durable seq the turn used. */
  readonly lastSeq: number
}

export interface TurnOptions {
  /** The first durable seq of the turn. */
  readonly seq: number
  readonly prompt: string
  readonly text: string
  readonly assistantMessageID: string
  /** Streamed and ended before the text, in the same step. */
  readonly reasoning?: string
  /** Characters per delta. @default 3 */
  readonly chunk?: number
}

const chunks = (text: string, size: number): string[] =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, index) => text.slice(index * size, (index + 1) * size))

/**
 * One turn of one step as opencode writes it: the prompt, `step.started`, optional reasoning,
 * the text streamed in live deltas between `text.started` and `text.ended`, `step.ended`
 * with `finish: 'stop'`, and activity back to idle. Part keys: `text:text-0`, `reasoning:reasoning-0`.
 */
export function scriptTurn(options: TurnOptions): TurnScript {
  const size = options.chunk ?? 3
  const step = { assistantMessageID: options.assistantMessageID }
  let seq = options.seq
  const events: SessionEvent[] = [
    durable('session.next.prompted', seq++, { messageID: `${options.assistantMessageID}-prompt`, prompt: { text: options.prompt }, delivery: 'steer' }),
    activity('running', seq - 1),
    durable('session.next.step.started', seq++, { ...step, agent: 'build', model: MODEL }),
  ]
  if (options.reasoning !== undefined) {
    const reasoningID = 'reasoning-0'
    events.push(durable('session.next.reasoning.started', seq++, { ...step, reasoningID }))
    for (const delta of chunks(options.reasoning, size)) events.push(live('session.next.reasoning.delta', { ...step, reasoningID, delta }))
    events.push(durable('session.next.reasoning.ended', seq++, { ...step, reasoningID, text: options.reasoning }))
  }
  events.push(durable('session.next.text.started', seq++, { ...step, textID: 'text-0' }))
  for (const delta of chunks(options.text, size)) events.push(textDelta(delta, options.assistantMessageID, 'text-0'))
  events.push(durable('session.next.text.ended', seq++, { ...step, textID: 'text-0', text: options.text }))
  events.push(durable('session.next.step.ended', seq, { ...step, finish: 'stop', cost: 0, tokens: TOKENS }))
  events.push(activity('idle', seq))
  return { events, lastSeq: seq }
}

/** Long enough to stream in many deltas of `chunk: 3`; every word is distinct. */
export const longText = (label: string): string =>
  Array.from({ length: 12 }, (_, index) => `${label}-${index}`).join(' ')

/** True when no two consecutive renders saw the same object: nothing rendered for someone else's change. */
export const allDistinct = (renders: readonly unknown[]): boolean =>
  renders.every((value, index) => index === 0 || value !== renders[index - 1])
