import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { reactive, readonly, toRaw } from 'vue'
import type { SessionEvent } from '../../src/protocol/index.js'
import { foldEvents, initialView } from '../../src/view/fold.js'
import { listOf, TAIL } from '../../src/view/list.js'
import { selectMessage, selectPart } from '../../src/view/select.js'
import type { SessionView } from '../../src/view/types.js'
import { deepFreeze, durable, live, Script, textPart, turnIDs } from './fixtures.js'

/*
 * A view keeps its messages as a shared head and a short tail (src/view/list.ts) and joins
 * them into `view.messages` on first read. These tests hold that representation to what a
 * plain array of messages would do, across sizes where the tail spills into the head.
 */

/** `turns` finished turns (a prompt and an answer each): 2 × turns messages. */
function session(turns: number): Script {
  const script = new Script()
  script.durable('session.created', { title: 't' })
  for (let turn = 0; turn < turns; turn++) {
    const { user, assistant } = turnIDs(turn)
    script
      .durable('session.inbox.enqueued', { messageID: user, text: `q${turn}` })
      .durable('session.execution.started', {})
      .durable('session.step.started', { assistantMessageID: assistant })
      .durable('session.text.started', { assistantMessageID: assistant, ordinal: 0 })
      .live('session.text.delta', { assistantMessageID: assistant, ordinal: 0, delta: `a${turn}` })
      .durable('session.text.ended', { assistantMessageID: assistant, ordinal: 0, text: `answer ${turn}` })
      .durable('session.step.ended', { assistantMessageID: assistant, cost: 0, tokens: { input: 1, output: 1 } })
      .durable('session.execution.succeeded', {})
  }
  return script
}

const ids = (view: SessionView): string[] => view.messages.map((message) => message.id)
const expectedIDs = (turns: number): string[] =>
  Array.from({ length: turns }, (_, turn) => [turnIDs(turn).user, turnIDs(turn).assistant]).flat()

/** Folds `events` in frames of the given sizes, the way a store flushes them. */
function framed(events: readonly SessionEvent[], sizes: readonly number[]): SessionView {
  let view = initialView()
  let at = 0
  for (const size of sizes) {
    view = foldEvents(events.slice(at, at + size), view)
    at += size
  }
  return foldEvents(events.slice(at), view)
}

const runs = { numRuns: 60, ...(process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) }) }

