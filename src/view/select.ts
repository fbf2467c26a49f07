import { findIndex, listOf, messageAt } from './list.js'
import type { Message, Part, SessionView } from './types.js'

/**
 * The message with `messageID`, or undefined until the view has it. Every mounted message
 * or part component runs this on each view change, so it is a map lookup, and it never
 * reads `view.messages` (which would flatten the whole list).
 */
export function selectMessage(view: SessionView, messageID: string): Message | undefined {
  const list = listOf(view)
  const at = (index: number) => messageAt(list, index)
  return at(findIndex(list.ids, messageID, list.head.length + list.tail.length, at))
}

/** The part with `partKey` (`text:0`, `reasoning:1`, `tool:<id>`) of assistant message `messageID`. */
export function selectPart(view: SessionView, messageID: string, partKey: string): Part | undefined {
  const message = selectMessage(view, messageID)
  return message?.role === 'assistant' ? message.parts.find((part) => part.key === partKey) : undefined
}
