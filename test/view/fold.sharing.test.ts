import { describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/protocol/index.js'
import { foldEvent, foldEvents, initialView, type ApplyOutcome } from '../../src/view/fold.js'
import type { SessionView } from '../../src/view/types.js'
import { activity, assistant, deepFreeze, durable, live, Script, scriptedTurn, textPart } from './fixtures.js'

/** Two finished turns and a third still streaming reasoning, text and a tool input. */
function openSession(): SessionView {
  const script = scriptedTurn(scriptedTurn(new Script(), 0), 1)
  script
    .durable('session.inbox.enqueued', { messageID: 'u2', text: 'more' })
    .durable('session.step.started', { assistantMessageID: 'a2' })
    .durable('session.reasoning.started', { assistantMessageID: 'a2', ordinal: 0 })
    .durable('session.text.started', { assistantMessageID: 'a2', ordinal: 1 })
    .durable('session.tool.input.started', { assistantMessageID: 'a2', id: 't2', name: 'grep' })
    .live('session.text.delta', { assistantMessageID: 'a2', ordinal: 1, delta: 'so far' })
  return foldEvents(script.events)
}

describe('structural sharing', () => {
  it('a delta copies only the path to the touched part', () => {
    const before = openSession()
    const after = foldEvent(before, live('session.text.delta', { assistantMessageID: 'a2', ordinal: 1, delta: '!' }))
    expect(after).not.toBe(before)
    expect(after.messages).not.toBe(before.messages)
    expect(after.info).toBe(before.info)
    expect(after.execution).toBe(before.execution)
    // Every earlier message keeps its identity.
    for (let i = 0; i < before.messages.length - 1; i++) expect(after.messages[i]).toBe(before.messages[i])
    const [prev, next] = [assistant(before, 'a2'), assistant(after, 'a2')]
    expect(next).not.toBe(prev)
    expect(next.parts).not.toBe(prev.parts)
    expect(next.retries).toBe(prev.retries)
    // Sibling parts keep identity; only text:1 is new.
    expect(next.parts[0]).toBe(prev.parts[0])
    expect(next.parts[2]).toBe(prev.parts[2])
    expect(next.parts[1]).not.toBe(prev.parts[1])
    expect(textPart(after, 'a2', 'text:1').text).toBe('so far!')
    // The old view still shows the old text.
    expect(textPart(before, 'a2', 'text:1').text).toBe('so far')
  })

  it('many events in one call: untouched parts and messages still keep identity', () => {
    const before = openSession()
    const events: SessionEvent[] = []
    for (let i = 0; i < 100; i++) {
      events.push(live('session.text.delta', { assistantMessageID: 'a2', ordinal: 1, delta: 'x' }))
      events.push(live('session.tool.input.delta', { id: 't2', delta: 'y' }))
    }
    const after = foldEvents(events, before)
    const [prev, next] = [assistant(before, 'a2'), assistant(after, 'a2')]
    expect(next.parts[0]).toBe(prev.parts[0])
    expect(textPart(after, 'a2', 'text:1').text).toBe(`so far${'x'.repeat(100)}`)
    expect(after.messages.slice(0, -1)).toEqual(before.messages.slice(0, -1))
    after.messages.slice(0, -1).forEach((message, i) => expect(message).toBe(before.messages[i]))
  })

  it('never mutates a deep-frozen input state (or the events)', () => {
    const before = openSession()
    const snapshot = structuredClone(before)
    deepFreeze(before)
    const script = new Script(100)
    script
      .live('session.text.delta', { assistantMessageID: 'a2', ordinal: 1, delta: ' more' })
      .live('session.reasoning.delta', { assistantMessageID: 'a2', ordinal: 0, delta: 'hmm' })
      .live('session.tool.input.delta', { id: 't2', delta: '{' })
      .live('session.usage.updated', { cost: 1, tokens: { input: 1, output: 1 } })
      .durable('session.retry.scheduled', { assistantMessageID: 'a2', attempt: 1, at: 1, error: { message: 'e' } })
      .durable('session.renamed', { title: 'renamed' })
      .durable('session.text.ended', { assistantMessageID: 'a2', ordinal: 1, text: 'done' })
    const events = deepFreeze([...script.events, activity('running', 5), activity('idle', 5)])
    const after = foldEvents(events, before)
    expect(before).toEqual(snapshot)
    expect(after.info.title).toBe('renamed')
    expect(assistant(after, 'a2').status).toBe('interrupted')
    // Folding again onto the (frozen) result of a previous call must copy, not write.
    deepFreeze(after)
    expect(() => foldEvents(durableRun(), after)).not.toThrow()
  })

  it('foldEvent(state, e) equals foldEvents([e], state)', () => {
    const events = scriptedTurn().events
    let stepwise = initialView()
    for (const event of events) stepwise = foldEvent(stepwise, event)
    expect(stepwise).toEqual(foldEvents(events))
    const base = openSession()
    const event = live('session.text.delta', { assistantMessageID: 'a2', ordinal: 1, delta: 'z' })
    expect(foldEvent(base, event)).toEqual(foldEvents([event], base))
  })

  it('folding in frames equals folding in one call', () => {
    const events = scriptedTurn(scriptedTurn(), 1).events
    let framed = initialView()
    for (let i = 0; i < events.length; i += 3) framed = foldEvents(events.slice(i, i + 3), framed)
    expect(framed).toEqual(foldEvents(events))
  })

  it('reports one outcome per event, in order', () => {
    const seen: [string, ApplyOutcome][] = []
    foldEvents(scriptedTurn().events, initialView(), (event, outcome) => seen.push([event.type, outcome]))
    expect(seen).toHaveLength(scriptedTurn().events.length)
    expect(seen.every(([, outcome]) => outcome === 'applied')).toBe(true)
  })
})

function durableRun(): SessionEvent[] {
  return [
    durable('session.execution.started', {}, 200),
    durable('session.step.started', { assistantMessageID: 'a3' }, 201),
    durable('session.text.ended', { assistantMessageID: 'a3', ordinal: 0, text: 'x' }, 202),
    durable('session.execution.succeeded', {}, 203),
  ]
}

describe('10,000 messages', () => {
  it('a delta leaves the other 9,999 message objects identical', () => {
    const script = new Script()
    for (let i = 0; i < 9_999; i++) script.durable('session.inbox.enqueued', { messageID: `u${i}`, text: `m${i}` })
    script
      .durable('session.step.started', { assistantMessageID: 'last' })
      .durable('session.text.started', { assistantMessageID: 'last', ordinal: 0 })
    const before = foldEvents(script.events)
    expect(before.messages).toHaveLength(10_000)

    const after = foldEvent(before, live('session.text.delta', { assistantMessageID: 'last', ordinal: 0, delta: 'hi' }))
    expect(after.messages).toHaveLength(10_000)
    let same = 0
    for (let i = 0; i < 9_999; i++) if (after.messages[i] === before.messages[i]) same++
    expect(same).toBe(9_999)
    expect(after.messages[9_999]).not.toBe(before.messages[9_999])
    expect(textPart(after, 'last', 'text:0').text).toBe('hi')
  })

  it('a frame of 1,000 deltas applies them all and shares everything else', () => {
    const script = new Script()
    for (let i = 0; i < 5_000; i++) {
      script
        .durable('session.inbox.enqueued', { messageID: `u${i}`, text: 'q' })
        .durable('session.text.ended', { assistantMessageID: `a${i}`, ordinal: 0, text: 'a' })
    }
    script.durable('session.text.started', { assistantMessageID: 'a4999', ordinal: 1 })
    const before = foldEvents(script.events)
    const deltas = Array.from({ length: 1_000 }, () =>
      live('session.text.delta', { assistantMessageID: 'a4999', ordinal: 1, delta: '.' }),
    )
    const after = foldEvents(deltas, before)
    expect(textPart(after, 'a4999', 'text:1').text).toHaveLength(1_000)
    expect(after.messages.slice(0, 9_999).every((message, i) => message === before.messages[i])).toBe(true)
    expect(assistant(after, 'a4999').parts[0]).toBe(assistant(before, 'a4999').parts[0])
  })

  it('finds messages beyond the newest few, and messages appended later in the same call', () => {
    const script = new Script()
    script.durable('session.text.started', { assistantMessageID: 'old', ordinal: 0 })
    for (let i = 0; i < 200; i++) script.durable('session.inbox.enqueued', { messageID: `u${i}`, text: '' })
    script
      .durable('session.inbox.enqueued', { messageID: 'u3', text: 'duplicate' })
      .live('session.text.delta', { assistantMessageID: 'old', ordinal: 0, delta: 'x' })
      .durable('session.step.started', { assistantMessageID: 'new' })
    for (let i = 200; i < 300; i++) script.durable('session.inbox.enqueued', { messageID: `u${i}`, text: '' })
    script.durable('session.text.started', { assistantMessageID: 'new', ordinal: 0 })
    const seen: ApplyOutcome[] = []
    const view = foldEvents(script.events, initialView(), (_, outcome) => seen.push(outcome))
    expect(seen.filter((outcome) => outcome !== 'applied')).toEqual(['ignored'])
    expect(view.messages).toHaveLength(302)
    expect(view.messages.filter((m) => m.id === 'new')).toHaveLength(1)
    expect(assistant(view, 'new').parts).toHaveLength(1)
    expect(textPart(view, 'old', 'text:0').text).toBe('x')
    // A later call starts with no lookup state and still finds the old message.
    const next = foldEvent(view, live('session.text.delta', { assistantMessageID: 'old', ordinal: 0, delta: 'y' }))
    expect(textPart(next, 'old', 'text:0').text).toBe('xy')
  })

  it('a user message with the same id does not hide an assistant message', () => {
    const view = foldEvents([
      durable('session.inbox.enqueued', { messageID: 'same', text: 'q' }, 0),
      durable('session.text.started', { assistantMessageID: 'same', ordinal: 0 }, 1),
      live('session.text.delta', { assistantMessageID: 'same', ordinal: 0, delta: 'a' }),
    ])
    expect(view.messages.map((m) => m.role)).toEqual(['user', 'assistant'])
    expect(textPart(view, 'same', 'text:0').text).toBe('a')
  })
})
