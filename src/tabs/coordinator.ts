import { SessionStreamError } from '../errors.js'
import { judgeLeader, nextEpoch, type LeaderRef } from './epoch.js'
import { createSilenceWatch, createTicker } from './liveness.js'
import { createDemand } from './demand.js'
import { call, subscribe } from './listeners.js'
import { createLocalWants } from './local-wants.js'
import { holdLock, type HeldLock } from './locks.js'
import { channelName, fromLeader, leaderLockName, parseTabMessage, tabLockName, type LeaderMessage, type PublishMessage, type TabMessage, type WantMessage } from './messages.js'
import type { TabPlatform } from './platform.js'

/*
 * One leader per key among the tabs of an origin (issue #16). The leader lock elects it;
 * a lock per tab tells the leader when a tab is gone; a BroadcastChannel carries wants
 * to the leader and its messages back. The state lives in remote-wants, local-wants and
 * epoch (pure); demand.ts and this file wire it to locks, the channel and timers.
 */

export type TabRole = 'leader' | 'follower'

export interface TabCoordinator {
  readonly tabID: string
  role(): TabRole
  /** Every role change: a follower promoted, a leader whose lock was stolen demoted. */
  onRole(listener: (role: TabRole) => void): () => void
  /** This tab needs `sessionID` (counted per call); the result releases one reference. While wanted, `listener` gets every message the leader (another tab) publishes for it, in order. */
  want(sessionID: string, listener: (message: unknown) => void): () => void
  /** LEADER: another tab's demand for `sessionID` began (true) or ended (false: released, closed or died). */
  onDemand(listener: (sessionID: string, wanted: boolean, fromTab: string) => void): () => void
  /** LEADER: a tab (re)announced its want for `sessionID` and needs a snapshot through `publish`. */
  onJoin(listener: (sessionID: string, fromTab: string) => void): () => void
  /** LEADER: sends a structured-clonable message to the tabs that want `sessionID`; false (and nothing sent) elsewhere. */
  publish(sessionID: string, message: unknown): boolean
  /** Lets go of the leader lock (another tab takes over at once), the tab lock and the channel. Idempotent. */
  close(): void
}

export interface TabCoordinatorOptions {
  /** Names the group of tabs that share connections; never a secret (it names locks and a channel). */
  readonly key: string
  readonly platform: TabPlatform
  /** How long a visible follower waits without word from the leader before it takes over. @default 30_000 */
  readonly silenceMs?: number | undefined
}

export const DEFAULT_SILENCE_MS = 30_000

