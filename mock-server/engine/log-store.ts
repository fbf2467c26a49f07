import type { DurableEvent } from '../../src/protocol/index.js'

/**
 * Where durable rows live; the log is the only authority on what a session contains.
 * Synchronous on purpose: a commit is on the log before any subscriber is woken and a
 * read never interleaves with a write, so the ordering contract needs no locks. A
 * node-only file store (mock-server/file-log-store.ts) implements the same shape.
 */
export interface LogStore {
  /** Rows with `seq > after`, ascending, at most `limit` of them. */
  load(sessionID: string, after: number, limit: number): readonly DurableEvent[]
  /** Appends one row; the engine guarantees its seq is exactly `latest + 1`. */
  append(sessionID: string, event: DurableEvent): void
  /** Removes the whole log: replay history is gone after `session.deleted`. */
  delete(sessionID: string): void
  /** Session IDs that have a log. */
  list(): readonly string[]
  /** Latest seq, -1 when the session has no rows. */
  latest(sessionID: string): number
}

/** Rows are kept in an array indexed by seq, which is gapless from 0. */
export function createMemoryLogStore(): LogStore {
  const logs = new Map<string, DurableEvent[]>()
  return {
    load(sessionID, after, limit) {
      const rows = logs.get(sessionID) ?? []
      const start = Math.max(after + 1, 0)
      return rows.slice(start, start + Math.max(limit, 0))
    },
    append(sessionID, event) {
      const rows = logs.get(sessionID) ?? []
      rows.push(event)
      logs.set(sessionID, rows)
    },
    delete(sessionID) {
      logs.delete(sessionID)
    },
    list: () => [...logs.keys()],
    latest: (sessionID) => (logs.get(sessionID)?.length ?? 0) - 1,
  }
}
