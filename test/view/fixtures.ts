import { readFileSync } from 'node:fs'
import {
  decodeEvent,
  isDurable,
  type DurableEventOf,
  type DurableEventType,
  type EventData,
  type EventType,
  type LiveEventOf,
  type LiveEventType,
  type SessionEvent,
  type SessionEventOf,
} from '../../src/protocol/index.js'
import type { AssistantMessage, Message, Part, SessionView, TextPart, ToolPart } from '../../src/view/types.js'

export const SESSION = 'ses_test'

/**
 * Event data without `sessionID` and `timestamp` (both filled in) and without the loose
 * index signature, so a typo in a field name fails to compile.
 */
export type DataIn<T extends EventType> = {
  [K in keyof EventData<T> as string extends K ? never : K extends 'sessionID' | 'timestamp' ? never : K]: EventData<T>[K]
}

// The mapped type above only removes `sessionID`, `timestamp` and the index signature, so
// adding both back yields the schema's data type; TypeScript cannot prove that for a generic T.
const withSession = <T extends EventType>(data: DataIn<T>, timestamp: number): EventData<T> =>
  ({ timestamp, sessionID: SESSION, ...data }) as EventData<T>

let nextID = 0

/*
 * The envelope built for a generic T is exactly DurableEventOf<T> / LiveEventOf<T>; the
 * casts only re-express it as the union member, which TypeScript does not distribute to.
 */

/** A durable event at `seq`; its `data.timestamp` defaults to 1000 + seq. */
export function durable<T extends DurableEventType>(
  type: T,
  data: DataIn<T>,
  seq: number,
  timestamp = 1_000 + seq,
): SessionEventOf<T> {
  const event: DurableEventOf<T> = {
    id: `evt_${nextID++}`,
    type,
    durable: { aggregateID: SESSION, seq, version: 1 },
    data: withSession(data, timestamp),
  }
  return event as SessionEventOf<T>
}

export function live<T extends LiveEventType>(type: T, data: DataIn<T>, timestamp = 1_000): SessionEventOf<T> {
  const event: LiveEventOf<T> = { id: `evt_${nextID++}`, type, data: withSession(data, timestamp) }
  return event as SessionEventOf<T>
}

export const activity = (status: 'idle' | 'running', cutoff = -1): SessionEventOf<'session.activity'> =>
  live('session.activity', { status, cutoff })

export const model = { id: 'm', providerID: 'p' }
export const tokens = (output = 1) => ({ input: 1, output, reasoning: 0, cache: { read: 0, write: 0 } })
export const provider = { executed: false }

/** Appends events with gapless durable seqs (from 1, as opencode's public log starts). */
export class Script {
  readonly events: SessionEvent[] = []
  #seq: number

  constructor(firstSeq = 1) {
    this.#seq = firstSeq
  }

  get lastSeq(): number {
    return this.#seq - 1
  }

  durable<T extends DurableEventType>(type: T, data: DataIn<T>): this {
    const seq = this.#seq++
    this.events.push(durable(type, data, seq))
    return this
  }

