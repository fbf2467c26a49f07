import type { SessionStreamError } from '../errors.js'
import type { ServerShape } from './shape.js'

export type ConnectionState =
  | 'idle'
  | 'connecting'
  | 'open'
  | 'backoff'
  | 'offline'
  | 'unauthorized'
  | 'closed'
  | 'failed'

export interface ConnectionCounters {
  /** Durable events with `seq <= cursor`: dropped. */
  readonly duplicates: number
  /**
   * Durable events whose seq jumped past `cursor + 1`: the server skips private rows, so a
   * jump is not a loss (the stream is exactly the rows after the cursor). Counted, applied.
   */
  readonly skips: number
  /** Live-only events delivered (activity excluded). */
  readonly live: number
  /** Valid envelopes of a type this client does not know. */
  readonly unknown: number
  /** Events of a known type whose data does not fit the catalogue: ordered, reported, not folded. */
  readonly invalid: number
  /** Frames that could not be trusted at all (not JSON, broken envelope, another session): reconnected. */
  readonly protocolErrors: number
  /** Server history found behind the cursor: the view was rebuilt from the start. */
  readonly resets: number
  /** Connections opened after the first. */
  readonly reconnects: number
}

export interface ConnectionStatus {
  readonly state: ConnectionState
  /** Failed attempts since the last connection that delivered its activity snapshot. */
  readonly attempt: number
  /** Epoch ms of the next attempt while in `backoff`, else null. */
  readonly nextRetryAt: number | null
  readonly lastError: SessionStreamError | null
  /** Epoch ms of the last byte received, comment frames included. */
  readonly lastByteAt: number | null
  /** Last applied durable seq; -1 before any. */
  readonly cursor: number
  /** True once this attempt's activity snapshot arrived (caught up): from the stream, or asked for from a split server. */
  readonly synced: boolean
  /** The server's shape as far as this connection knows (SPEC §4a); undefined while it is still telling. */
  readonly shape: ServerShape | undefined
  readonly counters: ConnectionCounters
}

export const emptyCounters = (): ConnectionCounters => ({
  duplicates: 0,
  skips: 0,
  live: 0,
  unknown: 0,
  invalid: 0,
  protocolErrors: 0,
  resets: 0,
  reconnects: 0,
})
