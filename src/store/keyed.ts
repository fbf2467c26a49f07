import { atom, onStart, onStop, type ReadableAtom } from 'nanostores'
import { listOf, messageAt, sizeOf, type MessageList } from '../view/list.js'
import { selectMessage, selectPart } from '../view/select.js'
import type { Message, Part, SessionView } from '../view/types.js'

/** Per-message and per-part stores over a session's `$view`: each changes only when its own slice does. */
export interface KeyedViews {
  /**
   * A store of the message with `messageID` (undefined until it arrives) that changes only when
   * that message does. Each call makes a new store; listening to it keeps the stream open, as
   * `$view` does.
   */
  message(messageID: string): ReadableAtom<Message | undefined>
  /** The same for one part (`text:<textID>`, `reasoning:<reasoningID>`, `tool:<callID>`) of an assistant message. */
  part(messageID: string, partKey: string): ReadableAtom<Part | undefined>
  /** The ids of the view's messages, in order: a new array only when one is added, removed or replaced by another. */
  readonly $messageIDs: ReadableAtom<readonly string[]>
}

type Watcher = (view: SessionView) => void

/**
 * Which messages differ between two views, by identity. The reducer keeps untouched messages
 * and, while nothing old was edited, the whole long head of the list (list.ts), so a flush
 * compares only the short tail: the cost of telling every mounted component whether its slice
 * changed follows what changed, not how many are mounted or how long the session is.
 */
function changedMessages(a: MessageList, b: MessageList, visit: (before: Message | undefined, after: Message | undefined) => void) {
  if (a.head === b.head) {
    const length = Math.max(a.tail.length, b.tail.length)
    for (let i = 0; i < length; i++) if (a.tail[i] !== b.tail[i]) visit(a.tail[i], b.tail[i])
    return
  }
  // Once every TAIL appends the tail joins the head, and a rare edit copies the head: a full pass.
  const length = Math.max(sizeOf(a), sizeOf(b))
  for (let i = 0; i < length; i++) {
    const before = messageAt(a, i)
    const after = messageAt(b, i)
    if (before !== after) visit(before, after)
  }
}

const idsOf = (view: SessionView): readonly string[] => {
  const list = listOf(view)
  const ids: string[] = []
  for (let i = 0; i < sizeOf(list); i++) ids.push(messageAt(list, i)?.id ?? '')
  return ids
}

export function createKeyedViews($view: ReadableAtom<SessionView>): KeyedViews {
  const watchers = new Map<string, Set<Watcher>>()
  let watching = 0
  let seen: SessionView | undefined
  let unlisten: (() => void) | undefined
  const $messageIDs = atom<readonly string[]>([])
  let idsMounted = false

  const onView = (next: SessionView) => {
    const before = seen
    seen = next
    if (before === undefined) return
    let structural = false
    changedMessages(listOf(before), listOf(next), (old, now) => {
      if (old?.id !== now?.id) structural = true
      if (old !== undefined) for (const watch of watchers.get(old.id) ?? []) watch(next)
      if (now !== undefined && now.id !== old?.id) for (const watch of watchers.get(now.id) ?? []) watch(next)
    })
    if (structural && idsMounted) $messageIDs.set(idsOf(next))
  }

  /** One `$view` listener while anything keyed is mounted: it also keeps the stream open. */
  const retain = (): SessionView => {
    if (watching++ === 0) {
      unlisten = $view.listen(onView)
      seen = $view.get()
    }
    return seen ?? $view.get()
  }
  const release = () => {
    if (--watching > 0) return
    unlisten?.()
    unlisten = undefined
    seen = undefined
  }

  /** An atom over one message's slice of the view, watching only while it is listened to. */
  function keyed<T>(messageID: string, select: (view: SessionView) => T | undefined): ReadableAtom<T | undefined> {
    // Filled when listened to (nanostores' get() on an idle atom listens for a moment, too).
    const $slice = atom<T | undefined>(undefined)
    const watch: Watcher = (view) => $slice.set(select(view))
    onStart($slice, () => {
      const set = watchers.get(messageID) ?? new Set()
      watchers.set(messageID, set.add(watch))
      watch(retain())
    })
    onStop($slice, () => {
      const set = watchers.get(messageID)
      set?.delete(watch)
      if (set?.size === 0) watchers.delete(messageID)
      release()
    })
    return $slice
  }

  onStart($messageIDs, () => {
    idsMounted = true
    $messageIDs.set(idsOf(retain()))
  })
  onStop($messageIDs, () => {
    idsMounted = false
    release()
  })

  return {
    message: (messageID) => keyed(messageID, (view) => selectMessage(view, messageID)),
    part: (messageID, partKey) => keyed(messageID, (view) => selectPart(view, messageID, partKey)),
    $messageIDs,
  }
}
