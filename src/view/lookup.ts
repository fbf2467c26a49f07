import type { Draft } from './draft.js'
import type { AssistantMessage } from './types.js'

export interface Found {
  readonly index: number
  readonly message: AssistantMessage
}

/** The newest assistant message that passes `test`. */
export function lastAssistant(d: Draft, test: (message: AssistantMessage) => boolean): Found | undefined {
  for (let i = d.messageCount() - 1; i >= 0; i--) {
    const message = d.message(i)
    if (message?.role === 'assistant' && test(message)) return { index: i, message }
  }
  return undefined
}

/** The assistant message with `id`, or the last assistant message when `id` is absent. */
export function findAssistant(d: Draft, id: string | undefined): Found | undefined {
  if (id !== undefined) {
    const index = d.indexOf(id)
    const message = d.message(index)
    if (message === undefined) return undefined
    if (message.role === 'assistant') return { index, message }
    // A user message shadows the id; fall through to a scan that only looks at assistants.
  }
  return lastAssistant(d, (message) => id === undefined || message.id === id)
}

/** A new empty assistant message; `created` is the event that first named it. */
export function newAssistant(
  id: string,
  created: number,
  agent: string | undefined,
  model: AssistantMessage['model'],
): AssistantMessage {
  return {
    role: 'assistant',
    id,
    created,
    agent,
    model,
    status: 'streaming',
    parts: [],
    finish: undefined,
    cost: undefined,
    tokens: undefined,
    error: undefined,
    retries: [],
    usage: undefined,
  }
}
