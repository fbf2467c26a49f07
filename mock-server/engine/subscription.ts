import type { ActivityEvent, LiveEvent, SessionEvent } from '../../src/protocol/index.js'
import type { ActivityStatus } from './activity.js'
import { isPrivateRow, type LogRow } from './log-store.js'

/**
 * What the bounded queue holds. Durable rows are never queued: a wakeup only says
 * "the log grew", and the rows are read from the log, which is authoritative.
 */
export type QueueItem =
  | { readonly kind: 'wakeup' }
  | { readonly kind: 'live'; readonly event: LiveEvent }
  | { readonly kind: 'activity'; readonly status: ActivityStatus }

/** A read-only view of one session's log, private rows included. */
export interface LogSource {
  latest(): number
  read(after: number, limit: number): readonly LogRow[]
}

export type CloseReason = 'overflow' | 'deleted' | 'cancelled' | 'dropped' | 'restart' | 'corrupt'

export type Step =
  | { readonly kind: 'event'; readonly event: SessionEvent }
  | { readonly kind: 'idle' }
  | { readonly kind: 'closed'; readonly reason: CloseReason }

export interface SubscriptionDeps {
  readonly sessionID: string
  /** Exclusive cursor, -1 for everything; may exceed the latest seq or name a private row. */
  readonly after: number
  readonly source: LogSource
  readonly queueLimit: number
  /** Rows read from the log per page during replay and catch-up. @default 256 */
  readonly pageSize?: number
  /**
   * A released opencode server's session stream (the split shape): durable rows only, no
   * activity snapshot, no live events; those go to the server-wide stream. @default false
   */
  readonly durableOnly?: boolean
  /** Activity right now: the snapshot is computed when it is emitted, not at subscribe time. */
  readonly activity: () => ActivityStatus
  readonly activityEvent: (status: ActivityStatus, cutoff: number) => ActivityEvent
  /** Registers the observer; called before the cutoff is captured. */
  readonly register: (subscription: Subscription) => void
  /** `droppedLive` counts live events this subscriber will never see because it overflowed. */
  readonly onClose: (subscription: Subscription, reason: CloseReason, droppedLive: number) => void
}

export interface Subscription {
  readonly sessionID: string
  readonly after: number
  /** The fixed cutoff B captured right after registration: the latest seq, private rows included. */
  readonly cutoff: number
  readonly closedBy: CloseReason | undefined
  /** Queues an item; false when this subscriber overflowed (it is closed by then). */
  offer(item: QueueItem): boolean
  /** The next event to send, `idle` when there is nothing yet, or `closed`. */
  next(): Step
  /** For deletion: copy the unsent rows out of the log, deliver them, then close. */
  finishBeforeLogDeletion(): void
  close(reason: CloseReason): void
  /** Called whenever `next()` may have something new (an offer or a close). */
  setListener(listener: (() => void) | undefined): void
}

const frozenSource = (rows: readonly LogRow[], latest: number): LogSource => ({
  latest: () => latest,
  read: (after, limit) => rows.filter((row) => row.durable.seq > after).slice(0, limit),
})

/**
 * The subscription state machine of the ordering contract. It does no I/O and keeps
 * no timers, so property tests can drive it step by step without HTTP.
 */
