import type {
  DurableEventOf,
  DurableEventType,
  DurableEvent,
  EventData,
  LiveEventOf,
  LiveEventType,
} from '../../src/protocol/index.js'
import type { ActivityStatus } from './activity.js'
import type { Scheduler } from './clock.js'
import type { CreateSessionInput, Fault, TurnInput } from './control-schemas.js'
import type { FaultSettings } from './faults.js'
import type { LogStore } from './log-store.js'
import type { EventStream } from './sse.js'
import type { Subscription } from './subscription.js'
import type { TurnOutcome } from './turns.js'

export interface MockEngineOptions {
  /** Durable log storage. @default an in-memory store */
  readonly logStore?: LogStore
  /** Interval of `: heartbeat` comments per open stream. @default 15000 */
  readonly heartbeatMs?: number
  /** Items (live events and wakeups) one subscriber may have queued before it is failed. @default 1024 */
  readonly queueLimit?: number
  /** Rows read from the log per page during replay and catch-up. @default 256 */
  readonly pageSize?: number
  /** When set, `/api` and `/__mock` routes require `Authorization: Bearer <token>`. */
  readonly token?: string
  /** @default Date.now */
  readonly now?: () => number
  /** Used for IDs and random split sizes. @default Math.random */
  readonly random?: () => number
  /** Timers for turns and heartbeats. @default the global setTimeout */
  readonly scheduler?: Scheduler
}

export interface EngineStats {
  readonly sessions: number
  /** Subscriptions currently open (streams and engine-level subscriptions). */
  readonly subscribers: number
  /** SSE response bodies currently open. */
  readonly streams: number
  readonly runningTurns: number
  /** Live events never delivered because their subscriber overflowed. */
  readonly droppedLive: number
  /** Subscribers failed because their queue was full. */
  readonly overflows: number
  readonly restarts: number
}

export interface SessionSummary {
  readonly sessionID: string
  readonly title?: string
  readonly parentID?: string
  readonly latestSeq: number
  readonly activity: ActivityStatus
}

export interface HistoryPage {
  readonly data: readonly DurableEvent[]
  readonly hasMore: boolean
}

export interface StartedTurn {
  readonly assistantMessageID: string
  readonly done: Promise<TurnOutcome>
}

/** Live types a caller may publish directly; activity only comes from the run coordinator. */
export type PublishableType = Exclude<LiveEventType, 'session.activity'>

export interface MockEngine {
  /** Every route, as a fetch handler: both adapters call this, so they behave identically. */
  handle(request: Request): Promise<Response>
  /** Commits `session.created` (seq 0) and returns the new session's ID. */
  createSession(input?: CreateSessionInput): string
  /** Commits `session.deleted`, delivers it, then deletes the log. False if unknown. */
  deleteSession(sessionID: string): boolean
  /** Runs a scripted turn; undefined if the session is unknown. */
  startTurn(sessionID: string, input: TurnInput): StartedTurn | undefined
  /** Appends one durable row (seq = latest + 1) and wakes the session's subscribers. */
  commit<T extends DurableEventType>(sessionID: string, type: T, data: EventData<T>): DurableEventOf<T>
  /** Queues one live event for the session's current subscribers; never stored. */
  publish<T extends PublishableType>(sessionID: string, type: T, data: EventData<T>): LiveEventOf<T>
  /** Starts a run on the foreground coordinator; returns its idempotent end. */
  beginRun(sessionID: string, options?: { readonly background?: boolean }): () => void
  /** An HTTP-less subscription, driven with `next()`; undefined if the session is unknown. */
  subscribe(sessionID: string, after: number): Subscription | undefined
  /**
   * The SSE body of a subscription. `owner` is held for the stream's lifetime and
   * `signal` ends it: see routes-api.ts for why the request must stay referenced.
   */
  openStream(sessionID: string, after: number, signal?: AbortSignal, owner?: unknown): EventStream | undefined
  history(sessionID: string, after: number, limit: number): HistoryPage | undefined
  activity(sessionID: string): ActivityStatus
  running(): readonly string[]
  latestSeq(sessionID: string): number
  sessions(): readonly SessionSummary[]
  applyFault(fault: Fault): void
  faults(): FaultSettings
  /** Crash and restart: streams reset, turns cancelled without writes, activity idle, log kept. */
  restart(): void
  stats(): EngineStats
  /** Shutdown: cancels turns and timers and ends every stream. */
  close(): void
  readonly token: string | undefined
}
