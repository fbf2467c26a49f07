import { useStore } from '@nanostores/react'
import { useCallback, useSyncExternalStore } from 'react'
import type { SessionConnection, SessionHandle } from '../store/session-store.js'
import type { Message, Part, SessionView } from '../view/types.js'
import { selectMessage, selectPart } from '../view/select.js'

/**
 * The whole folded session; re-renders on every change of the view (at most once per frame).
 * The first mounted component using a session opens its stream; unmounting the last closes it
 * after nanostores' 1 s unmount delay, so a StrictMode remount reuses the same stream.
 */
export function useSessionView(handle: SessionHandle): SessionView {
  return useStore(handle.$view)
}

/** The session's connection health (`state`, `attempt`, `lastError`, …). Also keeps the stream open. */
export function useSessionConnection(handle: SessionHandle): SessionConnection {
  return useStore(handle.$connection)
}

/**
 * One slice of the view. The reducer keeps the identity of untouched messages and parts, and
 * `useSyncExternalStore` compares snapshots with `Object.is`, so a change elsewhere in the
 * session does not re-render. Subscribing to `$view` directly (not through a `computed`) keeps
 * the stream's lifetime the same as `useSessionView`'s: one unmount delay, not two.
 */
function useSelected<T>(handle: SessionHandle, select: (view: SessionView) => T): T {
  const subscribe = useCallback((onChange: () => void) => handle.$view.listen(onChange), [handle])
  const snapshot = () => select(handle.$view.get())
  return useSyncExternalStore(subscribe, snapshot, snapshot)
}

/**
 * The message with `messageID` (user prompt or assistant message), undefined until it arrives.
 * Re-renders only when that message object changes.
 */
export function useSessionMessage(handle: SessionHandle, messageID: string): Message | undefined {
  return useSelected(handle, (view) => selectMessage(view, messageID))
}

/**
 * One part (`text:<ordinal>`, `reasoning:<ordinal>`, `tool:<id>`) of the assistant message
 * `messageID`, undefined until it arrives. Re-renders only when that part object changes, so
 * a list of parts re-renders just the one that is streaming.
 */
export function useSessionPart(handle: SessionHandle, messageID: string, partKey: string): Part | undefined {
  return useSelected(handle, (view) => selectPart(view, messageID, partKey))
}
