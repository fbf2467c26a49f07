import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { reactive, readonly, toRaw } from 'vue'
import type { SessionEvent } from '../../src/protocol/index.js'
import { foldEvents, initialView } from '../../src/view/fold.js'
import { listOf, TAIL } from '../../src/view/list.js'
import { selectMessage, selectPart } from '../../src/view/select.js'
import type { SessionView } from '../../src/view/types.js'
import { activity, deepFreeze, durable, live, model, Script, textPart, tokens, turnIDs } from './fixtures.js'

/*
 * A view keeps its messages as a shared head and a short tail (src/view/list.ts) and joins
 * them into `view.messages` on first read. These tests hold that representation to what a
 * plain array of messages would do, across sizes where the tail spills into the head.
 */

/** `turns` finished turns (a prompt and an answer each): 2 × turns messages. */
function session(turns: number): Script {
  const script = new Script()
  script.durable('session.next.moved', { location: { directory: '/w' } })
  for (let turn = 0; turn < turns; turn++) {
    const { user, assistant } = turnIDs(turn)
    script
      .durable('session.next.prompted', { messageID: user, prompt: { text: `q${turn}` }, delivery: 'steer' })
      .durable('session.next.step.started', { assistantMessageID: assistant, agent: 'build', model })
      .durable('session.next.text.started', { assistantMessageID: assistant, textID: 't' })
      .live('session.next.text.delta', { assistantMessageID: assistant, textID: 't', delta: `a${turn}` })
      .durable('session.next.text.ended', { assistantMessageID: assistant, textID: 't', text: `answer ${turn}` })
      .durable('session.next.step.ended', { assistantMessageID: assistant, finish: 'stop', cost: 0, tokens: tokens() })
  }
  return script
}

const prompted = (id: string, seq: number, text = 'x') =>
  durable('session.next.prompted', { messageID: id, prompt: { text }, delivery: 'steer' }, seq)
const stepStarted = (id: string, seq: number, agent = 'build') =>
  durable('session.next.step.started', { assistantMessageID: id, agent, model }, seq)
