import { useStore } from '@nanostores/vue'
import { computed, toRaw, toValue, type ComputedRef, type MaybeRefOrGetter, type Ref } from 'vue'
import type { SessionConnection, SessionHandle } from '../store/session-store.js'
import type { Message, Part, SessionView } from '../view/types.js'
import { selectMessage, selectPart } from '../view/select.js'

/**
 * The whole folded session as a readonly ref, updated at most once per frame. The first
 * component (or effect scope) using a session opens its stream; disposing the last closes it
 * after nanostores' 1 s unmount delay.
 */
export function useSessionView(handle: SessionHandle): Readonly<Ref<SessionView>> {
  return useStore(handle.$view)
}

/** The session's connection health (`state`, `attempt`, `lastError`, …). Also keeps the stream open. */
export function useSessionConnection(handle: SessionHandle): Readonly<Ref<SessionConnection>> {
  return useStore(handle.$connection)
}

/**
 * One slice of the view. The reducer keeps the identity of untouched messages and parts and a
 * Vue `computed` only triggers its dependents when its value changes, so a change elsewhere in
 * the session does not re-render. `toRaw` selects from the store's own objects rather than
 * @nanostores/vue's dev-mode readonly proxies.
 */
function useSelected<T>(handle: SessionHandle, select: (view: SessionView) => T): ComputedRef<T> {
  const view = useStore(handle.$view)
  return computed(() => select(toRaw(view.value)))
}

/**
 * The message with `messageID` (user prompt or assistant message), undefined until it arrives.
 * The id may be a ref or getter. Components reading it re-render only when that message changes.
 */
export function useSessionMessage(
  handle: SessionHandle,
  messageID: MaybeRefOrGetter<string>,
): ComputedRef<Message | undefined> {
  return useSelected(handle, (view) => selectMessage(view, toValue(messageID)))
}

/**
 * One part (`text:<ordinal>`, `reasoning:<ordinal>`, `tool:<id>`) of the assistant message
 * `messageID`, undefined until it arrives. The ids may be refs or getters. Components reading it
 * re-render only when that part changes.
 */
export function useSessionPart(
  handle: SessionHandle,
  messageID: MaybeRefOrGetter<string>,
  partKey: MaybeRefOrGetter<string>,
): ComputedRef<Part | undefined> {
  return useSelected(handle, (view) => selectPart(view, toValue(messageID), toValue(partKey)))
}
