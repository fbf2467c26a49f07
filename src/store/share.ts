import { SessionStreamError, type SessionStreamErrorCode } from '../errors.js'
import type { SessionEvent, UnknownEvent } from '../protocol/events.js'
import type { Connection } from '../transport/connection.js'
import type { ConnectionStatus } from '../transport/status.js'
import { plainView } from '../view/list.js'
import type { SessionView } from '../view/types.js'

/**
 * What a store needs from the tabs that share one connection per session (session-stream/tabs
 * provides it): whether this tab leads (holds the connections), a way to follow the leader's
 * feed for a session, and the leader's way to feed the others.
 */
export interface TabShare {
  leads(): boolean
  /** Follows what the leader publishes for `sessionID` (and asks it for a snapshot); returns a release. */
  want(sessionID: string, listener: (message: unknown) => void): () => void
  publish(sessionID: string, message: unknown): boolean
  /** Leader side: calls back when another tab starts following `sessionID` and needs a snapshot. */
  joined(sessionID: string, listener: () => void): () => void
}

/** A status as it crosses to other tabs: the error as its code and message only. */
type WireStatus = Omit<ConnectionStatus, 'lastError'> & {
  readonly lastError: { readonly code: SessionStreamErrorCode; readonly message: string } | null
}

/**
 * The leader's feed for one session. `epoch` names one history as one leader folds it: a new
 * leader or a history reset starts another, and a follower takes events only of the epoch
 * whose snapshot it holds, so it never folds events onto a view they do not follow from.
 */
export type ShareMessage =
  /**
   * `cursor`: where the leader's stream is (past the view's cursor by the rows it could not
   * fold); `reset`: the epoch began with a history reset, so seqs start again.
   */
  | {
      readonly kind: 'snapshot'
      readonly epoch: string
      readonly view: SessionView
      readonly status: WireStatus
      readonly cursor?: number
      readonly reset?: boolean
    }
  | { readonly kind: 'events'; readonly epoch: string; readonly events: readonly SessionEvent[] }
  | { readonly kind: 'status'; readonly status: WireStatus }
  | { readonly kind: 'end'; readonly error: WireStatus['lastError'] }
  /** An event the leader could not fold, for the hooks: of a type it does not know (no error), or invalid. */
  | { readonly kind: 'report'; readonly epoch: string; readonly event: UnknownEvent; readonly error: WireStatus['lastError'] }

const KINDS = new Set(['snapshot', 'events', 'status', 'end', 'report'])
/** Same origin, but maybe another version of the app: a message of another shape is ignored. */
const isShareMessage = (value: unknown): value is ShareMessage =>
  typeof value === 'object' && value !== null && KINDS.has(String((value as { kind?: unknown }).kind))

/** A report as this version sends it: another version's may lack the event or name its error otherwise. */
const isReport = (message: Extract<ShareMessage, { kind: 'report' }>): boolean =>
  typeof message.event?.type === 'string' &&
  (message.error === null || (typeof message.error?.code === 'string' && typeof message.error.message === 'string'))

const errorToWire = (error: SessionStreamError | null | undefined): WireStatus['lastError'] =>
  error == null ? null : { code: error.code, message: error.message }
const errorFromWire = (error: WireStatus['lastError'] | undefined): SessionStreamError | null =>
  error == null ? null : new SessionStreamError(error.code, error.message)

export const statusToWire = (status: ConnectionStatus): WireStatus => ({ ...status, lastError: errorToWire(status.lastError) })
export const endToWire = (error: SessionStreamError | undefined): ShareMessage => ({ kind: 'end', error: errorToWire(error) })


let epochs = 0
/** Unique enough within one origin's tabs: a random part and a counter. */
export const newEpoch = (random: () => number): string => `${random().toString(36).slice(2, 10)}.${++epochs}`

export interface FollowerSink {
  event(event: SessionEvent): void
  /** What the leader's connection reported to its own hooks, reported in this tab too. */
  unknown(event: UnknownEvent): void
  invalid(event: UnknownEvent, error: SessionStreamError): void
  /** The leader's view replaces ours: we follow a new epoch from here. */
  replace(view: SessionView): void
  changed(): void
  end(error: SessionStreamError | undefined): void
}

/**
 * A Connection fed by the leading tab instead of the network: the leader's status, the same
 * events (durable ones past our cursor only, so a new leader's overlap is never folded twice),
 * and the same reports, each durable one once however many leaders replay it. Its cursor is
 * this tab's: the last durable seq it was given, folded or reported, which is where it resumes
 * if it comes to lead.
 */
