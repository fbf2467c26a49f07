import { expect } from 'vitest'
import type { SessionEvent } from '../../src/protocol/index.js'
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

const keyOf = (event: SessionEvent): string | undefined => {
  const data = event.data as { ordinal?: number; id?: string }
  if (event.type.startsWith('session.text.')) return `text:${data.ordinal}`
  if (event.type.startsWith('session.reasoning.')) return `reasoning:${data.ordinal}`
  if (event.type.startsWith('session.tool.input.')) return `tool:${data.id}`
  return undefined
}

/**
 * Checks one observed turn (subscribed before it started): consecutive seqs, every
 * delta after its start, every `*.ended` equal to its deltas, and the catalogue order.
 */
export function checkTurn(events: readonly SessionEvent[], input: TurnInput): void {
  const durable = durableOnly(events)
  expect(seqs(durable)).toEqual(range(durable[0]?.durable.seq ?? 0, durable.at(-1)?.durable.seq ?? -1))

  const started = new Set<string>()
  const deltas = new Map<string, string>()
  const ended = new Map<string, string>()
  for (const event of events) {
    const key = keyOf(event)
    if (key === undefined) continue
    if (event.type.endsWith('.started')) started.add(key)
    if (event.type.endsWith('.delta')) {
      expect({ delta: event.type, key, started: started.has(key) }).toEqual({ delta: event.type, key, started: true })
      deltas.set(key, (deltas.get(key) ?? '') + (event.data as { delta: string }).delta)
    }
    if (event.type.endsWith('.ended')) ended.set(key, (event.data as { text: string }).text)
  }
  for (const [key, text] of ended) expect({ key, deltas: deltas.get(key) ?? '' }).toEqual({ key, deltas: text })

  const data = <T extends SessionEvent['type']>(type: T) =>
    events.filter((event): event is Extract<SessionEvent, { type: T }> => event.type === type).map((event) => event.data)
  expect(data('session.inbox.enqueued').map((item) => item.text)).toEqual([input.prompt])
  expect(data('session.text.ended').map((part) => [part.ordinal, part.text])).toEqual([[input.reasoning === undefined ? 0 : 1, input.text]])
  const reasoning = data('session.reasoning.ended').map((part) => [part.ordinal, part.text])
  expect(reasoning).toEqual(input.reasoning === undefined ? [] : [[0, input.reasoning]])
  const tools = input.tools ?? []
  expect(data('session.tool.input.ended').map((tool) => tool.text)).toEqual(tools.map((tool) => JSON.stringify(tool.input ?? {})))
  const outcomes = events
    .filter((event) => event.type === 'session.tool.success' || event.type === 'session.tool.failed')
    .map((event) =>
      event.type === 'session.tool.success' ? event.data.content[0]?.text : event.type === 'session.tool.failed' ? `failed: ${event.data.error.message}` : '',
    )
  expect(outcomes).toEqual(tools.map((tool) => (tool.fail === true ? `failed: ${tool.output}` : tool.output)))

  // Live events may trail durable rows committed after them (the server drains committed
  // rows before each live event), so only the durable order is fixed.
  expect(events.filter((event) => event.type === 'session.usage.updated')).toHaveLength(1)
  const perTool = ['session.tool.input.started', 'session.tool.input.ended', 'session.tool.called']
  expect(durable.map((event) => event.type).filter((type) => type !== 'session.created')).toEqual([
    'session.inbox.enqueued',
    'session.execution.started',
    'session.step.started',
    ...(input.reasoning === undefined ? [] : ['session.reasoning.started', 'session.reasoning.ended']),
    'session.text.started',
    'session.text.ended',
    ...tools.flatMap((tool) => [...perTool, tool.fail === true ? 'session.tool.failed' : 'session.tool.success']),
    'session.step.ended',
    'session.execution.succeeded',
  ])
}