  live<T extends LiveEventType>(type: T, data: DataIn<T>): this {
    this.events.push(live(type, data, 1_000 + this.#seq))
    return this
  }
}

export interface TurnIDs {
  readonly user: string
  /** The step that calls the tool (`finish: 'tool-calls'`). */
  readonly assistant: string
  /** The step that answers (`finish: 'stop'`). */
  readonly answer: string
  readonly tool: string
}

export const turnIDs = (turn: number): TurnIDs => ({
  user: `msg_u${turn}`,
  assistant: `msg_a${turn}`,
  answer: `msg_b${turn}`,
  tool: `call_${turn}`,
})

/**
 * One complete tool turn as opencode streams it: the prompt admitted then handed over, a
 * step with reasoning and a `read` call (durable progress, then success) that ends with
 * `tool-calls`, and a second step that streams the answer and ends with `stop`.
 */
export function scriptedTurn(script: Script = new Script(), turn = 0): Script {
  const ids = turnIDs(turn)
  const a = ids.assistant
  const b = ids.answer
  const callID = ids.tool
  const prompt = { text: `question ${turn}` }
  return script
    .durable('session.next.prompt.admitted', { messageID: ids.user, prompt, delivery: 'steer' })
    .durable('session.next.prompted', { messageID: ids.user, prompt, delivery: 'steer' })
    .durable('session.next.step.started', { assistantMessageID: a, agent: 'build', model })
    .durable('session.next.reasoning.started', { assistantMessageID: a, reasoningID: 'reasoning-0' })
    .live('session.next.reasoning.delta', { assistantMessageID: a, reasoningID: 'reasoning-0', delta: 'think' })
    .live('session.next.reasoning.delta', { assistantMessageID: a, reasoningID: 'reasoning-0', delta: 'ing' })
    .durable('session.next.reasoning.ended', { assistantMessageID: a, reasoningID: 'reasoning-0', text: 'thinking' })
    .durable('session.next.tool.input.started', { assistantMessageID: a, callID, name: 'read' })
    .live('session.next.tool.input.delta', { assistantMessageID: a, callID, delta: '{"path":' })
    .live('session.next.tool.input.delta', { assistantMessageID: a, callID, delta: '"a.ts"}' })
    .durable('session.next.tool.input.ended', { assistantMessageID: a, callID, text: '{"path":"a.ts"}' })
    .durable('session.next.tool.called', { assistantMessageID: a, callID, tool: 'read', input: { path: 'a.ts' }, provider })
    .durable('session.next.tool.progress', { assistantMessageID: a, callID, structured: { bytes: 4 }, content: [] })
    .durable('session.next.tool.success', {
      assistantMessageID: a,
      callID,
      structured: { bytes: 9 },
      content: [{ type: 'text', text: 'file body' }],
      provider,
    })
    .durable('session.next.step.ended', { assistantMessageID: a, finish: 'tool-calls', cost: 0.01, tokens: tokens() })
    .durable('session.next.step.started', { assistantMessageID: b, agent: 'build', model })
    .durable('session.next.text.started', { assistantMessageID: b, textID: 'text-0' })
    .live('session.next.text.delta', { assistantMessageID: b, textID: 'text-0', delta: 'The ' })
    .live('session.next.text.delta', { assistantMessageID: b, textID: 'text-0', delta: 'answer' })
    .durable('session.next.text.ended', { assistantMessageID: b, textID: 'text-0', text: 'The answer' })
    .durable('session.next.step.ended', { assistantMessageID: b, finish: 'stop', cost: 0.02, tokens: tokens(2) })
}

export const durableOnly = (events: readonly SessionEvent[]): SessionEvent[] => events.filter(isDurable)

export const FIXTURES = new URL('../fixtures/opencode-1.18.34/', import.meta.url)

/**
 * A recorded stream, one JSON event a line, each decoded by the SDK's own decoder so a
 * fixture that no longer fits the catalogue fails loudly instead of folding silently.
 */
export function recorded(name: 'session-stream.jsonl' | 'global-stream.jsonl'): SessionEvent[] {
  const lines = readFileSync(new URL(name, FIXTURES), 'utf8').split('\n').filter((line) => line.trim() !== '')
  return lines.map((line, i) => {
    const decoded = decodeEvent(line)
    if (decoded.kind !== 'event') throw new Error(`${name}:${i + 1} is ${decoded.kind}`)
    return decoded.event
  })
}

export function assistant(view: SessionView, id: string): AssistantMessage {
  const message = view.messages.find((m): m is AssistantMessage => m.role === 'assistant' && m.id === id)
  if (message === undefined) throw new Error(`no assistant message ${id}`)
  return message
}

/** The message with `id` and `role`, narrowed. */
export function messageOf<R extends Message['role']>(view: SessionView, id: string, role: R): Extract<Message, { role: R }> {
  const message = view.messages.find((m) => m.id === id && m.role === role)
  if (message === undefined) throw new Error(`no ${role} message ${id}`)
  return message as Extract<Message, { role: R }>
}

export function part(view: SessionView, messageID: string, key: string): Part {
  const found = assistant(view, messageID).parts.find((p) => p.key === key)
  if (found === undefined) throw new Error(`no part ${key} in ${messageID}`)
  return found
}

export function textPart(view: SessionView, messageID: string, key: string): TextPart {
  const found = part(view, messageID, key)
  if (found.type === 'tool') throw new Error(`${key} is a tool part`)
  return found
}

export function toolPart(view: SessionView, messageID: string, callID: string): ToolPart {
  const found = part(view, messageID, `tool:${callID}`)
  if (found.type !== 'tool') throw new Error(`tool:${callID} is not a tool part`)
  return found
}

export const keys = (message: Message | undefined): string[] =>
  message?.role === 'assistant' ? message.parts.map((p) => p.key) : []

/** Freezes a value and everything reachable from it, so any write in the reducer throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
