import { exactIds, indexOver, listOf, messageAt, sizeOf } from './list.js'
import { partIndexOf } from './part-index.js'
import type { Message, Part, SessionView } from './types.js'

/**
 * The message with `messageID`, or undefined until the view has it. Every mounted message
 * or part component runs this on each view change, so on the newest view it is a map
 * lookup; it never reads `view.messages` (which would join the whole list). An older view,
 * whose lineage has grown since, gets an index of its own (a rare, linear case).
 */
export function selectMessage(view: SessionView, messageID: string): Message | undefined {
  const list = listOf(view)
  const at = (index: number) => messageAt(list, index)
  const ids = exactIds(list) ?? indexOver(at, sizeOf(list))
  const index = ids.byID.get(messageID)
  return index === undefined ? undefined : at(index)
}

/** The part with `partKey` (`text:<textID>`, `reasoning:<reasoningID>`, `tool:<callID>`) of assistant message `messageID`. */
export function selectPart(view: SessionView, messageID: string, partKey: string): Part | undefined {
  const message = selectMessage(view, messageID)
  if (message?.role !== 'assistant') return undefined
  const colon = partKey.indexOf(':')
  const kind = partKey.slice(0, colon)
  if (kind !== 'text' && kind !== 'reasoning' && kind !== 'tool') return undefined
  return message.parts[partIndexOf(message.parts, kind, partKey.slice(colon + 1))]
}
