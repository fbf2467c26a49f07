import { describe, expect, it } from 'vitest'
import { foldEvents } from '../../src/view/fold.js'
import { selectPart } from '../../src/view/select.js'
import type { Part, SessionView } from '../../src/view/types.js'
import { durable, live } from './fixtures.js'

const MESSAGE = 'msg_many'
const starts = (from: number, count: number, seq = from + 2) =>
  Array.from({ length: count }, (_, i) => durable('session.next.text.started', { assistantMessageID: MESSAGE, textID: `t${from + i}` }, seq + i))

/** A message with `parts` streaming text parts. */
function manyParts(parts: number): SessionView {
  const step = durable('session.next.step.started', { assistantMessageID: MESSAGE, agent: 'build', model: { id: 'm', providerID: 'p' } }, 1)
  return foldEvents([step, ...starts(0, parts)])
}

/**
 * The view with its message's parts array behind a proxy that counts element reads, and each
 * part behind one that counts reads of its id (an index built over a copy of the array reads
 * the same part objects, so a rebuild per event shows here).
 */
function counting(view: SessionView): { view: SessionView; reads: () => number; idReads: () => number } {
  let reads = 0
  let idReads = 0
  const messages = view.messages.map((message) => {
    if (message.role !== 'assistant') return message
    const watched: Part[] = message.parts.map(
      (part) =>
        new Proxy(part, {
          get(target, key, receiver) {
            if (key === 'id') idReads++
            return Reflect.get(target, key, receiver) as unknown
          },
        }),
    )
    const parts = new Proxy(watched, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++
        return Reflect.get(target, key, receiver) as unknown
      },
    })
    return { ...message, parts }
  })
  return { view: { ...view, messages }, reads: () => reads, idReads: () => idReads }
}

describe('finding parts by id', () => {
  it('folding 1,000 new parts and 1,000 deltas onto a message of 5,000 reads each old part about once, not once per event', () => {
    const { view, reads, idReads } = counting(manyParts(5000))
    const more = starts(5000, 1000, 6000)
    const deltas = Array.from({ length: 1000 }, (_, i) => live('session.next.text.delta', { assistantMessageID: MESSAGE, textID: `t${5000 + i}`, delta: 'x' }))
    const next = foldEvents([...more, ...deltas], view)
    const message = next.messages.find((m) => m.id === MESSAGE)
    expect(message?.role === 'assistant' ? message.parts.length : 0).toBe(6000)
    expect(selectPart(next, MESSAGE, 'text:t5999')).toMatchObject({ text: 'x', streaming: true })
    // A scan per event read ~11 million parts here; the index needs one pass (the copy).
    expect(reads()).toBeLessThan(3 * 5000)
    // An index kept up to date as parts are appended is built once; one rebuilt per event read ids millions of times.
    expect(idReads()).toBeLessThan(3 * 5000)
  })

  it('selectPart finds a part of a long message by key without scanning, and tells kinds apart', () => {
    const { view: watched, reads } = counting(manyParts(100))
    selectPart(watched, MESSAGE, 'text:t0') // the index is built once, on the first look
    const before = reads()
    expect(selectPart(watched, MESSAGE, 'text:t42')).toMatchObject({ key: 'text:t42' })
    expect(selectPart(watched, MESSAGE, 'reasoning:t42')).toBeUndefined()
    expect(selectPart(watched, MESSAGE, 'nonsense')).toBeUndefined()
    expect(reads() - before).toBeLessThanOrEqual(2)
  })

  it('two folds onto the same view each find their own new parts (the index is never shared across branches)', () => {
    const base = manyParts(40)
    const a = foldEvents(starts(40, 1, 100), base)
    const b = foldEvents([durable('session.next.reasoning.started', { assistantMessageID: MESSAGE, reasoningID: 't40' }, 100)], base)
    expect(selectPart(a, MESSAGE, 'text:t40')).toBeDefined()
    expect(selectPart(a, MESSAGE, 'reasoning:t40')).toBeUndefined()
    expect(selectPart(b, MESSAGE, 'reasoning:t40')).toBeDefined()
    expect(selectPart(b, MESSAGE, 'text:t40')).toBeUndefined()
    expect(selectPart(base, MESSAGE, 'text:t40')).toBeUndefined()
  })
})
