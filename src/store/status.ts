import type { ConnectionCounters, ConnectionStatus } from '../transport/status.js'
import { emptyCounters } from '../transport/status.js'

export interface SessionCounters extends ConnectionCounters {
  /** Live fragments folded into the view. */
  readonly liveApplied: number
  /** Fragments or tool results for a part the view never saw: protocol violations, ignored. */
  readonly orphans: number
}

export interface SessionConnection extends Omit<ConnectionStatus, 'counters'> {
  readonly counters: SessionCounters
}

/** What a status line shows: `$connection` without what moves with every chunk (cursor, last byte, counters). */
export type SessionHealth = Pick<ConnectionStatus, 'state' | 'attempt' | 'nextRetryAt' | 'lastError' | 'synced' | 'shape'>

export const healthOf = ({ state, attempt, nextRetryAt, lastError, synced, shape }: SessionHealth): SessionHealth => ({
  state,
  attempt,
  nextRetryAt,
  lastError,
  synced,
  shape,
})

export const healthChanged = (before: SessionHealth, after: SessionHealth): boolean =>
  before.state !== after.state ||
  before.attempt !== after.attempt ||
  before.nextRetryAt !== after.nextRetryAt ||
  before.lastError !== after.lastError ||
  before.synced !== after.synced ||
  before.shape !== after.shape

export const idleConnection = (cursor: number): SessionConnection => ({
  state: 'idle',
  attempt: 0,
  nextRetryAt: null,
  lastError: null,
  lastByteAt: null,
  cursor,
  synced: false,
  shape: undefined,
  counters: { ...emptyCounters(), liveApplied: 0, orphans: 0 },
})

