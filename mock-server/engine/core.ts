import { DEFAULT_HEARTBEAT_MS, type ModelRef } from '../../src/protocol/index.js'
import { createRunCoordinator } from './activity.js'
import { createIds, realScheduler } from './clock.js'
import { asDurable, asLive, createEnvelopeFactory } from './envelope.js'
import { createFaultState, hits, patchFor } from './faults.js'
import { createMemoryLogStore, loadPublic } from './log-store.js'
import { createServerFeed } from './server-stream.js'
import { createEventStream, type EventStream } from './sse.js'
import { createSubscription, type QueueItem, type Subscription } from './subscription.js'
import { buildTurnScript, type TurnSink } from './turn-script.js'
import { createTurnRunner } from './turns.js'
import type { MockEngine, MockEngineOptions, SessionSummary } from './types.js'

export type EngineCore = Omit<MockEngine, 'handle'>

/** Everything but HTTP: the log, subscribers, runs, turns, faults. Platform-neutral. */
export function createEngineCore(options: MockEngineOptions = {}): EngineCore {
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const scheduler = options.scheduler ?? realScheduler
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  const queueLimit = options.queueLimit ?? 1024
  const pageSize = options.pageSize ?? 256
  const store = options.logStore ?? createMemoryLogStore()
  const ids = createIds(now, random)
  const envelopes = createEnvelopeFactory(ids, now)
  const faults = createFaultState({ privateRows: options.privateRows === true, shape: options.shape ?? 'unified' })
  const turns = createTurnRunner(scheduler)
  /** What the log does not hold (opencode keeps it elsewhere), by session. */
  const memory = new Map<string, { title?: string; parentID?: string; model?: ModelRef }>()
  /** Who gets offers, per session. Deletion unregisters subscribers that are still draining. */
  const registry = new Map<string, Set<Subscription>>()
  const open = new Set<Subscription>()
  /** Open streams and what each must keep referenced while open. */
  const streams = new Map<EventStream, unknown>()
  const counters = { droppedLive: 0, overflows: 0, restarts: 0 }
  /** `GET /api/event`: every session's public rows and fragments, in any shape (the seed keeps it too). */
  const feed = createServerFeed({
    heartbeatMs,
    queueLimit,
    faults,
    scheduler,
    random,
    ids,
    onOverflow(droppedLive) {
      counters.overflows++
      counters.droppedLive += droppedLive
    },
  })

  // Iterating a Set while closing (and so deleting) its current element is well defined.
  const broadcast = (sessionID: string, item: QueueItem): void => {
    for (const subscription of registry.get(sessionID) ?? []) subscription.offer(item)
  }
  const runs = createRunCoordinator((sessionID, status) => broadcast(sessionID, { kind: 'activity', status }))
  const exists = (sessionID: string): boolean => store.latest(sessionID) >= 0
  const unregister = (subscription: Subscription): void => {
    registry.get(subscription.sessionID)?.delete(subscription)
    if (registry.get(subscription.sessionID)?.size === 0) registry.delete(subscription.sessionID)
  }

  const subscribe = (sessionID: string, after: number, durableOnly: boolean): Subscription | undefined => {
    if (!exists(sessionID)) return undefined
    return createSubscription({
      sessionID,
      after,
      queueLimit,
      pageSize,
      durableOnly,
      source: { latest: () => store.latest(sessionID), read: (from, limit) => store.load(sessionID, from, limit) },
      activity: () => runs.status(sessionID),
      activityEvent: (status, cutoff) => envelopes.live(sessionID, 'session.activity', { status, cutoff }),
      register(subscription) {
        open.add(subscription)
        const set = registry.get(sessionID) ?? new Set()
        registry.set(sessionID, set.add(subscription))
      },
      onClose(subscription, reason, droppedLive) {
        open.delete(subscription)
        unregister(subscription)
        if (reason !== 'overflow') return
        counters.overflows++
        counters.droppedLive += droppedLive
      },
    })
  }

  const core: EngineCore = {
    token: options.token,
    createSession(input = {}) {
      if (input.parentID !== undefined && !exists(input.parentID)) throw new Error(`unknown parent ${input.parentID}`)
      const sessionID = ids.next('ses')
      // Like opencode's, a session starts with a row nobody is sent, so public seqs start at 1.
      store.append(sessionID, envelopes.privateRow(sessionID, 0))
      const { title, parentID, model } = input
      memory.set(sessionID, {
        ...(title === undefined ? {} : { title }),
        ...(parentID === undefined ? {} : { parentID }),
        ...(model === undefined ? {} : { model: { id: model.id, providerID: model.providerID, ...(model.variant === undefined ? {} : { variant: model.variant }) } }),
      })
      return sessionID
    },
    exists,
    commit(sessionID, type, data) {
      const latest = store.latest(sessionID)
      if (latest < 0) throw new Error(`cannot commit ${type}: no session ${sessionID}`)
      let seq = latest + 1
      if (faults.current().privateRows) store.append(sessionID, envelopes.privateRow(sessionID, seq++))
      const event = envelopes.durable(sessionID, seq, type, data)
      // On the log before anyone is woken: a wakeup must always find its row.
      store.append(sessionID, asDurable(event))
      broadcast(sessionID, { kind: 'wakeup' })
      feed.row(asDurable(event))
      return event
    },
    publish(sessionID, type, data) {
      const event = envelopes.live(sessionID, type, data)
      broadcast(sessionID, { kind: 'live', event: asLive(event) })
      feed.live(asLive(event))
      return event
    },
    beginRun: (sessionID, runOptions) => runs.begin(sessionID, runOptions),
    interrupt(sessionID) {
      if (!exists(sessionID)) return false
      turns.cancel((turn) => turn.sessionID === sessionID)
      return true
    },
    deleteSession(sessionID) {
      if (!exists(sessionID)) return false
      // Ends its runs first, so open streams see activity go idle before they end.
      turns.cancel((turn) => turn.sessionID === sessionID)
      for (const subscription of registry.get(sessionID) ?? []) {
        subscription.finishBeforeLogDeletion()
        unregister(subscription)
      }
      store.delete(sessionID)
      memory.delete(sessionID)
      feed.deleted(sessionID)
      return true
    },
    startTurn(sessionID, input) {
      if (!exists(sessionID)) return undefined
      const script = buildTurnScript(input, ids, memory.get(sessionID)?.model)
      let end: (() => void) | undefined
      let admittedSeq = -1
      const sink: TurnSink = {
        commit(type, data) {
          const seq = core.commit(sessionID, type, data).durable.seq
          if (type === 'session.next.prompt.admitted') admittedSeq = seq
        },
        publish: (type, data) => void core.publish(sessionID, type, data),
        beginRun: () => void (end = runs.begin(sessionID, { background: input.background === true })),
        endRun: () => end?.(),
      }
      // The prompt rows are unpaced, so they are committed before `start` returns.
      const turn = turns.start(sessionID, script.steps, sink, input.intervalMs ?? options.intervalMs ?? 15)
      const { messageID, assistantMessageIDs, assistantMessageID } = script
      return { messageID, admittedSeq, assistantMessageIDs, assistantMessageID, done: turn.done }
    },
    subscribe: (sessionID, after) => subscribe(sessionID, after, false),
    openStream(sessionID, after, signal, owner) {
      // A split server's session stream: rows only, no snapshot, no fragments, no heartbeats.
      const split = faults.current().shape === 'split'
      const subscription = subscribe(sessionID, after, split)
      if (subscription === undefined) return undefined
      const onAbort = (): void => stream.close('end', 'cancelled')
      const stream = createEventStream({
        subscription,
        heartbeatMs: split ? undefined : heartbeatMs,
        faults,
        scheduler,
        random,
        onFinish() {
          streams.delete(stream)
          signal?.removeEventListener('abort', onAbort)
        },
      })
      streams.set(stream, owner)
      signal?.addEventListener('abort', onAbort, { once: true })
      if (signal?.aborted === true) stream.close('end', 'cancelled')
      return stream
    },
    openServerStream: (signal, owner) => feed.open(signal, owner),
    history(sessionID, after, limit) {
      if (!exists(sessionID)) return undefined
      const rows = loadPublic(store, sessionID, after, limit + 1, pageSize)
      return { data: rows.slice(0, limit), hasMore: rows.length > limit }
    },
    activity: (sessionID) => runs.status(sessionID),
    running: () => runs.running(),
    latestSeq: (sessionID) => store.latest(sessionID),
    sessions: () => store.list().map((sessionID) => summary(sessionID)),
    applyFault(fault) {
      const shape = faults.current().shape
      if (fault.type === 'drop') {
        if (hits(fault.target, 'session')) for (const stream of streams.keys()) stream.close(fault.mode ?? 'end', 'dropped')
        if (hits(fault.target, 'server')) feed.closeAll(fault.mode ?? 'end', 'dropped')
      } else if (fault.type === 'restart') core.restart()
      else if (fault.type === 'clear') faults.clear()
      else faults.update(patchFor(fault, faults.current()))
      // Another shape (a server upgraded in place): session streams end, their clients reconnect to it.
      if (faults.current().shape !== shape) for (const stream of streams.keys()) stream.close('end', 'dropped')
    },
    faults: () => faults.current(),
    restart() {
      counters.restarts++
      // Reset first: the cancelled turns' run ends then emit nothing, as after a real crash.
      runs.reset()
      turns.cancel()
      for (const stream of streams.keys()) stream.close('reset', 'restart')
      feed.closeAll('reset', 'restart')
      for (const subscription of open) subscription.close('restart')
    },
    stats: () => ({
      sessions: store.list().length,
      subscribers: open.size,
      streams: streams.size,
      serverStreams: feed.size,
      runningTurns: turns.size,
      ...counters,
    }),
    close() {
      turns.cancel()
      for (const stream of streams.keys()) stream.close('end', 'dropped')
      feed.closeAll('end', 'dropped')
      for (const subscription of open) subscription.close('dropped')
    },
  }

  const summary = (sessionID: string): SessionSummary => ({
    sessionID,
    ...memory.get(sessionID),
    created: store.load(sessionID, -1, 1)[0]?.data.timestamp ?? 0,
    latestSeq: store.latest(sessionID),
    activity: runs.status(sessionID),
  })
  return core
}
