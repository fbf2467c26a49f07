import { expect } from 'vitest'
import type { EventData, EventType, SessionEvent } from '../../src/protocol/index.js'
import type { TurnInput } from '../../mock-server/index.js'
import { durableOnly, range, seqs } from './helpers.js'

/** A turn exercising every part kind, a failing tool and multi-byte text. */
export const SCRIPTED_TURN = {
  prompt: 'list the files',
  reasoning: 'The user wants a listing; I will call ls.',
  text: 'Here are your files: a.txt and b.txt 🎉 — done.',
  tools: [
    { name: 'ls', input: { path: '.' }, output: 'a.txt\nb.txt' },
    { name: 'cat', input: { path: 'missing' }, output: 'no such file', fail: true },
  ],
  chunk: 4,
  intervalMs: 0,
} satisfies TurnInput

/** The same without tools: one step holding reasoning and text. */
export const PLAIN_TURN = { prompt: 'hi', reasoning: 'A greeting.', text: 'Hello 👋 there', chunk: 3, intervalMs: 0 } satisfies TurnInput

/** What a turn's rows named, for comparing with what the engine or a route returned. */
export interface TurnIds {
  readonly messageID: string
  readonly admittedSeq: number
  readonly assistantMessageIDs: string[]
}

const keyOf = (event: SessionEvent): string | undefined => {
  const data = event.data as { assistantMessageID?: string; textID?: string; reasoningID?: string; callID?: string }
  if (event.type.startsWith('session.next.text.')) return `${data.assistantMessageID}/text/${data.textID}`
  if (event.type.startsWith('session.next.reasoning.')) return `${data.assistantMessageID}/reasoning/${data.reasoningID}`
  if (event.type.startsWith('session.next.tool.input.')) return `call/${data.callID}`
  return undefined
}

/** The data of every event of `type`; TypeScript cannot narrow a generic union's `data`, hence the cast. */
const ofType = <T extends EventType>(events: readonly SessionEvent[], type: T): EventData<T>[] =>
  events.filter((event) => event.type === type).map((event) => event.data as EventData<T>)

/** Every `*.ended` equals its deltas, each delta follows its start and holds `chunk` code points (the last may hold fewer). */
function checkParts(events: readonly SessionEvent[], chunk: number): void {
  const started = new Set<string>()
  const deltas = new Map<string, string[]>()
  const ended = new Map<string, string>()
  for (const event of events) {
    const key = keyOf(event)
    if (key === undefined) continue
    if (event.type.endsWith('.started')) started.add(key)
    if (event.type.endsWith('.delta')) {
      expect({ delta: event.type, key, started: started.has(key) }).toEqual({ delta: event.type, key, started: true })
      deltas.set(key, [...(deltas.get(key) ?? []), (event.data as { delta: string }).delta])
    }
    if (event.type.endsWith('.ended')) ended.set(key, (event.data as { text: string }).text)
  }
  expect([...ended.keys()].toSorted()).toEqual([...started].toSorted())
  for (const [key, text] of ended) {
    const pieces = deltas.get(key) ?? []
    expect({ key, deltas: pieces.join('') }).toEqual({ key, deltas: text })
    const sizes = pieces.map((piece) => Array.from(piece).length)
    expect(sizes.slice(0, -1).every((size) => size === chunk) && (sizes.at(-1) ?? 1) <= chunk).toBe(true)
  }
}

/**
 * Checks one observed turn (subscribed before it started) against its input and the
 * shape of opencode 1.18.34's turns: consecutive public seqs, the prompt rows, one step
 * (or, with tools, a tool-calls step and an answer step), every part inside its step.
 */
