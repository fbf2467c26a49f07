import { atom, type ReadableAtom } from 'nanostores'
import type { SessionStreamError } from '../errors.js'
import { CURSOR_START } from '../protocol/constants.js'
import type { LiveEvent, SessionEvent, UnknownEvent } from '../protocol/events.js'
import {
  checkCursor,
  checkSessionID,
  isSessionGone,
  openConnection,
  type Connection,
  type ConnectionOptions,
} from '../transport/connection.js'
import { defaultEnvironment } from '../transport/environment.js'
import type { ConnectionStatus } from '../transport/status.js'
import { healthChanged, healthOf, idleConnection, type SessionConnection, type SessionHealth } from './status.js'

export type { SessionConnection, SessionCounters, SessionHealth } from './status.js'
import { foldEvents, initialView, withoutActivity, type ApplyOutcome } from '../view/fold.js'
import { selectMessage, selectPart } from '../view/select.js'
import type { SessionView } from '../view/types.js'
import { createFragmentHold, partOf, slot } from './hold.js'
import { createKeyedViews, type KeyedViews } from './keyed.js'
import { createStaleWatch, createThrottle } from './timers.js'
import { bindLifecycle } from './lifecycle.js'
import { createPersistence, type ViewCache } from './persisted.js'
import { endToWire, followLeader, leaderFeed, type LeaderFeed, type TabShare } from './share.js'
import { defaultScheduler, type FlushScheduler } from './scheduler.js'

export interface SessionHandle extends KeyedViews {
  readonly id: string
  /** The folded session. Subscribing opens the stream; the last unsubscribe closes it. */
  readonly $view: ReadableAtom<SessionView>
  /** The connection's health and counters (those at most every 250 ms). Subscribing also keeps the stream open. */
  readonly $connection: ReadableAtom<SessionConnection>
  /** The connection's health alone: changes only when one of its fields does. Also keeps the stream open. */
  readonly $health: ReadableAtom<SessionHealth>
  /**
   * Drops the current connection (if any) and opens a fresh one from the cursor, token
   * resolved anew: e.g. after `unauthorized`, once the user has signed in again.
   */
  reconnect(): void
  /** Stops for good: no timer, listener or request is left behind. Idempotent. */
  close(): void
}

export interface SessionStoreOptions extends Omit<ConnectionOptions, 'onHistoryReset'> {
  readonly scheduler?: FlushScheduler | undefined
  readonly onUnknownEvent?: ((event: UnknownEvent) => void) | undefined
  /** Events of a known type whose data does not fit the catalogue: ordered, not folded, reported here. */
  readonly onInvalidEvent?: ((event: UnknownEvent, error: SessionStreamError) => void) | undefined
  /** Every event that passed the cursor gate, in order, before it is folded (event logs, debugging). */
  readonly onEvent?: ((event: SessionEvent) => void) | undefined
  /**
   * How long activity may go unvouched for (the connection down, reconnecting, or without its
   * snapshot) before the view stops showing a run: activity `unknown`, nothing streaming.
   * @default 20000
   */
  readonly activityStaleMs?: number | undefined
  /** Called when the handle closes, so a client can forget it. */
  readonly onClose?: (() => void) | undefined
  /** Tabs sharing one connection per session: a follower folds the leader's feed instead of connecting. */
  readonly share?: TabShare | undefined
  /** Shows the cached view first and resumes after its cursor; `server` names the server, without credentials. */
  readonly cache?: { readonly store: ViewCache; readonly server: string } | undefined
}

const noop = () => {}

export const DEFAULT_ACTIVITY_STALE_MS = 20_000
/** Counters and the cursor are published at most this often; health changes at once. */
const COUNTER_INTERVAL_MS = 250

/** Above this many unflushed events we fold at once rather than wait for the frame. */
const MAX_PENDING = 10_000

