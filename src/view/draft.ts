import { exactIds, indexOver, listOf, TAIL, viewOf, type IdIndex, type ViewFields } from './list.js'
import { indexAppended, shareIndex } from './part-index.js'
import type { AssistantMessage, Message, Part, SessionInfo, SessionView } from './types.js'

/** What one event did to the view; reported per event so the caller can count orphans. */
export type ApplyOutcome = 'applied' | 'orphan' | 'ignored'

/** The writable twin of a view type; only ever applied to objects the current draft created. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] }
export type DraftView = Mutable<ViewFields>
export type DraftAssistant = Mutable<AssistantMessage>
/** Distributes over the union, so `message.role` still narrows. */
export type DraftMessage = Message extends infer M ? (M extends Message ? Mutable<M> : never) : never
/** Distributes over the union, so `part.type` still narrows. */
export type DraftPart = Mutable<Part>

/**
 * Copy-on-write workspace for one `foldEvents` call.
 *
 * The first write to any object copies it and records the copy as owned; later writes in
 * the same call mutate the copy in place. This keeps a frame of hundreds of deltas to
 * O(deltas) work instead of O(deltas × messages), and leaves every untouched object with
 * its old identity so memoized renderers can skip it. Ownership is per call: the view a
 * call returns is never written again by a later call, which is what makes the reducer
 * pure at its boundary.
 */
export interface Draft {
  /** The current fields: the base view's until the first write, then the owned copy. */
  readonly view: ViewFields
  root(): DraftView
  info(): Mutable<SessionInfo>
  messageCount(): number
  message(index: number): Message | undefined
  /** An owned, writable message at `index`; callers found it read-only first. */
  messageAt(index: number): DraftMessage
  /** The same for an assistant message (a fold invariant: callers checked the role). */
  assistantAt(index: number): DraftAssistant
  /** Appends a message built in this call and owns it, so later writes to it need no copy. */
  append(message: Message): number
  /** Puts a message built in this call at `index` (same id) and owns it. */
  replace(index: number, message: Message): void
  /** Removes every message from `length` on (a committed revert). */
  truncate(length: number): void
  /** No message below this index is open (streaming, or with an open part): settling starts here. */
  streamingFloor(): number
  /** Nothing below `index` is open any more (settling moved past it). */
  setFloor(index: number): void
  /** Ends the fold call: the new view, or the base itself when nothing changed. */
  finish(): SessionView
  /** Index of the newest message with `id`, or -1. */
  indexOf(id: string): number
  /** Appends a part built in this call and owns it. */
  appendPart(message: DraftAssistant, part: Part): void
  partsOf(message: DraftAssistant): Part[]
  /** An owned, writable part of an owned message. */
  partAt(message: DraftAssistant, index: number): DraftPart
}