export function checkTurn(events: readonly SessionEvent[], input: TurnInput): TurnIds {
  const durable = durableOnly(events)
  expect(seqs(durable)).toEqual(range(durable[0]?.durable.seq ?? 0, durable.at(-1)?.durable.seq ?? -1))
  checkParts(events, input.chunk ?? 3)

  const tools = input.tools ?? []
  const reasoning = input.reasoning === undefined ? [] : ['session.next.reasoning.started', 'session.next.reasoning.ended']
  const text = ['session.next.text.started', 'session.next.text.ended']
  const calls = tools.flatMap((tool) => [
    'session.next.tool.input.started',
    'session.next.tool.input.ended',
    'session.next.tool.called',
    'session.next.tool.progress',
    tool.fail === true ? 'session.next.tool.failed' : 'session.next.tool.success',
  ])
  const steps =
    tools.length === 0
      ? [['session.next.step.started', ...reasoning, ...text, 'session.next.step.ended']]
      : [
          ['session.next.step.started', ...reasoning, ...calls, 'session.next.step.ended'],
          ['session.next.step.started', ...text, 'session.next.step.ended'],
        ]
  expect(durable.map((event) => event.type)).toEqual(['session.next.prompt.admitted', 'session.next.prompted', ...steps.flat()])

  // Every part row names the step it is written in. Deltas are only checked against their
  // starts (above): a lagging client gets the rows committed since before each delta.
  let step: string | undefined
  for (const event of durable) {
    if (event.type === 'session.next.step.started') step = event.data.assistantMessageID
    const owner = (event.data as { assistantMessageID?: string }).assistantMessageID
    if (owner !== undefined) expect({ type: event.type, owner }).toEqual({ type: event.type, owner: step })
  }

  const [admitted] = ofType(events, 'session.next.prompt.admitted')
  const prompts = [admitted, ...ofType(events, 'session.next.prompted')]
  expect(prompts).toEqual([0, 1].map(() => expect.objectContaining({ messageID: admitted?.messageID, prompt: { text: input.prompt }, delivery: 'steer' })))
  const started = ofType(events, 'session.next.step.started')
  expect(started.map((data) => [data.agent, data.model.providerID])).toEqual(started.map(() => ['build', expect.any(String)]))
  const ended = ofType(events, 'session.next.step.ended')
  expect(ended.map((data) => data.assistantMessageID)).toEqual(started.map((data) => data.assistantMessageID))
  expect(ended.map((data) => data.finish)).toEqual(tools.length === 0 ? ['stop'] : ['tool-calls', 'stop'])
  for (const data of ended) expect(data.tokens.cache).toEqual({ read: 0, write: 0 })
  expect(new Set(started.map((data) => data.assistantMessageID)).size).toBe(started.length)

  const answer = started.at(-1)?.assistantMessageID
  expect(ofType(events, 'session.next.text.ended').map((data) => [data.assistantMessageID, data.textID, data.text])).toEqual([[answer, 'text-0', input.text]])
  const thought = ofType(events, 'session.next.reasoning.ended').map((data) => [data.assistantMessageID, data.reasoningID, data.text])
  expect(thought).toEqual(input.reasoning === undefined ? [] : [[started[0]?.assistantMessageID, 'reasoning-0', input.reasoning]])

  expect(ofType(events, 'session.next.tool.input.ended').map((data) => data.text)).toEqual(tools.map((tool) => JSON.stringify(tool.input ?? {})))
  expect(ofType(events, 'session.next.tool.called').map((data) => [data.tool, data.input, data.provider])).toEqual(
    tools.map((tool) => [tool.name, tool.input ?? {}, { executed: false }]),
  )
  expect(ofType(events, 'session.next.tool.progress').map((data) => data.structured)).toEqual(tools.map((tool) => ({ title: tool.name })))
  const outcomes = events.flatMap((event): unknown[] => {
    if (event.type === 'session.next.tool.success') return [[event.data.content, event.data.structured]]
    if (event.type === 'session.next.tool.failed') return [['failed', event.data.error]]
    return []
  })
  expect(outcomes).toEqual(
    tools.map((tool) =>
      tool.fail === true
        ? ['failed', { type: 'unknown', message: tool.output }]
        : [[{ type: 'text', text: tool.output }], { output: tool.output }],
    ),
  )
  return {
    messageID: admitted?.messageID ?? '',
    admittedSeq: durable[0]?.durable.seq ?? -1,
    assistantMessageIDs: started.map((data) => data.assistantMessageID),
  }
}
