import type { DurableEvent, DurableEventOf, DurableEventType, LiveEventOf, LiveEventType, ModelRef } from '../../src/protocol/index.js'
import type { ActivityStatus } from './activity.js'
import type { Scheduler } from './clock.js'
import type { CreateSessionInput, Fault, TurnInput } from './control-schemas.js'
import type { EventInput } from './envelope.js'
import type { FaultSettings, ServerShape } from './faults.js'
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
  /** When set, `/api` and `/__mock` routes accept `Authorization: Bearer <token>`. */
  readonly token?: string
  /**
   * When set, `/api` and `/__mock` routes accept HTTP Basic `opencode:<password>`, as
   * opencode does with `OPENCODE_SERVER_PASSWORD`. With `token` too, either one is enough.
   */
  readonly password?: string
  /** Commit a private row before every public one from the start (the `private-rows` fault). @default false */
  readonly privateRows?: boolean
  /** Pause before each delta of a turn that does not set its own. @default 15 */
  readonly intervalMs?: number
  /**
   * `unified`: the seed's session stream (replay, one `session.activity`, live fragments).
   * `split`: the released opencode server: session streams carry durable rows only, with no
   * heartbeats and no response at all (headers included) until their first row; fragments
   * come only on `GET /api/event`, activity only from `GET /api/session/active`. The
   * `shape` fault switches it live. `GET /api/event` is served in both. @default 'unified'
   */
  readonly shape?: ServerShape
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
  /** Session-stream response bodies currently open (a split one waiting for its first row included). */
  readonly streams: number
  /** Server-wide streams (`GET /api/event`) currently open. */
  readonly serverStreams: number
  readonly runningTurns: number
  /** Live events never delivered because their subscriber overflowed. */
  readonly droppedLive: number
  /** Subscribers failed because their queue was full. */
  readonly overflows: number
  readonly restarts: number
}

export interface SessionSummary {
  readonly sessionID: string
  /** Title and parent live in engine memory only: a restart on a data directory forgets them. */
  readonly title?: string
  readonly parentID?: string
  /** The model it was created with; its steps name it. */
  readonly model?: ModelRef
  /** The timestamp of the session's private row at seq 0. */
  readonly created: number
  /** Latest seq, private rows included: the cutoff B a stream opened now would get. */
  readonly latestSeq: number
  readonly activity: ActivityStatus
}

export interface HistoryPage {
  readonly data: readonly DurableEvent[]
  readonly hasMore: boolean
}

export interface StartedTurn {
  /** The user message the prompt became. */
  readonly messageID: string
  /** The seq of its `session.next.prompt.admitted` row. */
  readonly admittedSeq: number
  /** One per model step, in order: a turn with tools has two (the calls, then the answer). */
  readonly assistantMessageIDs: readonly string[]
  /** The last step's: the message that holds the answer text. */
  readonly assistantMessageID: string
  readonly done: Promise<TurnOutcome>
}

/** Live types a caller may publish directly; activity only comes from the run coordinator. */
export type PublishableType = Exclude<LiveEventType, 'session.activity'>

export interface MockEngine {
  /** Every route, as a fetch handler: both adapters call this, so they behave identically. */
  handle(request: Request): Promise<Response>
  /** Writes the session's private row at seq 0 (never sent) and returns the new ID. Throws on an unknown parent. */
  createSession(input?: CreateSessionInput): string
  /** True while the session has a log (a new session has its private row). */
  exists(sessionID: string): boolean
  /**
   * Cancels its turns, lets each open stream send the rows it has not sent yet, ends it,
   * then deletes the log; later requests answer 404. Nothing is written: opencode's
   * catalogue has no deletion event. False if unknown.
   */
  deleteSession(sessionID: string): boolean
  /** Cancels the session's running turns without writing anything; its run ends. False if unknown. */
  interrupt(sessionID: string): boolean
  /** Runs a scripted turn; undefined if the session is unknown. */
  startTurn(sessionID: string, input: TurnInput): StartedTurn | undefined
  /**
   * Appends one public durable row (stamped with `timestamp` and `sessionID`) and wakes
   * the session's subscribers. With private rows on, a private row is appended first.
   */
  commit<T extends DurableEventType>(sessionID: string, type: T, data: EventInput<T>): DurableEventOf<T>
  /** Queues one live event for the session's current subscribers; never stored. */
  publish<T extends PublishableType>(sessionID: string, type: T, data: EventInput<T>): LiveEventOf<T>
  /** Starts a run on the foreground coordinator; returns its idempotent end. */
  beginRun(sessionID: string, options?: { readonly background?: boolean }): () => void
  /** An HTTP-less subscription, driven with `next()`; undefined if the session is unknown. */
  subscribe(sessionID: string, after: number): Subscription | undefined
  /**
   * The SSE body of a subscription. `owner` is held for the stream's lifetime and
   * `signal` ends it: see routes-api.ts for why the request must stay referenced.
   */
  openStream(sessionID: string, after: number, signal?: AbortSignal, owner?: unknown): EventStream | undefined
  /** The body of one server-wide stream (`GET /api/event`); `signal` and `owner` as for `openStream`. */
  openServerStream(signal?: AbortSignal, owner?: unknown): EventStream
  /** Public rows after `after`, at most `limit`; private rows are skipped and never counted. */
  history(sessionID: string, after: number, limit: number): HistoryPage | undefined
  activity(sessionID: string): ActivityStatus
  running(): readonly string[]
  /** Latest seq, private rows included (-1 for an unknown session). */
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
