import type { AssistantMessage, Message, Part, Retry, SessionInfo, SessionView } from './types.js'

/** What one event did to the view; reported per event so the caller can count orphans. */
export type ApplyOutcome = 'applied' | 'orphan' | 'ignored'

/** The writable twin of a view type; only ever applied to objects the current draft created. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] }
export type DraftView = Mutable<SessionView>
export type DraftAssistant = Mutable<AssistantMessage>
/** Distributes over the union, so `part.type` still narrows. */
export type DraftPart = Mutable<Part>

/** How many newest messages `indexOf` scans before falling back to a per-call map. */
const TAIL_SCAN = 64

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
  /** The current state: the base view until the first write, then the owned copy. */
  readonly view: SessionView
  readonly messages: readonly Message[]
  root(): DraftView
  info(): Mutable<SessionInfo>
  messageList(): Message[]
  /** An owned, writable assistant message at `index`; callers found it read-only first. */
  assistantAt(index: number): DraftAssistant
  /** Appends a message built in this call and owns it, so later writes to it need no copy. */
  append(message: Message): number
  /** No message below this index can be streaming: settling starts here. */
  streamingFloor(): number
  /** Every message is settled now: nothing below the current length is streaming. */
  settledAll(): void
  /** Ends the fold call: records the floor for the returned view, and returns it. */
  finish(): SessionView
  /** Index of the last message with `id`, or -1. */
  indexOf(id: string): number
  /** Inserts a part built in this call and owns it. */
  insertPart(message: DraftAssistant, index: number, part: Part): void
  partsOf(message: DraftAssistant): Part[]
  retriesOf(message: DraftAssistant): Retry[]
  /** An owned, writable part of an owned message. */
  partAt(message: DraftAssistant, index: number): DraftPart
}

/**
 * Per messages array, the index below which no message is streaming. Settling a run scans
 * from there instead of from 0, so replaying a long log stays linear rather than rescanning
 * the whole history at every `execution.*` event. A view built elsewhere has no entry: 0.
 */
const streamingFloors = new WeakMap<readonly Message[], number>()

export function createDraft(base: SessionView): Draft {
  let streamingFloor = streamingFloors.get(base.messages) ?? 0
  let view = base
  let rootCopy: DraftView | undefined
  let messageCopy: Message[] | undefined
  const owned = new Set<object>()
  /** id → index, built on the first lookup that misses the tail; dropped with the draft. */
  let index: Map<string, number> | undefined

  // Type predicates instead of casts: an owned object is one this draft created writable.
  const ownsInfo = (value: SessionInfo): value is Mutable<SessionInfo> => owned.has(value)
  const ownsAssistant = (value: AssistantMessage): value is DraftAssistant => owned.has(value)
  const ownsPart = (value: Part): value is DraftPart => owned.has(value)
  const ownsArray = <T>(value: readonly T[]): value is T[] => owned.has(value)

  const root = (): DraftView => {
    if (rootCopy === undefined) {
      rootCopy = { ...view }
      view = rootCopy
      draft.view = rootCopy
    }
    return rootCopy
  }

  const messageList = (): Message[] => {
    if (messageCopy === undefined) {
      const writable = root()
      messageCopy = [...writable.messages]
      writable.messages = messageCopy
      draft.messages = messageCopy
    }
    return messageCopy
  }

  const partsOf = (message: DraftAssistant): Part[] => {
    if (ownsArray(message.parts)) return message.parts
    const copy = [...message.parts]
    owned.add(copy)
    message.parts = copy
    return copy
  }

  // `view` and `messages` are plain properties kept current by root() and messageList(),
  // not getters: V8 gives an object literal with accessors a fresh hidden class on every
  // call, and that made each fold call cost garbage-collector time in proportion to the
  // whole session (measured: 210 µs per flush at 10,000 messages, 27 µs at 10).
  const draft: Draft & { view: SessionView; messages: readonly Message[] } = {
    view: base,
    messages: base.messages,
    root,
    info() {
      const writable = root()
      if (ownsInfo(writable.info)) return writable.info
      const copy = { ...writable.info }
      owned.add(copy)
      writable.info = copy
      return copy
    },
    messageList,
    streamingFloor: () => streamingFloor,
    settledAll() {
      streamingFloor = view.messages.length
    },
    finish() {
      streamingFloors.set(view.messages, streamingFloor)
      return view
    },
    assistantAt(at) {
      // Any write may set a message streaming again (a step.started for an older id).
      if (at < streamingFloor) streamingFloor = at
      const list = messageList()
      const message = list[at]
      if (message === undefined || message.role !== 'assistant') {
        throw new Error(`fold invariant: message ${at} is not an assistant message`)
      }
      if (ownsAssistant(message)) return message
      const copy = { ...message }
      owned.add(copy)
      list[at] = copy
      return copy
    },
    append(message) {
      owned.add(message)
      if (message.role === 'assistant') {
        owned.add(message.parts)
        owned.add(message.retries)
      }
      const at = messageList().push(message) - 1
      index?.set(message.id, at)
      return at
    },
    /*
     * Events almost always target the newest messages, so the tail is scanned first. A miss
     * there usually means a new id (every new message is looked up before it is created),
     * and scanning everything for each would make replaying a long session quadratic; so
     * the first such miss builds an id → index map for the rest of this call. Messages are
     * only ever appended, never moved or removed, so appends keep it exact.
     */
    indexOf(id) {
      const messages = view.messages
      const stop = Math.max(0, messages.length - TAIL_SCAN)
      for (let i = messages.length - 1; i >= stop; i--) {
        if (messages[i]?.id === id) return i
      }
      if (stop === 0) return -1
      if (index === undefined) {
        index = new Map()
        for (let i = 0; i < messages.length; i++) {
          const message = messages[i]
          if (message !== undefined) index.set(message.id, i)
        }
      }
      return index.get(id) ?? -1
    },
    insertPart(message, at, part) {
      owned.add(part)
      partsOf(message).splice(at, 0, part)
    },
    partsOf,
    retriesOf(message) {
      if (ownsArray(message.retries)) return message.retries
      const copy = [...message.retries]
      owned.add(copy)
      message.retries = copy
      return copy
    },
    partAt(message, at) {
      const parts = partsOf(message)
      const part = parts[at]
      if (part === undefined) throw new Error(`fold invariant: no part ${at} in ${message.id}`)
      if (ownsPart(part)) return part
      const copy = { ...part }
      owned.add(copy)
      parts[at] = copy
      return copy
    },
  }
  return draft
}
