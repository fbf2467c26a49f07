import * as fc from 'fast-check'
import { atom } from 'nanostores'
import { describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/protocol/index.js'
import { createKeyedViews } from '../../src/store/keyed.js'
import { foldEvents, initialView } from '../../src/view/fold.js'
import { TAIL } from '../../src/view/list.js'
import { selectMessage, selectPart } from '../../src/view/select.js'
import type { SessionView } from '../../src/view/types.js'
import { durable, model, Script, scriptedTurn, turnIDs } from '../view/fixtures.js'

/*
 * Per-message and per-part stores (src/store/keyed.ts) are told of a flush only when their own
 * slice changed, found by comparing the lists behind two views rather than by asking every
 * mounted store. These tests hold them to the plain definition: after every change of `$view`,
 * each store's value is `selectMessage`/`selectPart` of the new view, and it notified its
 * listeners exactly when that value's identity changed.
 */

const TURNS = TAIL // 3 messages a turn: the tail spills into the head several times
const events = (() => {
  const script = new Script()
  for (let turn = 0; turn < TURNS; turn++) scriptedTurn(script, turn)
  return script.events
})()

type Step =
  | { readonly kind: 'frame'; readonly size: number }
  /** A late step for an old message: an edit in the head. */
  | { readonly kind: 'reopen'; readonly turn: number }
  /** A committed revert back to a turn's prompt: the list shrinks. */
  | { readonly kind: 'commit'; readonly turn: number }
  /** The store swaps in a view built elsewhere: a rebuilt history, or a copy. */
  | { readonly kind: 'reset' }
  | { readonly kind: 'clone' }

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('frame' as const), size: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), turn: fc.nat(TURNS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('commit' as const), turn: fc.nat(TURNS - 1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clone' as const }) },
)

const watchedTurns = [0, 1, TURNS / 2, TURNS - 2, TURNS - 1]

const runs = { numRuns: 40, ...(process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) }) }

interface Probe {
  readonly read: (view: SessionView) => unknown
  readonly values: unknown[]
  stop(): void
}

describe('per-message and per-part stores', () => {
  it('after any sequence of views, hold their slice and notify exactly when it changed (property)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const $view = atom<SessionView>(initialView())
        const keyed = createKeyedViews($view)
        const probes: Probe[] = []
        const probe = <T,>($slice: { subscribe(cb: (value: T) => void): () => void }, read: (view: SessionView) => unknown) => {
          const values: unknown[] = []
          probes.push({ read, values, stop: $slice.subscribe((value) => values.push(value)) })
        }
        for (const turn of watchedTurns) {
          const { user, assistant, answer, tool } = turnIDs(turn)
          probe(keyed.message(user), (view) => selectMessage(view, user))
          probe(keyed.message(answer), (view) => selectMessage(view, answer))
          probe(keyed.part(answer, 'text:text-0'), (view) => selectPart(view, answer, 'text:text-0'))
          probe(keyed.part(assistant, `tool:${tool}`), (view) => selectPart(view, assistant, `tool:${tool}`))
        }
        const idLists: (readonly string[])[] = []
        const stopIDs = keyed.$messageIDs.subscribe((ids) => idLists.push(ids))

        let at = 0
        let seq = 100_000
        const expected = probes.map((p) => [p.read($view.get())])
        const expectedIDs = [$view.get().messages.map((m) => m.id)]
        const next = (s: Step): SessionView => {
          const view = $view.get()
          if (s.kind === 'reset') return initialView()
          if (s.kind === 'clone') return structuredClone({ ...view, messages: view.messages })
          let batch: SessionEvent[]
          if (s.kind === 'frame') {
            batch = events.slice(at, at + s.size)
            at += s.size
          } else if (s.kind === 'reopen') {
            batch = [durable('session.next.step.started', { assistantMessageID: turnIDs(s.turn).answer, agent: 'late', model }, seq++)]
          } else batch = [durable('session.next.revert.committed', { messageID: turnIDs(s.turn).user }, seq++)]
          return foldEvents(batch, view)
        }
        for (const s of steps) {
          const view = next(s)
          $view.set(view)
          probes.forEach((p, i) => {
            const value = p.read(view)
            const seen = expected[i]!
            if (seen.at(-1) !== value) seen.push(value)
          })
          const ids = view.messages.map((m) => m.id)
          if (JSON.stringify(ids) !== JSON.stringify(expectedIDs.at(-1))) expectedIDs.push(ids)
        }
        // Every change, in order, and nothing else: values are compared by identity.
        probes.forEach((p, i) => {
          expect(p.values.length).toBe(expected[i]!.length)
          p.values.forEach((value, j) => expect(value).toBe(expected[i]![j]))
        })
        expect(idLists).toEqual(expectedIDs)
        for (const p of probes) p.stop()
        stopIDs()
      }),
      runs,
    )
  })

  it('listen to `$view` only while one of them is listened to', () => {
    const $view = atom<SessionView>(initialView())
    const keyed = createKeyedViews($view)
    const $message = keyed.message(turnIDs(0).user)
    const $part = keyed.part(turnIDs(0).answer, 'text:text-0')
    expect($view.lc).toBe(0)
    const stopMessage = $message.listen(() => {})
    const stopPart = $part.listen(() => {})
    const stopIDs = keyed.$messageIDs.listen(() => {})
    expect($view.lc).toBe(1)
    stopMessage()
    stopPart()
    expect($view.lc).toBe(1)
    stopIDs()
    expect($view.lc).toBe(0)
    // Read while nothing listens, a store still answers from the current view.
    $view.set(foldEvents(events.slice(0, 40)))
    expect($message.get()).toBe(selectMessage($view.get(), turnIDs(0).user))
    expect($part.get()).toBe(selectPart($view.get(), turnIDs(0).answer, 'text:text-0'))
  })
})
