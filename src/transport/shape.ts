import type { LiveEvent, SessionEvent } from '../protocol/events.js'
import type { Environment } from './environment.js'
import type { ServerHub } from './hub.js'
import type { Deadlines } from './stream.js'

/**
 * `unified`: the seed's session stream carries everything (replay, one activity snapshot,
 * live fragments). `split`: a released opencode server, whose session stream carries durable
 * rows only; fragments come on the server-wide stream and activity from `/api/session/active`.
 */
export type ServerShape = 'unified' | 'split'

export interface ShapeDeps {
  readonly sessionID: string
  readonly mode: 'auto' | ServerShape
  /** In `auto`: this long without a snapshot or a row on an attempt, and the server counts as split. */
  readonly timeoutMs: number
  readonly hub: ServerHub
  readonly env: Environment
  /** A fragment for this session from the server-wide stream. */
  fragment(event: LiveEvent): void
  /** An activity answer, to be delivered as the snapshot a unified server would have sent. */
  activity(status: 'idle' | 'running'): void
  /** End the session stream's attempt and reconnect at once (the server-wide stream saw a restart). */
  restart(reason: string): void
  /** The server-wide stream says the session was deleted. */
  deleted(): void
  changed(): void
}

export interface ShapeTracker {
  current(): ServerShape | undefined
  deadlines(connectMs: number, idleMs: number): Deadlines
  /** A session-stream attempt begins. */
  attempt(): void
  /** The session stream's response headers arrived. */
  opened(): void
  /** A durable row of `type` passed the gate. */
  row(type: string): void
  /** Whether an event of the session stream was already delivered (a fragment seen on both streams). */
  duplicate(event: SessionEvent): boolean
  close(): void
}

/** Quiet after a step ended: the next step of a tool turn usually follows within this. */
const STEP_SETTLE_MS = 250
/** While a split server says running, ask again this often: a run can die without a row. */
const RUNNING_POLL_MS = 20_000
/** After a failed activity request. */
const POLL_RETRY_MS = 5_000
/** Fragment ids remembered to drop the ones both streams deliver during a switch-over. */
const RECENT_IDS = 512
const NEVER = Number.POSITIVE_INFINITY
/** Rows closer together than this are one burst: a replay, not a live turn. */
const REPLAY_GAP_MS = 100

/**
 * Tells the server's shape apart and, against a split server, does what its session stream
 * does not: follows the client's server-wide stream for this session's fragments and asks
 * for activity after every (re)connect, after every step end, and every 20 s while running.
 *
 * `auto`: an attempt that delivers a `session.activity` is unified. One that goes
 * `timeoutMs` without a snapshot, counted from its request and again from every row of a
 * burst (a long replay is not silence; the rows of a live turn, spaced out, are), is split. Either can change on a later attempt (a server
 * upgraded or replaced), and the hub remembers the last verdict, so the next session
 * starts from it. Fragments are deduplicated by event id across the two streams, so a
 * switch-over neither loses nor doubles one.
 */
