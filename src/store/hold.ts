import type { LiveEvent, SessionEvent } from '../protocol/events.js'

/**
 * Fragments that came before the row that starts their part. A split server sends rows and
 * fragments on two connections, so a delta can overtake its `*.started`; folded at once it
 * would be an orphan and its text lost. It waits here, bounded in count and time, and is
 * released right after its start row (so it lands in order), or dropped when the part's
 * end row comes first (the end's full value wins anyway) or when it waited too long.
 */
export interface FragmentHold {
  /** Holds `event`; false when the hold is full (the caller counts it as an orphan). */
  hold(event: LiveEvent, now: number): boolean
  /** After `event` (a durable row) is queued: the held fragments it releases, in arrival order. */
  release(event: SessionEvent): LiveEvent[]
  /** Drops what waited longer than the limit; returns how many. */
  expire(now: number): number
  readonly size: number
}

/** The part a fragment, or a row that starts or ends one, belongs to; undefined for anything else. */
export function partOf(event: SessionEvent): { readonly messageID: string; readonly key: string } | undefined {
  const data = event.data as Record<string, unknown>
  const type = event.type
  if (type.startsWith('session.next.text.')) return part(data.assistantMessageID, 'text', data.textID)
  if (type.startsWith('session.next.reasoning.')) return part(data.assistantMessageID, 'reasoning', data.reasoningID)
  if (type.startsWith('session.next.tool.input.')) return part(data.assistantMessageID, 'tool', data.callID)
  if (type.startsWith('session.next.compaction.')) return part(data.messageID, 'compaction', data.messageID)
  return undefined
}

const part = (messageID: unknown, kind: string, id: unknown) =>
  typeof messageID === 'string' && typeof id === 'string' ? { messageID, key: `${kind}:${id}` } : undefined

/** One string per part, for sets and maps: its message and its key. */
export const slot = (event: SessionEvent): string | undefined => {
  const found = partOf(event)
  return found && `${found.messageID}\u0000${found.key}`
}

export function createFragmentHold(limit = 1000, maxAgeMs = 10_000): FragmentHold {
  const waiting = new Map<string, { event: LiveEvent; at: number }[]>()
  let size = 0

  const take = (key: string): LiveEvent[] => {
    const list = waiting.get(key) ?? []
    waiting.delete(key)
    size -= list.length
    return list.map((entry) => entry.event)
  }

  return {
    hold(event, now) {
      const key = slot(event)
      if (key === undefined || size >= limit) return false
      const list = waiting.get(key) ?? []
      list.push({ event, at: now })
      waiting.set(key, list)
      size++
      return true
    },
    release(event) {
      if (size === 0 || event.durable === undefined) return []
      const key = slot(event)
      if (key === undefined || !waiting.has(key)) return []
      const released = take(key)
      // A part that ends before its fragments were let out never needs them.
      return event.type.endsWith('.started') ? released : []
    },
    expire(now) {
      let dropped = 0
      for (const [key, list] of waiting) {
        if (now - (list[0]?.at ?? now) < maxAgeMs) continue
        dropped += take(key).length
      }
      return dropped
    },
    get size() {
      return size
    },
  }
}
