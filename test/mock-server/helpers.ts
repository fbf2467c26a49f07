import { createParser } from 'eventsource-parser'
import {
  decodeEvent,
  isDurable,
  type DurableEvent,
  type SessionEvent,
} from '../../src/protocol/index.js'
import type { ErrorBody, MockEngine } from '../../mock-server/index.js'

export type Frame =
  | { readonly kind: 'event'; readonly event: SessionEvent }
  | { readonly kind: 'comment'; readonly text: string }

export interface FrameReader {
  /** The next frame; undefined at a clean end of stream; rejects if the stream fails. */
  next(): Promise<Frame | undefined>
  /** The next `count` events, skipping comments; rejects if the stream ends first. */
  events(count: number): Promise<SessionEvent[]>
  /** Events up to and including the first one matching `done`. */
  until(done: (event: SessionEvent) => boolean): Promise<SessionEvent[]>
  /** Every remaining frame up to a clean end. */
  rest(): Promise<Frame[]>
  cancel(): Promise<void>
}

/**
 * Reads SSE frames with eventsource-parser, the way a client would. Every data frame
 * must decode with the shared protocol module: a frame that does not is a test failure.
 */
export function readFrames(response: Response): FrameReader {
  if (response.body === null) throw new Error(`response ${response.status} has no body`)
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  const pending: Frame[] = []
  let ended = false
  const parser = createParser({
    onEvent(message) {
      const decoded = decodeEvent(message.data)
      if (decoded.kind !== 'event') throw new Error(`undecodable frame: ${message.data.slice(0, 200)}`)
      pending.push({ kind: 'event', event: decoded.event })
    },
    onComment: (text) => void pending.push({ kind: 'comment', text: text.trim() }),
  })

  const next = async (): Promise<Frame | undefined> => {
    while (pending.length === 0 && !ended) {
      const { done, value } = await reader.read()
      if (done) ended = true
      else parser.feed(decoder.decode(value, { stream: true }))
    }
    return pending.shift()
  }
  const events = async (count: number): Promise<SessionEvent[]> => {
    const out: SessionEvent[] = []
    while (out.length < count) {
      const frame = await next()
      if (frame === undefined) throw new Error(`stream ended after ${out.length} of ${count} events`)
      if (frame.kind === 'event') out.push(frame.event)
    }
    return out
  }
  const until = async (done: (event: SessionEvent) => boolean): Promise<SessionEvent[]> => {
    const out: SessionEvent[] = []
    for (;;) {
      const [event] = await events(1)
      if (event === undefined) continue
      out.push(event)
      if (done(event)) return out
    }
  }
  const rest = async (): Promise<Frame[]> => {
    const out: Frame[] = []
    for (let frame = await next(); frame !== undefined; frame = await next()) out.push(frame)
    return out
  }
  return { next, events, until, rest, cancel: () => reader.cancel().catch(() => {}) }
}

/** Durable seqs of the durable events in a list. */
export const seqs = (events: readonly SessionEvent[]): number[] =>
  events.filter(isDurable).map((event) => event.durable.seq)

export const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(to - from + 1, 0) }, (_, index) => from + index)

export const durableOnly = (events: readonly SessionEvent[]): DurableEvent[] => events.filter(isDurable)

