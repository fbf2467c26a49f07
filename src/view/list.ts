import type { Message, SessionView } from './types.js'

/**
 * The messages of a view, in two arrays: a long settled `head` that many views share, and
 * the newest messages in a short `tail`. A single array would have to be copied whole for
 * every change to the message that is streaming, so each flush would cost in proportion to
 * the session's length (10 µs at 10,000 messages). Streaming happens at the end, so an edit
 * copies the tail only. `view.messages` is still one plain array, joined on first read and
 * kept: a reader that never asks for the whole list (a part hook, `selectPart`) never pays.
 */
export interface MessageList {
  readonly head: readonly Message[]
  readonly tail: readonly Message[]
  /**
   * id → index of the newest message with that id, shared by every list grown from the same
   * root (messages are only appended, so old entries stay true). A fold onto an older view
   * can meet an entry from a newer one, so an entry is checked before it is believed.
   */
  readonly ids: Map<string, number>
  /** No message below this index is streaming. A cache of a fact about this list: it only rises. */
  floor: number
  /** `view.messages`, once someone has read it. */
  flat?: readonly Message[]
}

/** The tail keeps at least this many newest messages, so a streaming one is nearly always there. */
export const TAIL = 64

export const messageAt = (list: MessageList, index: number): Message | undefined =>
  index < list.head.length ? list.head[index] : list.tail[index - list.head.length]

/**
 * Index of the newest message with `id` among the first `length`, or -1. `ids` may be
 * shared with other lists of the lineage, so its entry is checked against `at`.
 */
export function findIndex(
  ids: Map<string, number>,
  id: string,
  length: number,
  at: (index: number) => Message | undefined,
): number {
  const known = ids.get(id)
  if (known === undefined) return -1
  if (known < length && at(known)?.id === id) return known
  // Only after folding onto an older view: the entry belongs to another branch.
  for (let i = length - 1; i >= 0; i--) if (at(i)?.id === id) return i
  return -1
}

/**
 * Where a view keeps its list: a non-enumerable own property, so `{ ...view }` (which copies
 * `messages` as a plain array) never carries a list that might disagree with it. It holds a
 * function rather than the list itself because reactive proxies (Vue's readonly stores)
 * wrap objects they hand out, and the getter below must reach the list itself to cache.
 * Configurable, because a proxy may not report a wrapped value for a frozen property.
 */
const LIST = Symbol('session-stream.messages')
type Listed = SessionView & { readonly [LIST]?: () => MessageList }

/**
 * One getter shared by every view: V8 keeps accessors in the hidden class, so a getter per
 * view would give each view a class of its own (and dictionary-mode properties).
 */
const messages = {
  enumerable: true,
  get(this: Listed): readonly Message[] {
    const list = this[LIST]?.()
    if (list === undefined) return []
    list.flat ??= list.tail.length === 0 ? list.head : list.head.length === 0 ? list.tail : list.head.concat(list.tail)
    return list.flat
  },
}

/** Lists built for views that were made some other way (by hand, or by spreading a view). */
const built = new WeakMap<SessionView, MessageList>()

/** The list behind a view; a view built another way gets one built (once) from its array. */
export function listOf(view: SessionView): MessageList {
  // Only viewOf sets LIST, together with the getter that reads it: the two always agree.
  const own = (view as Listed)[LIST]
  if (own !== undefined) return own()
  let list = built.get(view)
  if (list?.flat !== view.messages) {
    list = { head: view.messages, tail: [], ids: new Map(), floor: 0, flat: view.messages }
    for (const [index, message] of view.messages.entries()) list.ids.set(message.id, index)
    built.set(view, list)
  }
  return list
}

export type ViewFields = Omit<SessionView, 'messages'>

/** A view whose `messages` is the list, joined on first read. */
export function viewOf(fields: ViewFields, list: MessageList): SessionView {
  const { sessionID, info, activity, cursor, execution } = fields
  const view = Object.defineProperty({ sessionID, info, activity, cursor, execution }, LIST, {
    value: () => list,
    configurable: true,
  })
  return Object.defineProperty(view, 'messages', messages) as SessionView
}
