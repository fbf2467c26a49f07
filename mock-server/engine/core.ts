import { DEFAULT_HEARTBEAT_MS, type EventData } from '../../src/protocol/index.js'
import { createRunCoordinator } from './activity.js'
import { createIds, realScheduler } from './clock.js'
import { asDurable, asLive, createEnvelopeFactory } from './envelope.js'
import { createFaultState } from './faults.js'
import { createMemoryLogStore } from './log-store.js'
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
  const store = options.logStore ?? createMemoryLogStore()
  const ids = createIds(now, random)
  const envelopes = createEnvelopeFactory(ids, now)
  const faults = createFaultState()
  const turns = createTurnRunner(scheduler)
  /** Who gets offers, per session. Deletion unregisters subscribers that are still draining. */
  const registry = new Map<string, Set<Subscription>>()
  const open = new Set<Subscription>()
  /** Open streams and what each must keep referenced while open. */
  const streams = new Map<EventStream, unknown>()
  const counters = { droppedLive: 0, overflows: 0, restarts: 0 }

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

  const core: EngineCore = {
    token: options.token,
    createSession(input = {}) {
      if (input.parentID !== undefined && !exists(input.parentID)) throw new Error(`unknown parent ${input.parentID}`)
      const sessionID = ids.next('ses')
      const data: EventData<'session.created'> = { sessionID }
      if (input.title !== undefined) data.title = input.title
      if (input.parentID !== undefined) data.parentID = input.parentID
      core.commit(sessionID, 'session.created', data)
      return sessionID
    },
    commit(sessionID, type, data) {
      const latest = store.latest(sessionID)
      if ((latest < 0) !== (type === 'session.created')) throw new Error(`cannot commit ${type} to ${sessionID}`)
      const event = envelopes.durable(sessionID, latest + 1, type, data)
      // On the log before anyone is woken: a wakeup must always find its row.
      store.append(sessionID, asDurable(event))
      broadcast(sessionID, { kind: 'wakeup' })
      return event
    },
    publish(sessionID, type, data) {
      const event = envelopes.live(type, data)
      broadcast(sessionID, { kind: 'live', event: asLive(event) })
      return event
    },
    beginRun: (sessionID, runOptions) => runs.begin(sessionID, runOptions),
    deleteSession(sessionID) {
      if (!exists(sessionID)) return false
      // Ends its runs first, so open streams see activity go idle before the deletion.
      turns.cancel((turn) => turn.sessionID === sessionID)
      core.commit(sessionID, 'session.deleted', { sessionID })
      for (const subscription of registry.get(sessionID) ?? []) {
        subscription.finishBeforeLogDeletion()
        unregister(subscription)
      }
      store.delete(sessionID)
      return true
    },
    startTurn(sessionID, input) {
      if (!exists(sessionID)) return undefined
      const script = buildTurnScript(sessionID, input, ids)
      let end: (() => void) | undefined
      const sink: TurnSink = {
        commit: (type, data) => void core.commit(sessionID, type, data),
        publish: (type, data) => void broadcast(sessionID, { kind: 'live', event: asLive(envelopes.live(type, data)) }),
        beginRun: () => void (end = runs.begin(sessionID, { background: input.background === true })),
        endRun: () => end?.(),
      }
      const turn = turns.start(sessionID, script.steps, sink, input.intervalMs ?? 15)
      return { assistantMessageID: script.assistantMessageID, done: turn.done }
    },
    subscribe(sessionID, after) {
      if (!exists(sessionID)) return undefined
      return createSubscription({
        sessionID,
        after,
        queueLimit,
        ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
        source: { latest: () => store.latest(sessionID), read: (from, limit) => store.load(sessionID, from, limit) },
        activity: () => runs.status(sessionID),
        activityEvent: (status, cutoff) => envelopes.live('session.activity', { sessionID, status, cutoff }),
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
    },
    openStream(sessionID, after, signal, owner) {
      const subscription = core.subscribe(sessionID, after)
      if (subscription === undefined) return undefined
      const onAbort = (): void => stream.close('end', 'cancelled')
      const stream = createEventStream({
        subscription,
        heartbeatMs,
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
    history(sessionID, after, limit) {
      if (!exists(sessionID)) return undefined
      const rows = store.load(sessionID, after, limit + 1)
      return { data: rows.slice(0, limit), hasMore: rows.length > limit }
    },
    activity: (sessionID) => runs.status(sessionID),
    running: () => runs.running(),
    latestSeq: (sessionID) => store.latest(sessionID),
    sessions: () => store.list().map((sessionID) => summary(sessionID)),
    applyFault(fault) {
      switch (fault.type) {
        case 'drop':
          for (const stream of streams.keys()) stream.close(fault.mode ?? 'end', 'dropped')
          return
        case 'drop-after':
          return faults.update({ dropAfter: { frames: fault.frames, id: (faults.current().dropAfter?.id ?? 0) + 1 } })
        case 'stall':
          return faults.update({ stall: fault.on })
        case 'split':
          return faults.update({ split: fault.on === false ? undefined : { bytes: fault.bytes } })
        case 'duplicate':
          return faults.update({ duplicate: fault.on })
        case 'shed':
          return faults.update({ shed: fault.on ? { retryAfterSeconds: fault.retryAfterSeconds ?? 1 } : undefined })
        case 'restart':
          return core.restart()
        case 'clear':
          return faults.clear()
      }
    },
    faults: () => faults.current(),
    restart() {
      counters.restarts++
      // Reset first: the cancelled turns' run ends then emit nothing, as after a real crash.
      runs.reset()
      turns.cancel()
      for (const stream of streams.keys()) stream.close('reset', 'restart')
      for (const subscription of open) subscription.close('restart')
    },
    stats: () => ({
      sessions: store.list().length,
      subscribers: open.size,
      streams: streams.size,
      runningTurns: turns.size,
      ...counters,
    }),
    close() {
      turns.cancel()
      for (const stream of streams.keys()) stream.close('end', 'dropped')
      for (const subscription of open) subscription.close('dropped')
    },
  }

  const summary = (sessionID: string): SessionSummary => {
    const created = store.load(sessionID, -1, 1)[0]
    const data = created?.type === 'session.created' ? created.data : undefined
    return {
      sessionID,
      ...(data?.title === undefined ? {} : { title: data.title }),
      ...(data?.parentID === undefined ? {} : { parentID: data.parentID }),
      latestSeq: store.latest(sessionID),
      activity: runs.status(sessionID),
    }
  }
  return core
}
