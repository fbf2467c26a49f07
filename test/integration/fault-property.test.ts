import * as fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMockEngine, type Fault, type TurnInput } from '../../mock-server/index.js'
import { createSessionClient } from '../../src/client/client.js'
import { isDurable } from '../../src/protocol/events.js'
import { comparable, publicSeqs, serverFold } from '../support/convergence.js'

/*
 * Random fault schedules over scripted turns, against the real contract engine (its fetch
 * handler stands in for the network). Whatever happened on the way, once the faults are
 * cleared the client must converge on exactly what the server's durable log says.
 * Reproduce a failure with FC_SEED=<seed> (printed by fast-check); FC_RUNS raises the count.
 */
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED)
const numRuns = Number(process.env.FC_RUNS ?? 10)

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ type: fc.constant('drop' as const), mode: fc.constantFrom('end' as const, 'reset' as const) }),
  fc.record({ type: fc.constant('drop-after' as const), frames: fc.integer({ min: 1, max: 15 }) }),
  fc.record({ type: fc.constant('split' as const), on: fc.constant(true), bytes: fc.integer({ min: 1, max: 7 }) }),
  fc.record({ type: fc.constant('duplicate' as const), on: fc.boolean() }),
  fc.constant({ type: 'restart' as const }),
  fc.record({ type: fc.constant('shed' as const), on: fc.constant(true), retryAfterSeconds: fc.constant(0) }),
  fc.record({ type: fc.constant('stall' as const), on: fc.constant(true) }),
  fc.record({ type: fc.constant('private-rows' as const), on: fc.boolean() }),
  fc.constant({ type: 'clear' as const }),
)

const turnArb: fc.Arbitrary<TurnInput> = fc.record({
  prompt: fc.string({ maxLength: 20 }),
  text: fc.string({ minLength: 1, maxLength: 50 }),
  reasoning: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
  tools: fc.option(
    fc.array(fc.record({ name: fc.constantFrom('read', 'grep'), input: fc.record({ q: fc.string({ maxLength: 8 }) }), output: fc.string({ maxLength: 10 }) }), { maxLength: 2 }),
    { nil: undefined },
  ),
  chunk: fc.integer({ min: 1, max: 6 }),
  intervalMs: fc.constantFrom(0, 1, 2),
})

const scenarioArb = fc.record({
  turns: fc.array(turnArb, { minLength: 1, maxLength: 3 }),
  faults: fc.array(fc.record({ atMs: fc.integer({ min: 0, max: 120 }), fault: faultArb }), { maxLength: 5 }),
})

let cleanup: (() => void)[] = []
afterEach(() => {
  for (const fn of cleanup) fn()
  cleanup = []
})

describe('fault schedules over scripted turns (property)', () => {
  it('converge on the server log: nothing lost, nothing applied twice, texts exact', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ turns, faults }) => {
        const engine = createMockEngine({ heartbeatMs: 40 })
        const sessionID = engine.createSession({ title: 'property' })
        const client = createSessionClient({
          baseUrl: 'http://mock.test',
          fetch: (input, init) => engine.handle(new Request(input, init)),
          backoff: { initialDelay: 5, maxDelay: 40, multiplier: 2 },
          idleTimeoutMs: 150,
          maxProtocolRetries: 1000,
        })
        cleanup.push(() => client.close(), () => engine.close())
        const session = client.session(sessionID)
        const stop = session.$view.listen(() => {})

        // A second, independent consumer: the iterator records every durable seq it yields.
        const controller = new AbortController()
        const seqs: number[] = []
        const consumed = (async () => {
          for await (const event of client.sessions.events({ sessionID, signal: controller.signal })) {
            if (isDurable(event)) seqs.push(event.durable.seq)
          }
        })()

        const timers = faults.map(({ atMs, fault }) => setTimeout(() => engine.applyFault(fault), atMs))
        const outcomes: { ids: readonly string[]; turn: TurnInput; completed: boolean }[] = []
        for (const turn of turns) {
          const started = engine.startTurn(sessionID, turn)
          if (started === undefined) throw new Error('turn not started')
          outcomes.push({ ids: started.assistantMessageIDs, turn, completed: (await started.done) === 'completed' })
        }
        for (const timer of timers) clearTimeout(timer)
        engine.applyFault({ type: 'clear' })

        const latest = engine.latestSeq(sessionID)
        await vi.waitFor(
          () => {
            const view = session.$view.get()
            expect(view.cursor).toBe(latest)
            expect(view.activity).toBe('idle')
            expect(seqs.at(-1)).toBe(latest)
          },
          { timeout: 15_000, interval: 10 },
        )
        controller.abort()
        await consumed
        stop()

        // Zero durable events lost or applied twice, in order.
        expect(seqs).toEqual(publicSeqs(engine, sessionID))
        // The view equals the fold of the whole durable log plus the final activity.
        expect(comparable(session.$view.get())).toEqual(comparable(serverFold(engine, sessionID)))
        // Every completed turn's text and reasoning equal the server's.
        // A turn with tools is two steps (the calls, then the answer): its parts span both.
        for (const { ids, turn, completed } of outcomes.filter((o) => o.completed)) {
          const parts = session.$view.get().messages.flatMap((m) => (m.role === 'assistant' && ids.includes(m.id) ? m.parts : []))
          const text = (type: 'text' | 'reasoning') =>
            parts.flatMap((p) => (p.type === type ? [p] : []))
          expect({ completed, text: text('text').map((p) => p.text) }).toEqual({ completed, text: [turn.text] })
          expect(text('reasoning').map((p) => p.text)).toEqual(turn.reasoning === undefined ? [] : [turn.reasoning])
          expect(parts.every((p) => !p.incomplete && !p.streaming)).toBe(true)
        }
        client.close()
        engine.close()
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }), endOnFailure: true },
    )
  })
})