describe('the message list', () => {
  it('in any framing, equals one fold, in order, past where the tail spills into the head (property)', () => {
    const turns = 3 * TAIL // 6 × TAIL messages
    const events = session(turns).events
    const whole = foldEvents(events)
    expect(ids(whole)).toEqual(expectedIDs(turns))
    fc.assert(
      fc.property(fc.array(fc.nat(40), { maxLength: 80 }), (sizes) => {
        expect(framed(events, sizes)).toStrictEqual(whole)
      }),
      runs,
    )
  })

  it('a streaming edit leaves the settled head shared, and old messages their identity', () => {
    const script = session(2 * TAIL)
    const { assistant } = turnIDs(2 * TAIL)
    script
      .durable('session.inbox.enqueued', { messageID: turnIDs(2 * TAIL).user, text: 'go' })
      .durable('session.execution.started', {})
      .durable('session.step.started', { assistantMessageID: assistant })
      .durable('session.text.started', { assistantMessageID: assistant, ordinal: 0 })
    const before = foldEvents(script.events)
    const after = foldEvents([...new Script().live('session.text.delta', { assistantMessageID: assistant, ordinal: 0, delta: 'x' }).events], before)
    expect(listOf(after).head).toBe(listOf(before).head)
    expect(listOf(after).head.length).toBeGreaterThan(0)
    expect(after.messages.slice(0, -1)).toEqual(before.messages.slice(0, -1))
    after.messages.slice(0, -1).forEach((message, i) => expect(message).toBe(before.messages[i]))
    expect(textPart(after, assistant, 'text:0').text).toBe('x')
  })

  it('an edit to an old message in the head leaves the earlier view as it was', () => {
    const before = deepFreeze(foldEvents(session(3 * TAIL).events))
    const old = turnIDs(1).assistant
    const next = foldEvents([durable('session.step.started', { assistantMessageID: old, agent: 'late' }, 10_000)], before)
    expect(selectMessage(next, old)).toMatchObject({ status: 'streaming', agent: 'late' })
    expect(selectMessage(before, old)).toMatchObject({ status: 'completed', agent: undefined })
    expect(ids(next)).toEqual(ids(before))
  })

  it('folds onto any earlier view, in any order, equal folding that view’s events from scratch (property)', () => {
    const base = session(TAIL + 8).events
    const action = fc.oneof(
      fc.record({ kind: fc.constant('prompt' as const), id: fc.constantFrom('x0', 'x1', 'x2', turnIDs(3).assistant) }),
      fc.record({ kind: fc.constant('step' as const), turn: fc.nat(TAIL + 7) }),
      fc.record({ kind: fc.constant('answer' as const), id: fc.constantFrom('y0', 'y1', 'x0') }),
    )
    // A prompt (ids repeat, one shadows an assistant's), a late step for an old message (an
    // edit in the head), or a new assistant message.
    const toEvent = (a: { kind: 'prompt' | 'answer'; id: string } | { kind: 'step'; turn: number }, seq: number): SessionEvent => {
      if (a.kind === 'step') return durable('session.step.started', { assistantMessageID: turnIDs(a.turn).assistant, agent: `late${seq}` }, seq)
      if (a.kind === 'prompt') return durable('session.inbox.enqueued', { messageID: a.id, text: `p${seq}` }, seq)
      return durable('session.step.started', { assistantMessageID: a.id, agent: `new${seq}` }, seq)
    }
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.array(action, { minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 12 }), (steps) => {
        const views: SessionView[] = [foldEvents(base)]
        const paths: SessionEvent[][] = [base]
        let seq = 100_000
        for (const [pick, actions] of steps) {
          const parent = pick % views.length
          const batch = actions.map((a) => toEvent(a, seq++))
          views.push(foldEvents(batch, views[parent]))
          paths.push([...(paths[parent] ?? []), ...batch])
        }
        views.forEach((view, i) => {
          const fresh = foldEvents(paths[i] ?? [])
          expect(view).toStrictEqual(fresh)
          for (const id of ['x0', 'x1', 'x2', 'y0', 'y1', turnIDs(3).assistant, turnIDs(TAIL).user]) {
            expect(selectMessage(view, id)).toStrictEqual(selectMessage(fresh, id))
          }
        })
      }),
      runs,
    )
  })

  it('never writes to the head or tail of the view it folds onto', () => {
    const base = foldEvents(session(3 * TAIL).events)
    deepFreeze(listOf(base).head)
    deepFreeze(listOf(base).tail)
    const old = turnIDs(1).assistant
    const next = foldEvents(
      [
        durable('session.step.started', { assistantMessageID: old }, 10_000),
        durable('session.inbox.enqueued', { messageID: 'later', text: 'x' }, 10_001),
        live('session.activity', { status: 'idle', cutoff: 10_001 }),
      ],
      base,
    )
    expect(selectMessage(next, old)).toMatchObject({ status: 'interrupted' })
    expect(selectMessage(base, old)).toMatchObject({ status: 'completed' })
  })

  it('two folds onto the same view do not see each other’s messages', () => {
    const base = foldEvents(session(TAIL).events)
    const left = foldEvents([durable('session.inbox.enqueued', { messageID: 'left', text: 'l' }, 5_000)], base)
    const right = foldEvents([durable('session.inbox.enqueued', { messageID: 'right', text: 'r' }, 5_000)], base)
    expect(selectMessage(left, 'left')).toMatchObject({ text: 'l' })
    expect(selectMessage(left, 'right')).toBeUndefined()
    expect(selectMessage(right, 'left')).toBeUndefined()
    expect(selectMessage(right, 'right')).toMatchObject({ text: 'r' })
    // The same id in both branches sits at the same index: each finds its own.
    const again = foldEvents([durable('session.inbox.enqueued', { messageID: 'right', text: 'again' }, 5_001)], left)
    expect(selectMessage(again, 'right')).toMatchObject({ text: 'again' })
    expect(ids(base)).toEqual(expectedIDs(TAIL))
  })
})