export function followLeader(share: TabShare, sessionID: string, initial: ConnectionStatus, sink: FollowerSink): Connection {
  let status: ConnectionStatus = { ...initial, state: 'connecting', synced: false }
  /** `status` with this tab's cursor, made once per change so the store can tell nothing changed. */
  let shown: ConnectionStatus | undefined
  let epoch: string | undefined
  let cursor = initial.cursor
  /** The newest durable seq reported, kept across leaders (they replay from their own views); a history reset clears it. */
  let reported = -1
  let closed = false
  let release: (() => void) | undefined
  let finish: (() => void) | undefined
  const done = new Promise<void>((resolve) => (finish = resolve))
  const setStatus = (wire: WireStatus) => {
    status = { ...wire, lastError: errorFromWire(wire.lastError) }
    shown = undefined
    sink.changed()
  }
  const close = () => {
    if (closed) return
    closed = true
    release?.()
    finish?.()
  }
  release = share.want(sessionID, (message) => {
    if (closed || !isShareMessage(message)) return
    if (message.kind === 'snapshot') {
      if (message.epoch !== epoch) {
        epoch = message.epoch
        // The view holds everything up to its cursor, and past it to the stream's only rows it did not fold.
        cursor = Math.max(message.view.cursor, message.cursor ?? -1)
        if (message.reset === true) reported = -1
        sink.replace(message.view)
      }
      setStatus(message.status)
    } else if (message.kind === 'events') {
      if (message.epoch !== epoch) return
      for (const event of message.events) {
        if (event.durable !== undefined) {
          if (event.durable.seq <= cursor) continue
          cursor = event.durable.seq
        }
        sink.event(event)
      }
    } else if (message.kind === 'status') setStatus(message.status)
    else if (message.kind === 'report') {
      if (epoch === undefined || message.epoch !== epoch || !isReport(message)) return
      const seq = message.event.durable?.seq
      if (seq !== undefined) {
        // In order with the events (the leader sends those first): everything up to it was given.
        cursor = Math.max(cursor, seq)
        if (seq <= reported) return
        reported = seq
      }
      const error = errorFromWire(message.error)
      if (error === null) sink.unknown(message.event)
      else sink.invalid(message.event, error)
    } else {
      const error = errorFromWire(message.error)
      // The follower's status says what the leader's says once its stream stopped for good.
      status = { ...status, state: 'closed', nextRetryAt: null, lastError: error ?? status.lastError }
      close()
      sink.end(error ?? undefined)
    }
  })
  return {
    status: () => (shown?.cursor === cursor ? shown : (shown = { ...status, cursor })),
    synced: () => status.synced,
    close,
    done,
  }
}

export interface LeaderFeed {
  /** A gated event, queued for the next flush's message. */
  event(event: SessionEvent): void
  /** After the store's flush: the queued events go out, then a snapshot if one is owed and ready. */
  flush(view: SessionView, status: ConnectionStatus, ready: boolean, cursor: number): void
  status(status: ConnectionStatus): void
  /** An event the connection reported to the hooks instead of folding it (invalid: with its error): the other tabs report it too. */
  report(event: UnknownEvent, error?: SessionStreamError): void
  /** A tab asked to follow: it gets a snapshot once the view is ready (synced, not rebuilding). */
  join(): void
  /** The history was reset: a new epoch, whose snapshot goes out when the rebuild is swapped in. */
  reset(): void
  end(error: SessionStreamError | undefined): void
}

export function leaderFeed(share: TabShare, sessionID: string, random: () => number): LeaderFeed {
  let epoch = newEpoch(random)
  let outbox: SessionEvent[] = []
  // Tabs that asked before this leader was ready get the first snapshot it can give.
  let owed = true
  let reset = false
  const send = () => {
    if (outbox.length === 0) return
    share.publish(sessionID, { kind: 'events', epoch, events: outbox } satisfies ShareMessage)
    outbox = []
  }
  return {
    event(event) {
      outbox.push(event)
    },
    flush(view, status, ready, cursor) {
      send()
      if (!owed || !ready) return
      owed = false
      share.publish(sessionID, { kind: 'snapshot', epoch, view: plainView(view), status: statusToWire(status), cursor, reset } satisfies ShareMessage)
      reset = false
    },
    status(status) {
      share.publish(sessionID, { kind: 'status', status: statusToWire(status) } satisfies ShareMessage)
    },
    report(event, error) {
      // The events before it go first: every tab reports in the order it folds.
      send()
      share.publish(sessionID, { kind: 'report', epoch, event, error: errorToWire(error) } satisfies ShareMessage)
    },
    join() {
      owed = true
    },
    reset() {
      epoch = newEpoch(random)
      owed = true
      reset = true
    },
    end(error) {
      share.publish(sessionID, endToWire(error))
    },
  }
}
