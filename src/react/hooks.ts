import { useStore } from '@nanostores/react'
import { useMemo } from 'react'
import type { SessionConnection, SessionHandle, SessionHealth } from '../store/session-store.js'
import type { Message, Part, SessionView } from '../view/types.js'

/**
 * The whole folded session; re-renders on every change of the view (at most once per frame).
 * The first mounted component using a session opens its stream; unmounting the last closes it
 * after nanostores' 1 s unmount delay, so a StrictMode remount reuses the same stream.
 */
export function useSessionView(handle: SessionHandle): SessionView {
  return useStore(handle.$view)
}

/** The session's connection status with its counters (published at most every 250 ms). Also keeps the stream open. */
export function useSessionConnection(handle: SessionHandle): SessionConnection {
  return useStore(handle.$connection)
}

/**
 * The connection's health (`state`, `attempt`, `nextRetryAt`, `lastError`, `synced`, `shape`):
 * re-renders only when one of those changes, never for counters. Also keeps the stream open.
 */
export function useSessionHealth(handle: SessionHandle): SessionHealth {
  return useStore(handle.$health)
}

/**
 * The ids of the session's messages, in order. Re-renders only when a message is added or
 * removed, not while one streams: render the list from this, and each message with
 * `useSessionMessage` in a `memo` component, and a streaming flush re-renders one component.
 */
export function useSessionMessageIDs(handle: SessionHandle): readonly string[] {
  return useStore(handle.$messageIDs)
}

/**
 * The message with `messageID` (user prompt or assistant message), undefined until it arrives.
 * Re-renders only when that message object changes; the hook is told only then, so a
 * thousand mounted messages cost a flush nothing.
 */
export function useSessionMessage(handle: SessionHandle, messageID: string): Message | undefined {
  return useStore(useMemo(() => handle.message(messageID), [handle, messageID]))
}

/**
 * One part (`text:<textID>`, `reasoning:<reasoningID>`, `tool:<callID>`) of the assistant
 * message `messageID`, undefined until it arrives. Re-renders only when that part object
 * changes, so a list of parts re-renders just the one that is streaming.
 */
export function useSessionPart(handle: SessionHandle, messageID: string, partKey: string): Part | undefined {
  return useStore(useMemo(() => handle.part(messageID, partKey), [handle, messageID, partKey]))
}