export function createSessionStore(options: SessionStoreOptions): SessionHandle {
  // Bad arguments fail here, at the call, before any request could carry them.
  checkSessionID(options.sessionID)
  checkCursor(options.after)
  const schedule = options.scheduler ?? defaultScheduler
  const env = options.environment ?? defaultEnvironment()
  const $view = atom<SessionView>(initialView(options.sessionID))
  const $connection = atom<SessionConnection>(idleConnection(options.after ?? CURSOR_START))
  const $health = atom<SessionHealth>(healthOf($connection.get()))
  // The store reads its own values from these copies, never with `get()`: on an atom with
  // no listener, nanostores' get() subscribes and unsubscribes for a moment, which would
  // run the lifecycle below and keep pushing back the close of an unwatched stream.
  let view = $view.get()
  let status = $connection.get()
  const setView = (next: SessionView) => {
    view = next
    $view.set(next)
  }
  let health = $health.get()
  const setStatus = (next: SessionConnection) => {
    status = next
    $connection.set(next)
    if (healthChanged(health, next)) $health.set((health = healthOf(next)))
    feed?.status(next)
  }
  /** Set while this tab leads and holds the connection: what it folds, the other tabs fold too. */
  let feed: LeaderFeed | undefined
  /** While the leading tab feeds this store. */
  let following = false
  let offJoined: () => void = noop
  const stopLeading = () => {
    offJoined()
    offJoined = noop
    feed = undefined
  }
  const persistence =
    options.cache === undefined || options.after !== undefined
      ? undefined
      : createPersistence(options.cache.store, options.cache.server, options.sessionID, env, () => status.shape)
  /** Undefined until the cache has been asked (once per handle), then whether that is done. */
  let cacheRead: boolean | undefined = persistence === undefined ? true : undefined

  let connection: Connection | undefined
  let closed = false
  let pending: SessionEvent[] = []
  // After a history reset the view is rebuilt here, out of sight, and swapped in whole on
  // its snapshot: the user never sees an empty or half-built session.
  let staging: { view: SessionView; pending: SessionEvent[]; synced: boolean } | undefined
  let cancelFlush: (() => void) | undefined
  let liveApplied = 0
  let orphans = 0
  const stale = createStaleWatch(
    env,
    options.activityStaleMs ?? DEFAULT_ACTIVITY_STALE_MS,
    () => connection?.synced() === true,
    () => setView(withoutActivity(view)),
  )
  const counters = createThrottle(env, COUNTER_INTERVAL_MS)
  const hold = createFragmentHold()
  /**
   * Start rows queued but not folded yet, and the parts they start: the set is filled only
   * when a fragment asks (a split server's), so a replay's rows build no strings for it.
   */
  const started: SessionEvent[] = []
  const startedParts = new Set<string>()
  let indexedStarts = 0
  let published: ConnectionStatus | undefined
  let stopCurrent: () => void = noop

  const count = (event: SessionEvent, outcome: ApplyOutcome) => {
    if (outcome === 'orphan') orphans++
    else if (outcome === 'applied' && event.durable === undefined && event.type !== 'session.activity') liveApplied++
  }

  const flush = () => {
    cancelFlush?.()
    cancelFlush = undefined
    started.length = indexedStarts = 0
    startedParts.clear()
    if (hold.size > 0) orphans += hold.expire(env.now())
    if (pending.length > 0) {
      const events = pending
      pending = []
      setView(foldEvents(events, view, count))
    }
    if (staging !== undefined && staging.pending.length > 0) {
      staging.view = foldEvents(staging.pending, staging.view, count)
      staging.pending = []
      if (staging.synced) {
        setView(staging.view)
        staging = undefined
      }
    }
    publishStatus()
    feed?.flush(view, status, staging === undefined && connection?.synced() === true, connection?.status().cursor ?? view.cursor)
    // The tab that holds the connection saves; followers only read the cache.
    if (!following && staging === undefined && view.cursor >= 0) persistence?.changed(view)
  }

  /** Unvouched for `activityStaleMs`, the view stops showing a run (SPEC S14). */
  const watchActivity = (synced: boolean) => stale.watch(synced, view.activity === 'unknown')

  /**
   * Health (state, attempt, retry time, error, sync, shape) is published at once; what moves
   * with every chunk (cursor, last byte, counters) at most every COUNTER_INTERVAL_MS, so a UI
   * that shows health does not re-render at the delta rate.
   */
  const publishStatus = (final = false) => {
    if (connection === undefined) return
    const next = connection.status()
    watchActivity(next.synced)
    if (next === published && status.counters.liveApplied === liveApplied && status.counters.orphans === orphans) return
    const now = env.now()
    if (!final && !healthChanged(status, next) && !counters.ready(now)) return counters.later(now, publishStatus)
    counters.ran(now)
    published = next
    setStatus({ ...next, counters: { ...next.counters, liveApplied, orphans } })
  }

  const requestFlush = () => {
    if (cancelFlush === undefined) cancelFlush = schedule(flush)
  }

  /** Queues a gated event, then the held fragments a start row releases; all go to the onEvent hook. */
  const queue = (event: SessionEvent) => {
    feed?.event(event)
    onEvent(event)
    // After the event is safely queued: a hook that throws cannot lose it.
    options.onEvent?.(event)
    if (event.durable !== undefined && event.type.endsWith('.started')) started.push(event)
    if (hold.size > 0) for (const released of hold.release(event)) queue(released)
  }

  const startsQueued = (part: string): boolean => {
    while (indexedStarts < started.length) startedParts.add(slot(started[indexedStarts++]!) ?? '')
    return startedParts.has(part)
  }

  /** Whether a fragment's part is in the view, or starts in what waits to be folded. */
  const knownPart = (event: LiveEvent): boolean => {
    const found = partOf(event)
    if (found === undefined || startsQueued(slot(event)!)) return true
    const current = staging?.view ?? view
    return found.key.startsWith('compaction:')
      ? selectMessage(current, found.messageID)?.role === 'compaction'
      : selectPart(current, found.messageID, found.key) !== undefined
  }

  /** A fragment from a split server's second connection: it may come before its start row. */
  const onFragment = (event: LiveEvent) => {
    if (knownPart(event)) queue(event)
    else if (hold.hold(event, env.now())) requestFlush()
    else {
      orphans++
      requestFlush()
    }
  }

  const onEvent = (event: SessionEvent) => {
    if (staging !== undefined) {
      staging.pending.push(event)
      if (event.type === 'session.activity') staging.synced = true
    } else pending.push(event)
    if (pending.length + (staging?.pending.length ?? 0) >= MAX_PENDING) flush()
    else requestFlush()
  }

  /**
   * Where the next connection resumes. The connection's own cursor, not the view's: a
   * durable event of an unknown type moves the first but never reaches the second, and
   * must not be replayed (and reported) again. During a rebuild the connection's cursor
   * belongs to the new history, so the view's is kept.
   */
  let resumeAfter = options.after
  /** Lets the current connection go, its events folded and its cursor remembered. */
  const detach = () => {
    flush()
    // The last word of a connection that goes away is published whole, throttle or not.
    publishStatus(true)
    // A follower's cursor is what it was given (folded, or reported): the leader's own lags its
    // events or leads them. During a rebuild the connection's cursor belongs to the new history.
    if (connection !== undefined) resumeAfter = staging === undefined ? connection.status().cursor : view.cursor
    connection = undefined
    staging = undefined
    published = undefined
  }

  const onEnd = (error: SessionStreamError | undefined) => {
    // The connection stopped for good (deleted, unauthorized, failed): a later mount may try anew.
    detach()
    feed?.end(error)
    stopLeading()
    // A tab that asks later still learns why (deleted, unauthorized): the end is its snapshot.
    if (error !== undefined && options.share !== undefined) {
      const share = options.share
      offJoined = share.joined(options.sessionID, () => share.publish(options.sessionID, endToWire(error)))
    }
    watchActivity(true)
    if (error !== undefined && isSessionGone(error)) persistence?.drop()
    if (error !== undefined) setView(withoutActivity(view, isSessionGone(error)))
  }

  /** Once per handle, before its first connection: the cached view, shown at once. */
  const readCache = () => {
    cacheRead = false
    void persistence?.load().then((entry) => {
      cacheRead = true
      // Only onto a view nothing has been folded into yet (the handle may have been fed meanwhile).
      if (entry !== undefined && !closed && view.cursor < 0 && connection === undefined) {
        setView(entry.view)
        resumeAfter = entry.cursor
        // The server's shape as it was: the connection starts from it (below) and checks it.
        setStatus({ ...status, shape: entry.shape })
      }
      if (lifecycle.listened() > 0) start()
    })
  }

  const start = () => {
    if (closed || connection !== undefined || cacheRead === false) return
    if (cacheRead === undefined) return readCache()
    // A stopped connection may still unwind: its late callbacks must not touch this store.
    let active = true
    stopCurrent = () => {
      active = false
    }
    following = options.share !== undefined && !options.share.leads()
    /** Callbacks of this connection only: a stopped one may still unwind. */
    const live =
      <A extends unknown[]>(callback: (...args: A) => void) =>
      (...args: A) => {
        if (active) callback(...args)
      }
    const common = {
      event: live(queue),
      changed: live(() => {
        requestFlush()
        // At once, not at the flush: a hidden tab may not flush for a while.
        if (connection !== undefined) watchActivity(connection.synced())
      }),
      // The cursor, last byte and counters are published at most every COUNTER_INTERVAL_MS:
      // by the next flush if one is due, else by the throttle, never by a flush per chunk.
      progressed: live(() => {
        if (cancelFlush === undefined) counters.later(env.now(), publishStatus)
      }),
      end: live(onEnd),
      // Reported in every tab: a leader passes them on to the tabs that follow it.
      unknown: live((event: UnknownEvent) => {
        feed?.report(event)
        options.onUnknownEvent?.(event)
      }),
      invalid: live((event: UnknownEvent, error: SessionStreamError) => {
        feed?.report(event, error)
        options.onInvalidEvent?.(event, error)
      }),
    }
    if (following && options.share !== undefined) {
      connection = followLeader(options.share, options.sessionID, { ...status, cursor: view.cursor }, {
        ...common,
        replace: live((next: SessionView) => {
          flush()
          setView(next)
        }),
      })
      return
    }
    // A tab promoted from following knows the server's shape from its leader, a reload from its
    // cache: telling it again would leave a split server's fragments unseen for the detection's 1.5 s.
    if (options.hub !== undefined && options.hub.shape === undefined && status.shape !== undefined) options.hub.shape = status.shape
    if (options.share !== undefined) {
      const leading = leaderFeed(options.share, options.sessionID, env.random)
      feed = leading
      offJoined()
      offJoined = options.share.joined(options.sessionID, () => {
        leading.join()
        requestFlush()
      })
    }
    connection = openConnection(
      { ...options, after: resumeAfter },
      {
        ...common,
        fragment: live(onFragment),
        reset: live(() => {
          flush()
          staging = { view: initialView(options.sessionID), pending: [], synced: false }
          feed?.reset()
          persistence?.drop()
        }),
      },
    )
  }

  const stop = () => {
    const current = connection
    if (current === undefined) return
    // Saved below only by the tab that holds the connection (not one just demoted), and never
    // mid-rebuild: the view is still the old history, whose entry the reset dropped.
    const saves = !following && staging === undefined && options.share?.leads() !== false
    detach()
    watchActivity(true)
    counters.cancel()
    stopCurrent()
    current.close()
    stopLeading()
    if (saves) persistence?.changed(view, true)
    cancelFlush?.()
    cancelFlush = undefined
    setStatus({ ...status, state: 'closed', nextRetryAt: null })
  }

  const lifecycle = bindLifecycle([$view, $connection, $health], env, {
    running: () => connection !== undefined,
    start,
    stop,
  })

  return {
    id: options.sessionID,
    $view,
    $connection,
    $health,
    ...createKeyedViews($view),
    reconnect: () => {
      if (closed) return
      stop()
      if (lifecycle.listened() > 0) start()
    },
    close: () => {
      if (closed) return
      lifecycle.cancelClose()
      stop()
      persistence?.stop()
      closed = true
      options.onClose?.()
    },
  }
}