export function createShapeTracker(deps: ShapeDeps): ShapeTracker {
  const { env, hub } = deps
  let shape: ServerShape | undefined = deps.mode === 'auto' ? hub.shape : deps.mode
  let detector: unknown
  let poll: unknown
  let pollAt = 0
  let unfollow: (() => void) | undefined
  let hubOpened = false
  let lastStatus: 'idle' | 'running' | undefined
  let closed = false
  /** When the last durable row came; a replay's first row counts as back to back with the request. */
  let lastRowAt = Number.NEGATIVE_INFINITY
  const recent = new Set<string>()

  const remember = (id: string): boolean => {
    if (recent.has(id)) return false
    recent.add(id)
    if (recent.size > RECENT_IDS) recent.delete(recent.values().next().value as string)
    return true
  }

  const clear = (timer: unknown) => {
    if (timer !== undefined) env.clearTimeout(timer)
  }
  /** Asks `ms` from now, unless a request is already due sooner: triggers that coincide ask once. */
  const schedulePoll = (ms: number) => {
    if (closed || shape !== 'split') return
    const at = env.now() + ms
    if (poll !== undefined && pollAt <= at) return
    clear(poll)
    pollAt = at
    poll = env.setTimeout(askActivity, ms)
  }
  const askActivity = () => {
    poll = undefined
    if (closed || shape !== 'split') return
    hub.active().then(
      (running) => {
        if (closed || shape !== 'split') return
        lastStatus = running.has(deps.sessionID) ? 'running' : 'idle'
        deps.activity(lastStatus)
        if (lastStatus === 'running' && poll === undefined) schedulePoll(RUNNING_POLL_MS)
      },
      () => schedulePoll(POLL_RETRY_MS),
    )
  }

  const becomeSplit = () => {
    clear(detector)
    detector = undefined
    if (shape !== 'split' && deps.mode === 'auto') hub.shape = 'split'
    shape = 'split'
    hubOpened = false
    unfollow ??= hub.follow(deps.sessionID, {
      fragment: (event) => {
        if (!closed && shape === 'split' && remember(event.id)) deps.fragment(event)
      },
      reopened: () => {
        // The first open is this follow's own; a later one means the server or the network
        // came back, and a session stream without heartbeats may not have noticed.
        if (hubOpened) deps.restart('the server-wide stream reconnected')
        hubOpened = true
        schedulePoll(0)
      },
      refresh: () => schedulePoll(0),
      deleted: () => {
        if (!closed) deps.deleted()
      },
    })
    schedulePoll(0)
    deps.changed()
  }

  const becomeUnified = () => {
    clear(detector)
    detector = undefined
    if (shape === 'unified') return
    if (deps.mode === 'auto') hub.shape = 'unified'
    shape = 'unified'
    clear(poll)
    poll = undefined
    unfollow?.()
    unfollow = undefined
    deps.changed()
  }

  /**
   * Puts the verdict off until `timeoutMs` from now. A replay calls this for every row, so it
   * moves a deadline rather than a timer (a clear and a set per row was 8% of a replay); the
   * timer, when it fires early, waits out the rest.
   */
  let detectAt = 0
  const detect = () => {
    detector = undefined
    if (closed) return
    const rest = detectAt - env.now()
    if (rest > 0) detector = env.setTimeout(detect, rest)
    else becomeSplit()
  }
  const arm = (now = env.now()) => {
    if (deps.mode !== 'auto' || shape === 'unified' || closed) return
    detectAt = now + deps.timeoutMs
    detector ??= env.setTimeout(detect, deps.timeoutMs)
  }

  if (shape === 'split') becomeSplit()

  return {
    current: () => shape,
    deadlines: (connectMs, idleMs) =>
      // A split server's session stream answers nothing, headers included, until its next
      // row, and sends no heartbeats: its silence says nothing. The server-wide stream's
      // heartbeats vouch for the server; its reconnect restarts this stream.
      shape === 'split' ? { connectMs: NEVER, idleMs: NEVER } : { connectMs, idleMs },
    attempt() {
      lastRowAt = env.now()
      if (deps.mode === 'auto' && shape !== 'split') {
        // A unified verdict holds only while each attempt still shows its snapshot.
        if (shape === 'unified') shape = undefined
        arm()
      }
      if (shape === 'split') schedulePoll(0)
    },
    opened() {
      if (shape === 'split') schedulePoll(0)
    },
    row(type) {
      // Rows back to back are a replay, which a unified server ends with its snapshot: wait on.
      // Rows spaced out are a live turn, which must not put the verdict off until it ends.
      const now = env.now()
      if (detector !== undefined && now - lastRowAt < REPLAY_GAP_MS) arm(now)
      lastRowAt = now
      if (shape === 'split' && (type === 'session.next.step.ended' || type === 'session.next.step.failed')) schedulePoll(STEP_SETTLE_MS)
    },
    duplicate(event) {
      if (event.type === 'session.activity') {
        if (deps.mode === 'auto') becomeUnified()
        return false
      }
      // Only a client that follows (or followed) the server-wide stream can see a fragment
      // twice; a plain unified stream skips the bookkeeping on its hot path.
      if (event.durable !== undefined || (unfollow === undefined && recent.size === 0)) return false
      return !remember(event.id)
    },
    close() {
      closed = true
      clear(detector)
      clear(poll)
      unfollow?.()
      unfollow = undefined
    },
  }
}
