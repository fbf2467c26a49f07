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
export class Draft {
  #view: SessionView
  #root: DraftView | undefined
  #messages: Message[] | undefined
  readonly #owned = new Set<object>()
  /** id → index, built on the first lookup that misses the tail; dropped with the draft. */
  #index: Map<string, number> | undefined

  constructor(base: SessionView) {
    this.#view = base
  }

  /** The current state: the base view until the first write, then the owned copy. */
  get view(): SessionView {
    return this.#view
  }

  get messages(): readonly Message[] {
    return this.#view.messages
  }

  root(): DraftView {
    if (this.#root === undefined) {
      this.#root = { ...this.#view }
      this.#view = this.#root
    }
    return this.#root
  }

  info(): Mutable<SessionInfo> {
    const root = this.root()
    if (this.#ownsInfo(root.info)) return root.info
    const copy = { ...root.info }
    this.#owned.add(copy)
    root.info = copy
    return copy
  }

  messageList(): Message[] {
    if (this.#messages === undefined) {
      const root = this.root()
      this.#messages = [...root.messages]
      root.messages = this.#messages
    }
    return this.#messages
  }

  /** An owned, writable assistant message at `index`; callers found it read-only first. */
  assistantAt(index: number): DraftAssistant {
    const list = this.messageList()
    const message = list[index]
    if (message === undefined || message.role !== 'assistant') {
      throw new Error(`fold invariant: message ${index} is not an assistant message`)
    }
    if (this.#ownsAssistant(message)) return message
    const copy = { ...message }
    this.#owned.add(copy)
    list[index] = copy
    return copy
  }

  /** Appends a message built in this call and owns it, so later writes to it need no copy. */
  append(message: Message): number {
    this.#owned.add(message)
    if (message.role === 'assistant') {
      this.#owned.add(message.parts)
      this.#owned.add(message.retries)
    }
    const index = this.messageList().push(message) - 1
    this.#index?.set(message.id, index)
    return index
  }

  /**
   * Index of the last message with `id`, or -1. Events almost always target the newest
   * messages, so the tail is scanned first. A miss there usually means a new id (every
   * new message is looked up before it is created), and scanning everything for each
   * would make replaying a long session quadratic; so the first such miss builds an
   * id → index map for the rest of this call. Messages are only ever appended, never
   * moved or removed, so appends keep it exact.
   */
  indexOf(id: string): number {
    const messages = this.#view.messages
    const stop = Math.max(0, messages.length - TAIL_SCAN)
    for (let i = messages.length - 1; i >= stop; i--) {
      if (messages[i]?.id === id) return i
    }
    if (stop === 0) return -1
    if (this.#index === undefined) {
      this.#index = new Map()
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]
        if (message !== undefined) this.#index.set(message.id, i)
      }
    }
    return this.#index.get(id) ?? -1
  }

  /** Inserts a part built in this call and owns it. */
  insertPart(message: DraftAssistant, index: number, part: Part): void {
    this.#owned.add(part)
    this.partsOf(message).splice(index, 0, part)
  }

  partsOf(message: DraftAssistant): Part[] {
    if (this.#ownsArray(message.parts)) return message.parts
    const copy = [...message.parts]
    this.#owned.add(copy)
    message.parts = copy
    return copy
  }

  retriesOf(message: DraftAssistant): Retry[] {
    if (this.#ownsArray(message.retries)) return message.retries
    const copy = [...message.retries]
    this.#owned.add(copy)
    message.retries = copy
    return copy
  }

  /** An owned, writable part of an owned message. */
  partAt(message: DraftAssistant, index: number): DraftPart {
    const parts = this.partsOf(message)
    const part = parts[index]
    if (part === undefined) throw new Error(`fold invariant: no part ${index} in ${message.id}`)
    if (this.#ownsPart(part)) return part
    const copy = { ...part }
    this.#owned.add(copy)
    parts[index] = copy
    return copy
  }

  // Type predicates instead of casts: an owned object is one this draft created writable.
  #ownsInfo(value: SessionInfo): value is Mutable<SessionInfo> {
    return this.#owned.has(value)
  }

  #ownsAssistant(value: AssistantMessage): value is DraftAssistant {
    return this.#owned.has(value)
  }

  #ownsPart(value: Part): value is DraftPart {
    return this.#owned.has(value)
  }

  #ownsArray<T>(value: readonly T[]): value is T[] {
    return this.#owned.has(value)
  }
}
