import type { DurableEvent, DurableInfo } from '../../src/protocol/index.js'

/** The `type` of a private row; no catalogue has it, so it can never pass for an event. */
export const PRIVATE_ROW_TYPE = 'mock.private'

/**
 * A row the server keeps but never sends: opencode's seq 0, written when a session is
 * created, and the internal rows it interleaves with public ones. It takes a seq, so the
 * public seqs skip it, and it counts towards the cutoff B, but no stream, replay or
 * history page ever contains it.
 */
export interface PrivateRow {
  readonly id: string
  readonly type: typeof PRIVATE_ROW_TYPE
  readonly durable: DurableInfo
  readonly data: { readonly timestamp: number; readonly sessionID: string }
}

/** What the log holds: the public durable events and the private rows between them. */
export type LogRow = DurableEvent | PrivateRow

export const isPrivateRow = (row: LogRow): row is PrivateRow => row.type === PRIVATE_ROW_TYPE

/**
 * Where durable rows live; the log is the only authority on what a session contains.
 * Synchronous on purpose: a commit is on the log before any subscriber is woken and a
 * read never interleaves with a write, so the ordering contract needs no locks. A
 * node-only file store (mock-server/file-log-store.ts) implements the same shape.
 */
export interface LogStore {
  /** Rows with `seq > after`, private ones included, ascending, at most `limit` of them. */
  load(sessionID: string, after: number, limit: number): readonly LogRow[]
  /** Appends one row; the engine guarantees its seq is exactly `latest + 1`. */
  append(sessionID: string, row: LogRow): void
  /** Removes the whole log: replay history is gone once a session is deleted. */
  delete(sessionID: string): void
  /** Session IDs that have a log. */
  list(): readonly string[]
  /** Latest seq, private rows included; -1 when the session has no rows. */
  latest(sessionID: string): number
}

/** Rows are kept in an array indexed by seq, which is gapless from 0 (private rows included). */
export function createMemoryLogStore(): LogStore {
  const logs = new Map<string, LogRow[]>()
  return {
    load(sessionID, after, limit) {
      const rows = logs.get(sessionID) ?? []
      const start = Math.max(after + 1, 0)
      return rows.slice(start, start + Math.max(limit, 0))
    },
    append(sessionID, row) {
      const rows = logs.get(sessionID) ?? []
      rows.push(row)
      logs.set(sessionID, rows)
    },
    delete(sessionID) {
      logs.delete(sessionID)
    },
    list: () => [...logs.keys()],
    latest: (sessionID) => (logs.get(sessionID)?.length ?? 0) - 1,
  }
}

/** Public rows with `seq > after`, at most `limit`, read page by page past the private ones. */
export function loadPublic(store: LogStore, sessionID: string, after: number, limit: number, pageSize = 256): DurableEvent[] {
  const out: DurableEvent[] = []
  for (let cursor = after; out.length < limit; ) {
    const page = store.load(sessionID, cursor, pageSize)
    const last = page.at(-1)
    if (last === undefined) break
    for (const row of page) if (!isPrivateRow(row) && out.length < limit) out.push(row)
    cursor = last.durable.seq
  }
  return out
}