export function createTabCoordinator(options: TabCoordinatorOptions): TabCoordinator {
  const { key, platform } = options
  const silenceMs = options.silenceMs ?? DEFAULT_SILENCE_MS
  if (typeof key !== 'string' || key === '') throw new TypeError('createTabCoordinator: key must be a non-empty string')
  if (!Number.isFinite(silenceMs) || silenceMs <= 0) throw new RangeError('createTabCoordinator: silenceMs must be a positive number')
  const tabID = platform.newTabID()
  const local = createLocalWants()
  const roleListeners = new Set<(role: TabRole) => void>()
  const demandListeners = new Set<(sessionID: string, wanted: boolean, fromTab: string) => void>()
  const joinListeners = new Set<(sessionID: string, fromTab: string) => void>()
  let role: TabRole = 'follower'
  let closed = false
  let ready = false // our tab lock is held: only then may another tab watch it
  let epoch = 0 // ours, while leading
  let highestEpoch = 0
  let leader: LeaderRef | undefined // the leader this tab follows (itself while leading)
  let leadership: HeldLock | undefined
  const outbox: TabMessage[] = []
  const channel = platform.channel(channelName(key))

  // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a BroadcastChannel has no target origin
  const post = (message: TabMessage): void => channel.postMessage(message)
  const send = (message: TabMessage): void => {
    if (closed) return
    if (ready) post(message)
    else outbox.push(message)
  }
  const announce = (kind: WantMessage['kind'], sessionID: string): void => send({ kind, key, tabID, sessionID })
  const announceAll = (): void => local.sessions().forEach((sessionID) => announce('want', sessionID))
  const silence = createSilenceWatch(platform, silenceMs, () => {
    if (!closed && role === 'follower') queueForLeadership(true)
  })
  const alive = createTicker(platform, silenceMs / 3, () => send({ kind: 'alive', key, tabID, epoch }))
  const sync = (): void => {
    silence.set(!closed && role === 'follower' && local.sessions().length > 0)
    alive.set(!closed && role === 'leader' && demand.size() > 0)
  }
  const demand = createDemand(
    platform.locks,
    key,
    {
      demand: (sessionID, wanted, fromTab) => call(demandListeners, sessionID, wanted, fromTab),
      join: (sessionID, fromTab) => call(joinListeners, sessionID, fromTab),
    },
    sync,
  )

  const onLeaderMessage = (message: LeaderMessage | PublishMessage): void => {
    highestEpoch = Math.max(highestEpoch, message.epoch)
    const verdict = judgeLeader(leader, message)
    if (verdict === 'stale') return // a deposed leader still talking
    if (verdict === 'newer') leader = { tabID: message.tabID, epoch: message.epoch }
    if (role === 'leader') return // our lock was stolen: demote() re-announces
    silence.heard()
    // A sender's messages arrive in order, so a new leader's first word to a tab that was
    // already listening is its hello; one first heard otherwise was leading when this tab
    // announced, and has its wants already.
    if (verdict === 'newer' && message.kind === 'hello') announceAll()
    if (message.kind === 'publish') call(local.listeners(message.sessionID), message.payload)
  }

  const onMessage = (event: { data: unknown }): void => {
    const message = closed ? undefined : parseTabMessage(event.data, key)
    if (message === undefined || message.tabID === tabID) return
    if (fromLeader(message)) onLeaderMessage(message)
    else if (role === 'leader') demand[message.kind](message.tabID, message.sessionID)
  }

  const promote = (): void => {
    role = 'leader'
    epoch = highestEpoch = nextEpoch(platform.now(), highestEpoch)
    leader = { tabID, epoch }
    sync()
    send({ kind: 'hello', key, tabID, epoch })
    call(roleListeners, 'leader')
  }

  const demote = (): void => {
    if (closed) return
    // While role() still says leader, so that every onDemand(true) is matched by a false.
    demand.clear(tabID)
    role = 'follower'
    sync()
    call(roleListeners, 'follower')
    queueForLeadership(false)
    if (leader !== undefined && leader.tabID !== tabID) announceAll()
  }

  function queueForLeadership(steal: boolean): void {
    leadership?.release() // a steal must not leave our place in the queue behind
    leadership = holdLock(platform.locks, leaderLockName(key), {
      steal,
      onGranted: promote,
      onLost: demote,
      // Locks refused here are refused to every tab of this origin: each then leads alone.
      onFailed: () => (closed || role === 'leader' ? undefined : promote()),
    })
  }

  const start = (): void => {
    if (closed || ready) return
    ready = true
    outbox.splice(0).forEach(post)
    queueForLeadership(false)
    sync()
  }
  const tabLock = holdLock(platform.locks, tabLockName(key, tabID), { onGranted: start, onLost: () => {}, onFailed: start })
  channel.addEventListener('message', onMessage)

  const listen = <L>(set: Set<L>, listener: L): (() => void) => (closed ? () => {} : subscribe(set, listener))

  return {
    tabID,
    role: () => role,
    onRole: (listener) => listen(roleListeners, listener),
    onDemand: (listener) => listen(demandListeners, listener),
    onJoin: (listener) => listen(joinListeners, listener),
    want(sessionID, listener) {
      if (typeof sessionID !== 'string' || sessionID === '') throw new SessionStreamError('invalid-session-id', 'a session id must be a non-empty string')
      if (closed) return () => {}
      const { first, release } = local.add(sessionID, listener)
      if (first && role === 'follower') announce('want', sessionID)
      sync()
      return () => {
        if (!release() || closed) return
        if (role === 'follower') announce('release', sessionID)
        sync()
      }
    },
    publish(sessionID, message) {
      if (closed || role !== 'leader') return false
      send({ kind: 'publish', key, tabID, epoch, sessionID, payload: message })
      return true
    },
    close() {
      if (closed) return
      closed = true
      role = 'follower'
      for (const set of [roleListeners, demandListeners, joinListeners]) set.clear()
      leadership?.release()
      tabLock.release()
      demand.clear(tabID) // to no listener: closing is not news to the integrator
      local.clear()
      outbox.length = 0
      sync()
      channel.removeEventListener('message', onMessage)
      channel.close()
    },
  }
}
