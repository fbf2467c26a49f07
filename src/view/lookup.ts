import type { Draft } from './draft.js'
import type { AssistantMessage } from './types.js'

export interface Found {
  readonly index: number
  readonly message: AssistantMessage
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
  for (let i = d.messageCount() - 1; i >= 0; i--) {
    const message = d.message(i)
    if (message?.role === 'assistant' && (id === undefined || message.id === id)) return { index: i, message }
  }
  return undefined
}

export function findStreamingAssistant(d: Draft): Found | undefined {
  for (let i = d.messageCount() - 1; i >= 0; i--) {
    const message = d.message(i)
    if (message?.role === 'assistant' && message.status === 'streaming') return { index: i, message }
  }
  return undefined
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
