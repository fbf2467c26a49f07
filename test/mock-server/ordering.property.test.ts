import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeEvent, isDurable, type SessionEvent } from '../../src/protocol/index.js'
import { createMockEngine, type MockEngine, type Subscription } from '../../mock-server/index.js'
import { commitRows, fcParams, seededRandom, seqs } from './helpers.js'

/*
 * The ordering contract as properties, at the engine level: no HTTP, no timers, so every
 * run is deterministic and a failure replays from its seed (FC_SEED=<seed>).
 */

const session = fc.integer({ min: 0, max: 1 })
const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('commit' as const), session }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('start' as const), session }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('delta' as const), session, pick: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('run' as const), session, background: fc.boolean(), end: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('subscribe' as const), session, back: fc.integer({ min: -3, max: 12 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('pull' as const), sub: fc.nat(30), count: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('disconnect' as const), sub: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('private' as const), on: fc.boolean() }) },
)
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never

interface Tracked {
  readonly sub: Subscription
  readonly sessionID: string
  readonly after: number
  readonly cutoff: number
  readonly greedy: boolean
  readonly received: SessionEvent[]
  /** Live events (not activity) published while this subscriber was open, in order. */
  readonly published: string[]
}

interface World {
  readonly engine: MockEngine
  readonly sessions: string[]
  /** Per session: the seqs of its public rows, in commit order (private rows skip seqs). */
  readonly public: number[][]
  /** Per session: textID → seq of its `text.started`. */
  readonly started: Map<string, number>[]
  readonly runs: (() => void)[][]
  readonly tracked: Tracked[]
  /** Broken invariants, as readable sentences; the property asserts this stays empty. */
  readonly violations: string[]
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)
const pick = <T>(items: readonly T[], index: number): T | undefined => items[index % Math.max(items.length, 1)]

const subscribe = (world: World, index: number, after: number, greedy: boolean): void => {
  const sessionID = world.sessions[index] ?? ''
  const latest = world.engine.latestSeq(sessionID)
  const sub = world.engine.subscribe(sessionID, after)
  if (sub === undefined) throw new Error('unknown session')
  // B is the log's latest at subscribe time.
  if (sub.cutoff !== latest) world.violations.push(`cutoff ${sub.cutoff} != latest ${latest}`)
  world.tracked.push({ sub, sessionID, after, cutoff: latest, greedy, received: [], published: [] })
}

/** Pulls up to `count` steps, checking what can only be checked at emission time. */
const pull = (world: World, tracked: Tracked, count: number): void => {
  for (let index = 0; index < count; index++) {
    const step = tracked.sub.next()
    if (step.kind !== 'event') return
    const event = step.event
    const fail = (why: string): void => void world.violations.push(`${why}: ${JSON.stringify(event)}`)
    if (decodeEvent(JSON.stringify(event)).kind !== 'event') fail('does not decode')
    if (event.data.sessionID !== tracked.sessionID) fail('wrong session')
    if (event.type === 'session.activity') {
      const first = !tracked.received.some((seen) => seen.type === 'session.activity')
      // The snapshot is computed when it is emitted; later transitions carry the latest seq.
      if (first && event.data.status !== world.engine.activity(tracked.sessionID)) fail('stale snapshot status')
      if (!first && event.data.cutoff !== world.engine.latestSeq(tracked.sessionID)) fail('transition cutoff is not latest')
    }
    tracked.received.push(event)
  }
}

const drainGreedy = (world: World): void => {
  for (const tracked of world.tracked) if (tracked.greedy) pull(world, tracked, Number.MAX_SAFE_INTEGER)
}

function apply(world: World, step: Op): void {
  const { engine, sessions, started, runs, tracked } = world
  if (step.kind === 'private') return engine.applyFault({ type: 'private-rows', on: step.on })
  if (step.kind === 'pull' || step.kind === 'disconnect') {
    const target = pick(tracked, step.sub)
    if (target === undefined) return
    if (step.kind === 'pull') pull(world, target, step.count)
    else target.sub.close('cancelled')
    return
  }
  const sessionID = sessions[step.session] ?? ''
  const parts = started[step.session] ?? new Map<string, number>()
  const committed = world.public[step.session] ?? []
  const ownRuns = runs[step.session] ?? []
  switch (step.kind) {
    case 'commit':
      committed.push(...commitRows(engine, sessionID, 1))
      break
    case 'start': {
      const textID = `text-${parts.size}`
      const seq = engine.commit(sessionID, 'session.next.text.started', { assistantMessageID: 'msg', textID }).durable.seq
      parts.set(textID, seq)
      committed.push(seq)
      break
    }
    case 'delta': {
      const textID = pick([...parts.keys()], step.pick)
      if (textID === undefined) break
      const open = tracked.filter((item) => item.sessionID === sessionID && item.sub.closedBy === undefined)
      const event = engine.publish(sessionID, 'session.next.text.delta', { assistantMessageID: 'msg', textID, delta: 'd' })
      for (const item of open) item.published.push(event.id)
      break
    }
    case 'run':
      if (step.end) ownRuns.pop()?.()
      else ownRuns.push(engine.beginRun(sessionID, { background: step.background }))
      break
    case 'subscribe':
      subscribe(world, step.session, Math.max(engine.latestSeq(sessionID) - step.back, -1), false)
      break
  }
}

