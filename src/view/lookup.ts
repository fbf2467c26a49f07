import type { Draft } from './draft.js'
import type { AssistantMessage, Message } from './types.js'

export interface Found<M extends Message = AssistantMessage> {
  readonly index: number
  readonly message: M
}

/** The newest message with `id` if it has `role`. */
export function findMessage<R extends Message['role']>(
  d: Draft,
  id: string,
  role: R,
): Found<Extract<Message, { role: R }>> | undefined {
  const index = d.indexOf(id)
  const message = d.message(index)
  return message?.role === role ? { index, message: message as Extract<Message, { role: R }> } : undefined
}

export const findAssistant = (d: Draft, id: string): Found | undefined => findMessage(d, id, 'assistant')

/** A new empty assistant message; `created` is the timestamp of the event that first named it. */
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
  }
}
