import { useStore } from '@nanostores/vue'
import type { ReadableAtom } from 'nanostores'
import { computed, shallowRef, toValue, watch, type ComputedRef, type MaybeRefOrGetter, type Ref } from 'vue'
import type { SessionConnection, SessionHandle, SessionHealth } from '../store/session-store.js'
import type { Message, Part, SessionView } from '../view/types.js'

/**
 * The whole folded session as a readonly ref, updated at most once per frame. The first
 * component (or effect scope) using a session opens its stream; disposing the last closes it
 * after nanostores' 1 s unmount delay.
 */
export function useSessionView(handle: SessionHandle): Readonly<Ref<SessionView>> {
  return useStore(handle.$view)
}

/** The session's connection status with its counters (published at most every 250 ms). Also keeps the stream open. */
export function useSessionConnection(handle: SessionHandle): Readonly<Ref<SessionConnection>> {
  return useStore(handle.$connection)
}

/** The connection's health (`state`, `attempt`, `lastError`, …): changes only when one of those does. */
export function useSessionHealth(handle: SessionHandle): Readonly<Ref<SessionHealth>> {
  return useStore(handle.$health)
}

/** The ids of the session's messages, in order; changes only when a message is added or removed. */
export function useSessionMessageIDs(handle: SessionHandle): Readonly<Ref<readonly string[]>> {
  return useStore(handle.$messageIDs)
}

/**
 * Follows the store that `pick` names (new ids make a new store) and holds its value in a
 * shallow ref: the store's own objects, not deep proxies, and no re-render for a change
 * elsewhere in the session, since only a changed slice is ever set.
 */
function useSlice<T>(pick: () => ReadableAtom<T>): ComputedRef<T | undefined> {
  const value = shallowRef<T>()
  watch(
    computed(pick),
    ($slice, _, onCleanup) => {
      onCleanup(
        $slice.subscribe((next) => {
          value.value = next
        }),
      )
    },
    { immediate: true },
  )
  return computed(() => value.value)
}

/**
 * The message with `messageID` (user prompt or assistant message), undefined until it arrives.
 * The id may be a ref or getter. Components reading it re-render only when that message changes.
 */
export function useSessionMessage(
  handle: SessionHandle,
  messageID: MaybeRefOrGetter<string>,
): ComputedRef<Message | undefined> {
  return useSlice(() => handle.message(toValue(messageID)))
}

/**
 * One part (`text:<textID>`, `reasoning:<reasoningID>`, `tool:<callID>`) of the assistant message
 * `messageID`, undefined until it arrives. The ids may be refs or getters. Components reading it
 * re-render only when that part changes.
 */
export function useSessionPart(
  handle: SessionHandle,
  messageID: MaybeRefOrGetter<string>,
  partKey: MaybeRefOrGetter<string>,
): ComputedRef<Part | undefined> {
  return useSlice(() => handle.part(toValue(messageID), toValue(partKey)))
}