/** What a contract test needs from an adapter. */
export interface Harness {
  readonly name: 'node' | 'msw'
  readonly engine: MockEngine
  readonly baseUrl: string
  /** Fetches a path on the mock, adding the bearer token when the harness has one. */
  fetch(path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

export interface HarnessOptions {
  readonly token?: string
  readonly password?: string
  readonly heartbeatMs?: number
  readonly privateRows?: boolean
  readonly shape?: 'unified' | 'split'
}

export type StartHarness = (options?: HarnessOptions) => Promise<Harness>

/** An HTTP Basic header value, UTF-8 as browsers send it. */
export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`

/** The harness's credentials on a request: its bearer token, else Basic `opencode:<password>`. */
export const authHeaders = (auth: Pick<HarnessOptions, 'token' | 'password'>, headers: HeadersInit = {}): Headers => {
  const out = new Headers(headers)
  if (auth.token !== undefined) out.set('authorization', `Bearer ${auth.token}`)
  else if (auth.password !== undefined) out.set('authorization', basic('opencode', auth.password))
  return out
}

/** The parsed error body of a refused request. */
export const errorBody = async (response: Response): Promise<ErrorBody> => (await response.json()) as ErrorBody

/** opencode's 404 body for an unknown session. */
export const missing = (sessionID: string): ErrorBody => ({
  _tag: 'SessionNotFoundError',
  sessionID,
  message: `Session not found: ${sessionID}`,
})

/** Commits `count` public rows (prompts: opencode's commonest first row) and returns their seqs. */
export const commitRows = (engine: MockEngine, sessionID: string, count: number, text = 'row'): number[] =>
  Array.from({ length: count }, (_, index) => {
    const prompt = { messageID: `msg_${text}${index}`, prompt: { text: `${text} ${index}` }, delivery: 'steer' } as const
    return engine.commit(sessionID, 'session.next.prompted', prompt).durable.seq
  })

export const postJson = (harness: Harness, path: string, body: unknown): Promise<Response> =>
  harness.fetch(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })

export async function createSession(harness: Harness, body: object = {}): Promise<string> {
  const response = await postJson(harness, '/__mock/sessions', body)
  if (response.status !== 201) throw new Error(`create session: ${response.status} ${await response.text()}`)
  return ((await response.json()) as { sessionID: string }).sessionID
}

export async function fault(harness: Harness, body: object): Promise<void> {
  const response = await postJson(harness, '/__mock/faults', body)
  if (response.status !== 200) throw new Error(`fault: ${response.status} ${await response.text()}`)
}

/** `after` -1 (the cursor before anything) is sent as no `after` at all, as a client does. */
export const streamPath = (sessionID: string, after?: number | string): string =>
  `/api/session/${encodeURIComponent(sessionID)}/event${after === undefined || after === -1 ? '' : `?after=${after}`}`

export async function openStream(harness: Harness, sessionID: string, after?: number | string): Promise<FrameReader> {
  const response = await harness.fetch(streamPath(sessionID, after))
  if (response.status !== 200) throw new Error(`stream: ${response.status} ${await response.text()}`)
  return readFrames(response)
}

/** Resolves with true when the promise rejects, false when it resolves. */
export const rejects = (promise: Promise<unknown>): Promise<boolean> =>
  promise.then(
    () => false,
    () => true,
  )

export { seededRandom } from '../support/random.js'

/** fast-check settings: modest runs, seed from FC_SEED when set so a failure replays. */
export const fcParams = (numRuns = 150): { numRuns: number; seed?: number } => {
  const raw = process.env['FC_SEED']
  return raw === undefined || raw === '' ? { numRuns } : { numRuns, seed: Number(raw) }
}

/** A scheduler the test advances by hand: turns and heartbeats become deterministic. */
export function createManualScheduler(): {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /** Runs due callbacks in time order, including ones they schedule, up to `ms` from now. */
  advance(ms: number): void
  readonly pending: number
} {
  const tasks = new Map<number, { at: number; callback: () => void }>()
  let now = 0
  let nextId = 0
  return {
    setTimeout(callback, ms) {
      tasks.set(++nextId, { at: now + ms, callback })
      return nextId
    },
    clearTimeout: (handle) => void tasks.delete(handle as number),
    advance(ms) {
      const until = now + ms
      for (;;) {
        const due = [...tasks].filter(([, task]) => task.at <= until).toSorted((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
        if (due === undefined) break
        tasks.delete(due[0])
        now = due[1].at
        due[1].callback()
      }
      now = until
    },
    get pending() {
      return tasks.size
    },
  }
}

/** Reads raw body text until it contains `marker` (or the body ends); counts the reads it took. */
export async function readRawUntil(response: Response, marker: string): Promise<{ text: string; reads: number }> {
  const reader = response.body?.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let reads = 0
  for (let chunk = await reader?.read(); chunk?.done === false; chunk = await reader?.read()) {
    reads++
    text += decoder.decode(chunk.value, { stream: true })
    if (text.includes(marker)) break
  }
  await reader?.cancel().catch(() => {})
  return { text, reads }
}

/** A frame of the server-wide stream: any JSON envelope (most kinds are not session events), or a comment. */
export type ServerFrame =
  | { readonly kind: 'event'; readonly event: ServerEnvelope }
  | { readonly kind: 'comment'; readonly text: string }

export interface ServerEnvelope {
  readonly id: string
  readonly type: string
  readonly durable?: { readonly aggregateID: string; readonly seq: number; readonly version: number }
  readonly location?: { readonly directory: string }
  readonly data: Record<string, unknown>
}

export interface ServerFrameReader {
  /** The next frame; undefined at a clean end; rejects if the stream fails. */
  next(): Promise<ServerFrame | undefined>
  /** Events (comments skipped) up to and including the first matching `done`; rejects if the stream ends first. */
  until(done: (event: ServerEnvelope) => boolean): Promise<ServerEnvelope[]>
  cancel(): Promise<void>
}

/** Reads `GET /api/event` frames as plain JSON: its events are of many kinds, not only a session's. */
export function readServerFrames(response: Response): ServerFrameReader {
  if (response.body === null) throw new Error(`response ${response.status} has no body`)
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  const pending: ServerFrame[] = []
  let ended = false
  const parser = createParser({
    onEvent: (message) => void pending.push({ kind: 'event', event: JSON.parse(message.data) as ServerEnvelope }),
    onComment: (text) => void pending.push({ kind: 'comment', text: text.trim() }),
  })
  const next = async (): Promise<ServerFrame | undefined> => {
    while (pending.length === 0 && !ended) {
      const { done, value } = await reader.read()
      if (done) ended = true
      else parser.feed(decoder.decode(value, { stream: true }))
    }
    return pending.shift()
  }
  const until = async (done: (event: ServerEnvelope) => boolean): Promise<ServerEnvelope[]> => {
    const out: ServerEnvelope[] = []
    for (;;) {
      const frame = await next()
      if (frame === undefined) throw new Error(`stream ended after ${out.length} events`)
      if (frame.kind !== 'event') continue
      out.push(frame.event)
      if (done(frame.event)) return out
    }
  }
  return { next, until, cancel: () => reader.cancel().catch(() => {}) }
}