const committed = (id: string, seq: number) => durable('session.next.revert.committed', { messageID: id }, seq)

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
    const { user, assistant } = turnIDs(2 * TAIL)
    script
      .durable('session.next.prompted', { messageID: user, prompt: { text: 'go' }, delivery: 'steer' })
      .durable('session.next.step.started', { assistantMessageID: assistant, agent: 'build', model })
      .durable('session.next.text.started', { assistantMessageID: assistant, textID: 't' })
    const before = foldEvents(script.events)
    const after = foldEvents([live('session.next.text.delta', { assistantMessageID: assistant, textID: 't', delta: 'x' })], before)
    expect(listOf(after).head).toBe(listOf(before).head)
    expect(listOf(after).head.length).toBeGreaterThan(0)
    expect(after.messages.slice(0, -1)).toEqual(before.messages.slice(0, -1))
    after.messages.slice(0, -1).forEach((message, i) => expect(message).toBe(before.messages[i]))
    expect(textPart(after, assistant, 'text:t').text).toBe('x')
    // The tail holds at least the newest 64 messages: an edit to the 63rd newest leaves the head shared too.
    const long = foldEvents(session(96).events)
    const reopened = foldEvents([stepStarted(turnIDs(64).assistant, 10_000, 'again')], long)
    expect(long.messages.length - long.messages.findIndex((m) => m.id === turnIDs(64).assistant)).toBe(63)
    expect(listOf(reopened).head).toBe(listOf(long).head)
    expect(selectMessage(reopened, turnIDs(64).assistant)).toMatchObject({ status: 'streaming', agent: 'again' })
  })

  it('an edit to an old message in the head leaves the earlier view as it was', () => {
    const before = deepFreeze(foldEvents(session(3 * TAIL).events))
    const old = turnIDs(1).assistant
    const next = foldEvents([stepStarted(old, 10_000, 'late')], before)
    expect(selectMessage(next, old)).toMatchObject({ status: 'streaming', agent: 'late' })
    expect(selectMessage(before, old)).toMatchObject({ status: 'completed', agent: 'build' })
    expect(ids(next)).toEqual(ids(before))
  })

  it('a commit into the head shortens the list, keeps the earlier view whole, and later appends land after it', () => {
    const before = foldEvents(session(3 * TAIL).events)
    deepFreeze(listOf(before).head)
    deepFreeze(listOf(before).tail)
    const keep = turnIDs(5).user
    const after = foldEvents([committed(keep, 10_000)], before)
    expect(ids(after)).toEqual(expectedIDs(3 * TAIL).slice(0, 11))
    expect(selectMessage(after, turnIDs(5).assistant)).toBeUndefined()
    expect(selectMessage(after, turnIDs(3 * TAIL - 1).assistant)).toBeUndefined()
    expect(selectMessage(after, keep)).toBe(selectMessage(before, keep))
    // The earlier view still has every message, and finds them.
    expect(ids(before)).toEqual(expectedIDs(3 * TAIL))
    expect(selectMessage(before, turnIDs(3 * TAIL - 1).assistant)).toMatchObject({ status: 'completed' })
    // Appends after the commit, including ids it removed, land at the new end.
    const later = foldEvents([prompted('new', 10_001), stepStarted(turnIDs(7).assistant, 10_002)], after)
    expect(ids(later)).toEqual([...ids(after), 'new', turnIDs(7).assistant])
    expect(selectMessage(later, turnIDs(7).assistant)).toMatchObject({ status: 'streaming', parts: [] })
    // And the earlier view, folded onto again, knows nothing of the commit.
    const other = foldEvents([prompted('new', 10_001)], before)
    expect(ids(other)).toEqual([...expectedIDs(3 * TAIL), 'new'])
    expect(selectMessage(other, turnIDs(7).assistant)).toMatchObject({ status: 'completed' })
  })

  it('a commit inside the tail, then an edit in the head, in one call, leaves the earlier view as it was', () => {
    const events = session(3 * TAIL).events
    const before = foldEvents(events)
    expect(listOf(before).head.length).toBeGreaterThan(0)
    deepFreeze(listOf(before).head)
    deepFreeze(listOf(before).tail)
    const cut = turnIDs(3 * TAIL - 2).user // inside the tail: the head is kept whole
    const old = turnIDs(1).assistant // in the head
    const batch = [committed(cut, 10_000), stepStarted(old, 10_001, 'late')]
    const after = foldEvents(batch, before)
    expect(after).toStrictEqual(foldEvents([...events, ...batch]))
    expect(selectMessage(after, old)).toMatchObject({ agent: 'late', status: 'streaming' })
    expect(before).toStrictEqual(foldEvents(events))
    expect(selectMessage(before, old)).toMatchObject({ agent: 'build', status: 'completed' })
  })

  it('folds onto any earlier view, in any order, equal folding that view’s events from scratch (property)', () => {
    const base = session(TAIL + 8).events
    const action = fc.oneof(
      fc.record({ kind: fc.constant('prompt' as const), id: fc.constantFrom('x0', 'x1', 'x2', turnIDs(3).assistant) }),
      fc.record({ kind: fc.constant('step' as const), turn: fc.nat(TAIL + 7) }),
      fc.record({ kind: fc.constant('answer' as const), id: fc.constantFrom('y0', 'y1', 'x0') }),
      fc.record({ kind: fc.constant('commit' as const), turn: fc.nat(TAIL + 7) }),
    )
    type Action =
      | { kind: 'prompt'; id: string }
      | { kind: 'answer'; id: string }
      | { kind: 'step'; turn: number }
      | { kind: 'commit'; turn: number }
    // A prompt (ids repeat, one shadows an assistant's), a late step for an old message (an
    // edit in the head), a new assistant message, or a commit that cuts the list short.
    const toEvent = (a: Action, seq: number): SessionEvent => {
      if (a.kind === 'step') return stepStarted(turnIDs(a.turn).assistant, seq, `late${seq}`)
      if (a.kind === 'commit') return committed(turnIDs(a.turn).user, seq)
      if (a.kind === 'prompt') return prompted(a.id, seq, `p${seq}`)
      return stepStarted(a.id, seq, `new${seq}`)
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
          for (const id of ['x0', 'x1', 'x2', 'y0', 'y1', turnIDs(3).assistant, turnIDs(TAIL).user, turnIDs(TAIL + 7).assistant]) {
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
    const next = foldEvents([stepStarted(old, 10_000), prompted('later', 10_001), activity('idle', 10_001)], base)
    expect(selectMessage(next, old)).toMatchObject({ status: 'interrupted' })
    expect(selectMessage(base, old)).toMatchObject({ status: 'completed' })
  })

  it('two folds onto the same view do not see each other’s messages', () => {
    const base = foldEvents(session(TAIL).events)
    const left = foldEvents([prompted('left', 5_000, 'l')], base)
    const right = foldEvents([prompted('right', 5_000, 'r')], base)
    expect(selectMessage(left, 'left')).toMatchObject({ text: 'l' })
    expect(selectMessage(left, 'right')).toBeUndefined()
    expect(selectMessage(right, 'left')).toBeUndefined()
    expect(selectMessage(right, 'right')).toMatchObject({ text: 'r' })
    // The same id in both branches sits at the same index: each finds its own.
    const again = foldEvents([prompted('right', 5_001, 'again')], left)
    expect(selectMessage(again, 'right')).toMatchObject({ text: 'again' })
    expect(ids(base)).toEqual(expectedIDs(TAIL))
  })
})