describe('view.messages', () => {
  const view = foldEvents(session(2 * TAIL).events)

  it('is a plain array that keeps its identity, and survives spreading and JSON', () => {
    expect(Array.isArray(view.messages)).toBe(true)
    expect(view.messages).toBe(view.messages)
    expect(Object.keys(view)).toEqual(['sessionID', 'info', 'activity', 'cursor', 'execution', 'messages'])
    const copy = { ...view }
    expect(Object.getOwnPropertyDescriptor(copy, 'messages')?.value).toBe(view.messages)
    expect(JSON.parse(JSON.stringify(view)).messages).toHaveLength(4 * TAIL)
  })

  it('is never joined by selectMessage or selectPart', () => {
    const fresh = foldEvents(session(2 * TAIL).events)
    expect(selectPart(fresh, turnIDs(3).assistant, 'text:0')).toMatchObject({ text: 'answer 3' })
    expect(listOf(fresh).flat).toBeUndefined()
  })

  it('can be assigned (Object.assign, a reactive store merging a new view in); the list follows the array', () => {
    const target = foldEvents(session(TAIL).events)
    const next = foldEvents([durable('session.inbox.enqueued', { messageID: 'late', text: 'x' }, 9_000)], view)
    Object.assign(target, next)
    expect(target.messages).toBe(next.messages)
    expect(selectMessage(target, 'late')).toMatchObject({ text: 'x' })
    const store = reactive({ view: foldEvents(session(TAIL).events) })
    Object.assign(store.view, next)
    expect(toRaw(store.view).messages).toBe(next.messages)
  })

  it('a clone that keeps every property but makes messages a plain value is read from its array', () => {
    const clone = Object.defineProperties({}, Object.getOwnPropertyDescriptors(view)) as SessionView
    Object.defineProperty(clone, 'messages', { value: [], enumerable: true })
    expect(selectMessage(clone, turnIDs(0).user)).toBeUndefined()
    expect(foldEvents([durable('session.renamed', { title: 'x' }, 9_000)], clone).messages).toEqual([])
  })

  it('a view built by hand keeps its array to itself: changing that array later changes no derived view', () => {
    const mine = [...view.messages]
    const hand: SessionView = { ...view, messages: mine }
    const derived = foldEvents([durable('session.inbox.enqueued', { messageID: 'new', text: 'x' }, 9_000)], hand)
    mine.push({ role: 'user', id: 'sneaky', created: 0, text: 'late' })
    expect(ids(derived).at(-1)).toBe('new')
    expect(selectMessage(derived, 'sneaky')).toBeUndefined()
  })

  it('keeps its identity across folds that change no message', () => {
    const next = foldEvents([durable('session.renamed', { title: 'new' }, 9_000)], view)
    expect(next.info.title).toBe('new')
    expect(next.messages).toBe(view.messages)
  })

  it('reads, selects and folds through a reactive proxy (Vue readonly) without breaking its invariants', () => {
    const proxied = readonly(view) as SessionView
    expect(proxied.messages).toHaveLength(4 * TAIL)
    expect(proxied.messages.at(-1)?.id).toBe(turnIDs(2 * TAIL - 1).assistant)
    expect(toRaw(selectMessage(proxied, turnIDs(5).user))).toBe(selectMessage(view, turnIDs(5).user))
    const next = foldEvents([durable('session.inbox.enqueued', { messageID: 'later', text: 'x' }, 9_000)], proxied)
    expect(ids(next)).toEqual([...ids(view), 'later'])
  })

  it('a spread or hand-built view folds and selects like the original', () => {
    const { assistant } = turnIDs(5)
    const spread = { ...view, info: { ...view.info, title: 'copy' } }
    expect(selectMessage(spread, assistant)).toBe(selectMessage(view, assistant))
    const next = foldEvents([durable('session.inbox.enqueued', { messageID: 'later', text: 'x' }, 9_000)], spread)
    expect(ids(next)).toEqual([...ids(view), 'later'])
    expect(selectPart(next, assistant, 'text:0')).toBe(selectPart(view, assistant, 'text:0'))
  })
})
