import {
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

/** Event data without `sessionID` (filled in) and without the loose index signature, so typos fail. */
export type DataIn<T extends EventType> = {
  [K in keyof EventData<T> as string extends K ? never : K extends 'sessionID' ? never : K]: EventData<T>[K]
}

// The mapped type above only removes `sessionID` and the index signature, so adding the
// session back yields the schema's data type; TypeScript cannot prove that for a generic T.
const withSession = <T extends EventType>(data: DataIn<T>): EventData<T> =>
  ({ sessionID: SESSION, ...data }) as EventData<T>

let nextID = 0

/*
 * The envelope built for a generic T is exactly DurableEventOf<T> / LiveEventOf<T>; the
 * casts only re-express it as the union member, which TypeScript does not distribute to.
 */

export function durable<T extends DurableEventType>(
  type: T,
  data: DataIn<T>,
  seq: number,
  created = 1_000 + seq,
): SessionEventOf<T> {
  const event: DurableEventOf<T> = {
    id: `evt_${nextID++}`,
    created,
    type,
    durable: { aggregateID: SESSION, seq, version: 1 },
    data: withSession(data),
  }
  return event as SessionEventOf<T>
}

export function live<T extends LiveEventType>(type: T, data: DataIn<T>, created = 1_000): SessionEventOf<T> {
  const event: LiveEventOf<T> = { id: `evt_${nextID++}`, created, type, data: withSession(data) }
  return event as SessionEventOf<T>
}

export const activity = (status: 'idle' | 'running', cutoff = -1): SessionEventOf<'session.activity'> =>
  live('session.activity', { status, cutoff })

/** Appends events with gapless durable seqs, the way the server's log would number them. */
export class Script {
  readonly events: SessionEvent[] = []
  #seq: number

  constructor(firstSeq = 0) {
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
  readonly assistant: string
  readonly tool: string
}

export const turnIDs = (turn: number): TurnIDs => ({
  user: `msg_u${turn}`,
  assistant: `msg_a${turn}`,
  tool: `call_${turn}`,
})

/**
 * One complete turn as a server would stream it: prompt, reasoning, a tool call with
 * progress, an answer, live usage along the way, and the durable ends of everything.
 */
export function scriptedTurn(script: Script = new Script(), turn = 0): Script {
  const ids = turnIDs(turn)
  const a = ids.assistant
  const tokens = { input: 10, output: 20 }
  return script
    .durable('session.inbox.enqueued', { messageID: ids.user, text: `question ${turn}` })
    .durable('session.execution.started', {})
    .durable('session.step.started', { assistantMessageID: a, agent: 'build', model: { providerID: 'p', modelID: 'm' } })
    .durable('session.reasoning.started', { assistantMessageID: a, ordinal: 0 })
    .live('session.reasoning.delta', { assistantMessageID: a, ordinal: 0, delta: 'think' })
    .live('session.reasoning.delta', { assistantMessageID: a, ordinal: 0, delta: 'ing' })
    .durable('session.reasoning.ended', { assistantMessageID: a, ordinal: 0, text: 'thinking' })
    .live('session.usage.updated', { assistantMessageID: a, cost: 0.01, tokens: { input: 10, output: 2 } })
    .durable('session.tool.input.started', { assistantMessageID: a, id: ids.tool, name: 'read' })
    .live('session.tool.input.delta', { id: ids.tool, delta: '{"path":' })
    .live('session.tool.input.delta', { id: ids.tool, delta: '"a.ts"}' })
    .durable('session.tool.input.ended', { id: ids.tool, text: '{"path":"a.ts"}' })
    .durable('session.tool.called', { id: ids.tool, input: { path: 'a.ts' } })
    .live('session.tool.progress', { id: ids.tool, metadata: { bytes: 12 } })
    .durable('session.tool.success', { id: ids.tool, content: [{ type: 'text', text: 'file body' }] })
    .durable('session.text.started', { assistantMessageID: a, ordinal: 1 })
    .live('session.text.delta', { assistantMessageID: a, ordinal: 1, delta: 'The ' })
    .live('session.usage.updated', { cost: 0.02, tokens: { input: 10, output: 15 } })
    .live('session.text.delta', { assistantMessageID: a, ordinal: 1, delta: 'answer' })
    .durable('session.text.ended', { assistantMessageID: a, ordinal: 1, text: 'The answer' })
    .durable('session.step.ended', { assistantMessageID: a, finish: 'stop', cost: 0.03, tokens })
    .durable('session.execution.succeeded', {})
}

export const durableOnly = (events: readonly SessionEvent[]): SessionEvent[] => events.filter(isDurable)

export function assistant(view: SessionView, id: string): AssistantMessage {
  const message = view.messages.find((m): m is AssistantMessage => m.role === 'assistant' && m.id === id)
  if (message === undefined) throw new Error(`no assistant message ${id}`)
  return message
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

export function toolPart(view: SessionView, messageID: string, id: string): ToolPart {
  const found = part(view, messageID, `tool:${id}`)
  if (found.type !== 'tool') throw new Error(`tool:${id} is not a tool part`)
  return found
}

export const keys = (message: Message): string[] => (message.role === 'assistant' ? message.parts.map((p) => p.key) : [])

/** Freezes a value and everything reachable from it, so any write in the reducer throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