describe('view.messages', () => {
  const view = foldEvents(session(2 * TAIL).events)

  it('is a plain array that keeps its identity, and survives spreading and JSON', () => {
    expect(Array.isArray(view.messages)).toBe(true)
    expect(view.messages).toBe(view.messages)
    expect(Object.keys(view)).toEqual(['sessionID', 'info', 'activity', 'cursor', 'retry', 'messages'])
    const copy = { ...view }
    expect(Object.getOwnPropertyDescriptor(copy, 'messages')?.value).toBe(view.messages)
    expect(JSON.parse(JSON.stringify(view)).messages).toHaveLength(4 * TAIL)
  })

  it('is never joined by selectMessage or selectPart', () => {
    const fresh = foldEvents(session(2 * TAIL).events)
    expect(selectPart(fresh, turnIDs(3).assistant, 'text:t')).toMatchObject({ text: 'answer 3' })
    expect(listOf(fresh).flat).toBeUndefined()
  })

  it('can be assigned (Object.assign, a reactive store merging a new view in); the list follows the array', () => {
    const target = foldEvents(session(TAIL).events)
    const next = foldEvents([prompted('late', 9_000)], view)
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
    expect(foldEvents([durable('session.next.moved', { location: { directory: '/x' } }, 9_000)], clone).messages).toEqual([])
  })

  it('a view built by hand keeps its array to itself: changing that array later changes no derived view', () => {
    const mine = [...view.messages]
    const hand: SessionView = { ...view, messages: mine }
    const derived = foldEvents([prompted('new', 9_000)], hand)
    mine.push({ role: 'synthetic', id: 'sneaky', created: 0, text: 'late' })
    expect(ids(derived).at(-1)).toBe('new')
    expect(selectMessage(derived, 'sneaky')).toBeUndefined()
  })

  it('keeps its identity across folds that change no message', () => {
    const next = foldEvents([durable('session.next.moved', { location: { directory: '/new' } }, 9_000)], view)
    expect(next.info.location).toEqual({ directory: '/new' })
    expect(next.messages).toBe(view.messages)
  })

  it('reads, selects and folds through a reactive proxy (Vue readonly) without breaking its invariants', () => {
    const proxied = readonly(view) as SessionView
    expect(proxied.messages).toHaveLength(4 * TAIL)
    expect(proxied.messages.at(-1)?.id).toBe(turnIDs(2 * TAIL - 1).assistant)
    expect(toRaw(selectMessage(proxied, turnIDs(5).user))).toBe(selectMessage(view, turnIDs(5).user))
    const next = foldEvents([prompted('later', 9_000)], proxied)
    expect(ids(next)).toEqual([...ids(view), 'later'])
  })

  it('a spread or hand-built view folds and selects like the original', () => {
    const { assistant } = turnIDs(5)
    const spread = { ...view, info: { ...view.info, agent: 'copy' } }
    expect(selectMessage(spread, assistant)).toBe(selectMessage(view, assistant))
    const next = foldEvents([prompted('later', 9_000)], spread)
    expect(ids(next)).toEqual([...ids(view), 'later'])
    expect(selectPart(next, assistant, 'text:t')).toBe(selectPart(view, assistant, 'text:t'))
  })
})