/** Everything one connection must satisfy, checked after a final drain; returns what broke. */
function connectionViolations(world: World, tracked: Tracked): string[] {
  const { received, after, cutoff } = tracked
  const out: string[] = []
  const check = (ok: boolean, why: string): void => void (ok || out.push(`${why} (after=${after}, B=${cutoff})`))
  const index = world.sessions.indexOf(tracked.sessionID)
  const expected = (world.public[index] ?? []).filter((seq) => seq > after)
  const durable = seqs(received)
  // Never missing, never repeated, never a private row: exactly the public seqs after `after`, in order.
  check(same(durable, expected.slice(0, durable.length)), `durable seqs are not the public ones: ${durable.join(',')}`)
  const snapshotAt = received.findIndex((event) => event.type === 'session.activity')
  const replayed = expected.filter((seq) => seq <= cutoff)
  if (snapshotAt === -1) {
    check(tracked.sub.closedBy !== undefined, 'open subscriber never got its snapshot')
    check(durable.every((seq) => seq <= cutoff), 'row beyond B before the snapshot')
    check(received.every(isDurable), 'live event before the snapshot')
    return out
  }
  check(same(seqs(received.slice(0, snapshotAt)), replayed), 'replay is not exactly the public rows in (after, B]')
  check(snapshotAt === replayed.length, 'something other than replay rows came before the snapshot')
  const snapshot = received[snapshotAt]
  check(snapshot?.type === 'session.activity' && snapshot.data.cutoff === cutoff, 'snapshot cutoff is not B')
  const statuses = received.flatMap((event) => (event.type === 'session.activity' ? [event.data.status] : []))
  check(statuses.every((status, at) => at === 0 || status !== statuses[at - 1]), `activity does not alternate: ${statuses.join(',')}`)

  const parts = world.started[index] ?? new Map<string, number>()
  received.forEach((event, at) => {
    if (event.type !== 'session.next.text.delta') return
    const startSeq = parts.get(event.data.textID) ?? Infinity
    const startSeen = received.slice(0, at).some((seen) => seen.durable?.seq === startSeq)
    check(startSeq <= after || startSeen, `delta ${at} before its start (seq ${startSeq})`)
  })
  const live = received.filter((event) => event.type === 'session.next.text.delta').map((event) => event.id)
  if (tracked.sub.closedBy === undefined) {
    check(same(durable, expected), 'an open subscriber is missing committed rows')
    check(same(live, tracked.published), 'an open subscriber lost or reordered live events')
  } else {
    check(same(tracked.published.slice(0, live.length), live), 'a closed subscriber got live events out of order')
  }
  return out
}

describe('ordering contract (engine, property-based)', () => {
  it('every subscriber sees the public rows of (after, B], one snapshot, then later events, with nothing lost or repeated', () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 5, maxLength: 120, size: 'max' }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 5 }),
        (ops, queueLimit, pageSize) => {
          let clock = 0
          const engine = createMockEngine({ queueLimit, pageSize, now: () => ++clock, random: seededRandom(1) })
          const world: World = { engine, sessions: [], public: [[], []], started: [new Map(), new Map()], runs: [[], []], tracked: [], violations: [] }
          world.sessions.push(engine.createSession(), engine.createSession())
          subscribe(world, 0, -1, true)
          subscribe(world, 1, -1, true)
          for (const step of ops) {
            apply(world, step)
            drainGreedy(world)
          }
          for (const tracked of world.tracked) pull(world, tracked, Number.MAX_SAFE_INTEGER)
          const violations = [...world.violations, ...world.tracked.flatMap((tracked) => connectionViolations(world, tracked))]

          // Overflow fails only the subscriber that fell behind: a greedy one never does.
          const overflowed = world.tracked.filter((tracked) => tracked.sub.closedBy === 'overflow')
          const greedy = world.tracked.filter((tracked) => tracked.greedy)
          if (greedy.some((tracked) => tracked.sub.closedBy !== undefined && tracked.sub.closedBy !== 'cancelled')) {
            violations.push('a subscriber that kept up was closed')
          }
          const stats = engine.stats()
          const open = world.tracked.filter((tracked) => tracked.sub.closedBy === undefined).length
          if (stats.overflows !== overflowed.length || stats.droppedLive < overflowed.length || stats.subscribers !== open) {
            violations.push(`stats disagree: ${JSON.stringify(stats)}, overflowed ${overflowed.length}, open ${open}`)
          }
          engine.close()
          expect(violations).toEqual([])
        },
      ),
      fcParams(150),
    )
  })
})
