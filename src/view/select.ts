import type { Message, Part, SessionView } from './types.js'

/**
 * The message with `messageID`, or undefined until the view has it. Searches from the
 * end: components mostly follow recent messages, and every mounted one runs this on
 * each view change.
 */
export function selectMessage(view: SessionView, messageID: string): Message | undefined {
  const { messages } = view
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]
    if (message?.id === messageID) return message
  }
  return undefined
}

/** The part with `partKey` (`text:0`, `reasoning:1`, `tool:<id>`) of assistant message `messageID`. */
export function selectPart(view: SessionView, messageID: string, partKey: string): Part | undefined {
  const message = selectMessage(view, messageID)
  return message?.role === 'assistant' ? message.parts.find((part) => part.key === partKey) : undefined
}