export function createDraft(base: SessionView): Draft {
  const baseList = listOf(base)
  let floor = baseList.floor
  let view: ViewFields = base
  let rootCopy: DraftView | undefined
  let head = baseList.head
  let tail = baseList.tail
  let listChanged = false
  // The lineage's id index when it is exact for the base; otherwise one of our own, built
  // on the first lookup from the base (folding onto an older view, or twice onto one).
  let ids = exactIds(baseList)
  const owned = new Set<object>()

  /**
   * A writable version of `value`: itself when this call made it, else a shallow copy that
   * this call now owns. Later writes in the call go to the copy without copying again.
   */
  const own = <T extends object>(value: T): Mutable<T> => {
    // Owned means made by this draft as a writable copy: the cast only drops `readonly`.
    if (owned.has(value)) return value as Mutable<T>
    const copy = (Array.isArray(value) ? [...value] : { ...value }) as Mutable<T>
    owned.add(copy)
    return copy
  }

  const root = (): DraftView => {
    if (rootCopy === undefined) {
      const { sessionID, info, activity, cursor, retry } = view
      rootCopy = { sessionID, info, activity, cursor, retry }
      view = rootCopy
      draft.view = rootCopy
    }
    return rootCopy
  }

  const count = (): number => head.length + tail.length

  const message = (index: number): Message | undefined =>
    index < head.length ? head[index] : tail[index - head.length]

  /** Writes `value` at `index`: the tail is short, the head is copied only for an old message. */
  const write = (index: number, value: Message): void => {
    listChanged = true
    if (index < head.length) {
      const writable = own(head)
      writable[index] = value
      head = writable
    } else {
      const writable = own(tail)
      writable[index - head.length] = value
      tail = writable
    }
  }

  const partsOf = (message: DraftAssistant): Part[] => {
    const current = message.parts
    const writable = own(current)
    if (writable !== current) shareIndex(current, writable)
    return (message.parts = writable)
  }

  const index = (): IdIndex => (ids ??= indexOver(message, count()))

  // `view` is a plain property kept current by root(), not a getter: V8 gives an object
  // literal with accessors a fresh hidden class on every call, and that made each fold
  // call cost garbage-collector time in proportion to the whole session.
  const draft: Draft & { view: ViewFields } = {
    view: base,
    root,
    info() {
      const writable = root()
      return (writable.info = own(writable.info))
    },
    messageCount: count,
    message,
    streamingFloor: () => floor,
    setFloor(at) {
      floor = at
    },
    replace(at, value) {
      if (at < floor) floor = at
      owned.add(value)
      write(at, value)
    },
    finish() {
      if (!listChanged) {
        // Both are caches of facts about the unchanged list: keep what this call learned.
        baseList.floor = Math.max(baseList.floor, floor)
        if (ids !== undefined) baseList.ids = ids
        return rootCopy === undefined ? base : viewOf(rootCopy, baseList)
      }
      // The tail grew past twice its size: all but its newest TAIL messages join the head.
      // That copies the head once per TAIL appends, and keeps the streaming end in the tail.
      if (tail.length > 2 * TAIL) {
        head = head.concat(tail.slice(0, tail.length - TAIL))
        tail = tail.slice(tail.length - TAIL)
      }
      return viewOf(view, { head, tail, ids: ids ?? baseList.ids, floor })
    },
    messageAt(at) {
      // Any write may open a message again (a step.started for an older id).
      if (at < floor) floor = at
      const current = message(at)
      if (current === undefined) throw new Error(`fold invariant: no message ${at}`)
      const writable = own(current) as DraftMessage
      if (writable !== current) write(at, writable)
      return writable
    },
    assistantAt(at) {
      const writable = draft.messageAt(at)
      if (writable.role !== 'assistant') throw new Error(`fold invariant: message ${at} is not an assistant message`)
      return writable
    },
    truncate(length) {
      if (length >= count()) return
      listChanged = true
      // Only the arrays made here are owned: a head kept whole is still the base's.
      if (length <= head.length) {
        head = head.slice(0, length)
        tail = []
        owned.add(head)
      } else tail = tail.slice(0, length - head.length)
      owned.add(tail)
      // The lineage's index is shared and only ever extended: a shorter list gets its own.
      ids = indexOver(message, count())
      floor = Math.min(floor, length)
    },
    append(added) {
      owned.add(added)
      if (added.role === 'assistant') owned.add(added.parts)
      const at = count()
      // Extends the index before the append, so it is exact again (length = at + 1) after it.
      const exact = index()
      write(at, added)
      exact.byID.set(added.id, at)
      exact.length = at + 1
      return at
    },
    indexOf: (id) => {
      const at = index().byID.get(id)
      return at === undefined ? -1 : at
    },
    appendPart(message, part) {
      owned.add(part)
      const parts = partsOf(message)
      parts.push(part)
      indexAppended(parts, part, parts.length - 1)
    },
    partsOf,
    partAt(message, at) {
      const parts = partsOf(message)
      const part = parts[at]
      if (part === undefined) throw new Error(`fold invariant: no part ${at} in ${message.id}`)
      return (parts[at] = own(part))
    },
  }
  return draft
}