export function createSubscription(deps: SubscriptionDeps): Subscription {
  const pageSize = deps.pageSize ?? 256
  let source = deps.source
  let cursor = deps.after
  let page: readonly LogRow[] = []
  let pageIndex = 0
  let queue: QueueItem[] = []
  let snapshotSent = false
  let ending = false
  let closedBy: CloseReason | undefined
  let cutoff = -1
  let listener: (() => void) | undefined

  const close = (reason: CloseReason, droppedLive = 0): Step => {
    if (closedBy === undefined) {
      closedBy = reason
      queue = []
      deps.onClose(subscription, reason, droppedLive)
      listener?.()
    }
    return { kind: 'closed', reason: closedBy }
  }

  /** The next committed row up to `target` that this connection has not passed. */
  const nextRow = (target: number): LogRow | 'none' | 'corrupt' => {
    if (cursor >= target) return 'none'
    if (pageIndex >= page.length) {
      page = source.read(cursor, pageSize)
      pageIndex = 0
    }
    const row = page[pageIndex]
    if (row === undefined) return 'corrupt'
    if (row.durable.seq > target) return 'none'
    // A gap here would silently skip a row on this connection: refuse to continue.
    if (row.durable.seq !== cursor + 1) return 'corrupt'
    pageIndex++
    cursor = row.durable.seq
    return row
  }

  const emitRowUpTo = (target: number): Step | undefined => {
    for (;;) {
      const row = nextRow(target)
      if (row === 'none') return undefined
      if (row === 'corrupt') return close('corrupt')
      // A private row moves the cursor, so the gap check still holds across it, but is never sent.
      if (!isPrivateRow(row)) return { kind: 'event', event: row }
    }
  }

  const subscription: Subscription = {
    sessionID: deps.sessionID,
    after: deps.after,
    get cutoff() {
      return cutoff
    },
    get closedBy() {
      return closedBy
    },
    offer(item) {
      if (closedBy !== undefined) return false
      // Rows only: a split server's session stream never carries activity or fragments.
      if (deps.durableOnly === true && item.kind !== 'wakeup') return true
      // The snapshot will report activity as of its emission, superseding any transition before it.
      if (item.kind === 'activity' && !snapshotSent) return true
      // The log is authoritative, so consecutive wakeups say nothing more than one.
      if (item.kind === 'wakeup' && queue.at(-1)?.kind === 'wakeup') return true
      if (queue.length >= deps.queueLimit) {
        // Fail this connection instead of dropping the item: a client that silently missed
        // one text fragment would render wrong text as if it were complete. Durable rows are
        // not lost: the client reconnects with its cursor and they are re-read from the log.
        const queuedLive = queue.filter((queued) => queued.kind !== 'wakeup').length
        close('overflow', queuedLive + (item.kind === 'wakeup' ? 0 : 1))
        return false
      }
      queue.push(item)
      listener?.()
      return true
    },
    next() {
      if (closedBy !== undefined) return { kind: 'closed', reason: closedBy }
      if (!snapshotSent) {
        const replayed = emitRowUpTo(cutoff)
        if (replayed) return replayed
        snapshotSent = true
        if (deps.durableOnly !== true) return { kind: 'event', event: deps.activityEvent(deps.activity(), cutoff) }
      }
      for (;;) {
        const head = queue[0]
        if (head === undefined && !ending) return { kind: 'idle' }
        // A deleted session's stream ends once the frozen rows and the queue are delivered.
        if (head === undefined) return emitRowUpTo(source.latest()) ?? close('deleted')
        // Wakeups and live events alike first drain every committed row not yet sent, so a
        // `*.started` always precedes its deltas.
        const latest = source.latest()
        const row = emitRowUpTo(latest)
        if (row) return row
        queue.shift()
        if (head.kind === 'live') return { kind: 'event', event: head.event }
        if (head.kind === 'activity') return { kind: 'event', event: deps.activityEvent(head.status, latest) }
      }
    },
    finishBeforeLogDeletion() {
      if (closedBy !== undefined || ending) return
      const rows: LogRow[] = page.slice(pageIndex)
      const latest = source.latest()
      for (let last = rows.at(-1)?.durable.seq ?? cursor; last < latest; ) {
        const more = source.read(last, pageSize)
        const tail = more.at(-1)
        if (tail === undefined) break
        rows.push(...more)
        last = tail.durable.seq
      }
      source = frozenSource(rows, latest)
      page = []
      pageIndex = 0
      ending = true
      listener?.()
    },
    close: (reason) => void close(reason),
    setListener(next) {
      listener = next
    },
  }

  // Register first, then capture B: a commit landing in between is then both queued as a
  // wakeup and beyond B, so it is sent once, after the snapshot, and never missed.
  deps.register(subscription)
  cutoff = source.latest()
  return subscription
}
