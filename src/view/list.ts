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
  /** A cache: replaced by an exact one when a fold had to build it for this list. */
  ids: IdIndex
  /** No message below this index is streaming. A cache of a fact about this list: it only rises. */
  floor: number
  /** `view.messages`, once someone has read it. */
  flat?: readonly Message[]
}

/**
 * id → index of the newest message with that id, for the first `length` messages. Lists of
 * one lineage share it while it is exact for them: a fold onto the newest list extends it
 * in place (ids never change; a fold that removes messages builds an index of its own); a fold onto any other list (a
 * shorter, older one) finds `length` different from its own and builds its own index.
 */
export interface IdIndex {
  readonly byID: Map<string, number>
  length: number
}

/** The tail keeps at least this many newest messages, so a streaming one is nearly always there. */
export const TAIL = 64

export const sizeOf = (list: MessageList): number => list.head.length + list.tail.length

export const messageAt = (list: MessageList, index: number): Message | undefined =>
  index < list.head.length ? list.head[index] : list.tail[index - list.head.length]

/** The list's id index if it is exact for the list (undefined after the lineage grew past it). */
export const exactIds = (list: MessageList): IdIndex | undefined => (list.ids.length === sizeOf(list) ? list.ids : undefined)

export function indexOver(at: (index: number) => Message | undefined, length: number): IdIndex {
  const byID = new Map<string, number>()
  for (let i = 0; i < length; i++) {
    const message = at(i)
    if (message !== undefined) byID.set(message.id, i)
  }
  return { byID, length }
}

/**
 * Where a view keeps its list: a non-enumerable own property, so `{ ...view }` (which copies
 * `messages` as a plain array) never carries it. It holds a function rather than the list
 * because reactive proxies (Vue's readonly stores) wrap the objects they hand out, and the
 * getter below must reach the list itself to cache. Configurable: a proxy may not report a
 * wrapped value for a frozen property.
 */
const LIST = Symbol('session-stream.messages')
type Listed = SessionView & { readonly [LIST]?: () => MessageList }

/**
 * `messages` of every view the reducer makes: one getter and setter shared by all views,
 * because V8 keeps accessors in the hidden class, and a getter per view would give each
 * view a class of its own (and dictionary-mode properties). Assigning (`Object.assign`,
 * a reactive store merging a new view in) turns it into a plain property and forgets the
 * list, so the list can never disagree with the array.
 */
const messages = {
  enumerable: true,
  configurable: true,
  get(this: Listed): readonly Message[] {
    const list = this[LIST]?.()
    if (list === undefined) return []
    list.flat ??= list.tail.length === 0 ? list.head : list.head.length === 0 ? list.tail : list.head.concat(list.tail)
    return list.flat
  },
  set(this: Listed, value: readonly Message[]): void {
    Reflect.deleteProperty(this, LIST)
    Object.defineProperty(this, 'messages', { value, writable: true, enumerable: true, configurable: true })
  },
}

/** Lists built for views made some other way: by hand, from JSON, by spreading or cloning a view. */
const built = new WeakMap<SessionView, MessageList>()

/** The list behind a view; a view built another way gets one built (once) from its array. */
export function listOf(view: SessionView): MessageList {
  // A copy that kept the symbol but made `messages` a plain value (a descriptor-preserving
  // clone) must not be believed: only our getter guarantees the two agree.
  const own = (view as Listed)[LIST]
  if (own !== undefined && Object.getOwnPropertyDescriptor(view, 'messages')?.get === messages.get) return own()
  let list = built.get(view)
  if (list?.flat !== view.messages || sizeOf(list) !== view.messages.length) {
    // A copy: the caller's array may still change, and later views must not change with it.
    const head = [...view.messages]
    list = { head, tail: [], ids: indexOver((i) => head[i], head.length), floor: 0, flat: view.messages }
    built.set(view, list)
  }
  return list
}

export type ViewFields = Omit<SessionView, 'messages'>

/** A view whose `messages` is the list, joined on first read. */
export function viewOf(fields: ViewFields, list: MessageList): SessionView {
  const { sessionID, info, activity, cursor, retry } = fields
  const view = Object.defineProperty({ sessionID, info, activity, cursor, retry }, LIST, {
    value: () => list,
    configurable: true,
  })
  return Object.defineProperty(view, 'messages', messages) as SessionView
}

/**
 * A plain copy of a view: its fields and `messages` as an array, without the list behind it,
 * as structured clone carries it to another tab or into IndexedDB. Folding onto it works
 * (`listOf` builds a list for it once).
 */
export function plainView(view: SessionView): SessionView {
  const { sessionID, info, activity, cursor, retry } = view
  return { sessionID, info, activity, cursor, retry, messages: view.messages }
}
