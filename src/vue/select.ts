import type { AssistantMessage, Message, Part, SessionView } from '../view/types.js'

/** The message with `messageID`, or undefined until the view has it. */
export const selectMessage = (view: SessionView, messageID: string): Message | undefined =>
  view.messages.find((message) => message.id === messageID)

/** The part with `partKey` (`text:0`, `tool:<id>`, …) of the assistant message `messageID`. */
export const selectPart = (view: SessionView, messageID: string, partKey: string): Part | undefined =>
  view.messages
    .find((message): message is AssistantMessage => message.role === 'assistant' && message.id === messageID)
    ?.parts.find((part) => part.key === partKey)
