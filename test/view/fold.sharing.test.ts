import { describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/protocol/index.js'
import { foldEvent, foldEvents, initialView, type ApplyOutcome } from '../../src/view/fold.js'
import type { SessionView } from '../../src/view/types.js'
import { activity, assistant, deepFreeze, durable, live, model, provider, Script, scriptedTurn, textPart, toolPart } from './fixtures.js'

/** Two finished turns and a third step still streaming reasoning, text and a tool input. */
function openSession(): SessionView {
  const script = scriptedTurn(scriptedTurn(new Script(), 0), 1)
  script
    .durable('session.next.prompted', { messageID: 'u2', prompt: { text: 'more' }, delivery: 'steer' })
    .durable('session.next.step.started', { assistantMessageID: 'a2', agent: 'build', model })
    .durable('session.next.reasoning.started', { assistantMessageID: 'a2', reasoningID: 'r' })
    .durable('session.next.text.started', { assistantMessageID: 'a2', textID: 't' })
    .durable('session.next.tool.input.started', { assistantMessageID: 'a2', callID: 'c2', name: 'grep' })
    .live('session.next.text.delta', { assistantMessageID: 'a2', textID: 't', delta: 'so far' })
  return foldEvents(script.events)
}

const textDelta = (delta: string, assistantMessageID = 'a2', textID = 't') =>
  live('session.next.text.delta', { assistantMessageID, textID, delta })

describe('structural sharing', () => {
  it('a delta copies only the path to the touched part', () => {
    const before = openSession()
    const after = foldEvent(before, textDelta('!'))
    expect(after).not.toBe(before)
    expect(after.messages).not.toBe(before.messages)
    expect(after.info).toBe(before.info)
    expect(after.cursor).toBe(before.cursor)
    // Every earlier message keeps its identity.
    for (let i = 0; i < before.messages.length - 1; i++) expect(after.messages[i]).toBe(before.messages[i])
    const [prev, next] = [assistant(before, 'a2'), assistant(after, 'a2')]
    expect(next).not.toBe(prev)
    expect(next.parts).not.toBe(prev.parts)
    expect(next.model).toBe(prev.model)
    // Sibling parts keep identity; only text:t is new.
    expect(next.parts[0]).toBe(prev.parts[0])
    expect(next.parts[2]).toBe(prev.parts[2])
    expect(next.parts[1]).not.toBe(prev.parts[1])
    expect(textPart(after, 'a2', 'text:t').text).toBe('so far!')
    // The old view still shows the old text.
    expect(textPart(before, 'a2', 'text:t').text).toBe('so far')
  })

  it('many events in one call: untouched parts and messages still keep identity', () => {
    const before = openSession()
    const events: SessionEvent[] = []
    for (let i = 0; i < 100; i++) {
      events.push(textDelta('x'))
      events.push(live('session.next.tool.input.delta', { assistantMessageID: 'a2', callID: 'c2', delta: 'y' }))
    }
    const after = foldEvents(events, before)
    const [prev, next] = [assistant(before, 'a2'), assistant(after, 'a2')]
    expect(next.parts[0]).toBe(prev.parts[0])
    expect(textPart(after, 'a2', 'text:t').text).toBe(`so far${'x'.repeat(100)}`)
    expect(toolPart(after, 'a2', 'c2').inputText).toBe('y'.repeat(100))
    after.messages.slice(0, -1).forEach((message, i) => expect(message).toBe(before.messages[i]))
  })

  it('a session-level event copies the view and its info, not the messages', () => {
    const before = openSession()
    const after = foldEvent(before, durable('session.next.moved', { location: { directory: '/elsewhere' } }, 500))
    expect(after.info).not.toBe(before.info)
    expect(after.messages).toBe(before.messages)
    expect(before.info.location).toBeUndefined()
  })

  it('never mutates a deep-frozen input state (or the events)', () => {
    const before = openSession()
    const snapshot = structuredClone(before)
    deepFreeze(before)
    const script = new Script(100)
    script
      .live('session.next.text.delta', { assistantMessageID: 'a2', textID: 't', delta: ' more' })
      .live('session.next.reasoning.delta', { assistantMessageID: 'a2', reasoningID: 'r', delta: 'hmm' })
      .live('session.next.tool.input.delta', { assistantMessageID: 'a2', callID: 'c2', delta: '{' })
      .durable('session.next.tool.called', { assistantMessageID: 'a2', callID: 'c2', tool: 'grep', input: {}, provider })
      .durable('session.next.tool.progress', { assistantMessageID: 'a2', callID: 'c2', structured: { n: 1 }, content: [] })
      .durable('session.next.retried', { attempt: 1, error: { message: 'e', isRetryable: true } })
      .durable('session.next.agent.switched', { messageID: 'sw', agent: 'plan' })
      .durable('session.next.moved', { location: { directory: '/x' } })
      .durable('session.next.revert.staged', { revert: { messageID: 'u2' } })
      .durable('session.next.text.ended', { assistantMessageID: 'a2', textID: 't', text: 'done' })
      .durable('session.next.shell.started', { messageID: 'sh', callID: 'x', command: 'ls' })
      .durable('session.next.compaction.started', { messageID: 'k', reason: 'auto' })
      .live('session.next.compaction.delta', { messageID: 'k', text: 's' })
    const events = deepFreeze([...script.events, activity('running', 5), activity('idle', 5)])
    const after = foldEvents(events, before)
    expect(before).toEqual(snapshot)
    expect(after.info).toMatchObject({ agent: 'plan', location: { directory: '/x' }, revert: { messageID: 'u2' } })
    expect(assistant(after, 'a2').status).toBe('interrupted')
    // Folding again onto the (frozen) result of a previous call must copy, not write, and
    // so must a commit that removes messages from it.
    deepFreeze(after)
    expect(() => foldEvents(laterRun(), after)).not.toThrow()
    expect(() => foldEvents([durable('session.next.revert.committed', { messageID: 'u2' }, 300)], after)).not.toThrow()
  })

  it('foldEvent(state, e) equals foldEvents([e], state)', () => {
    const events = scriptedTurn().events
    let stepwise = initialView()
    for (const event of events) stepwise = foldEvent(stepwise, event)
    expect(stepwise).toStrictEqual(foldEvents(events))
    const base = openSession()
    const event = textDelta('z')
    expect(foldEvent(base, event)).toStrictEqual(foldEvents([event], base))
  })

  it('folding in frames equals folding in one call', () => {
    const events = scriptedTurn(scriptedTurn(), 1).events
    for (const size of [1, 2, 3, 7]) {
      let framed = initialView()
      for (let i = 0; i < events.length; i += size) framed = foldEvents(events.slice(i, i + size), framed)
      expect(framed).toStrictEqual(foldEvents(events))
    }
    // A frame that changes no message, between a part that opens and the snapshot that closes it.
    const cut = [
      durable('session.next.step.started', { assistantMessageID: 'a9', agent: 'build', model }, 1),
      durable('session.next.text.started', { assistantMessageID: 'a9', textID: 't' }, 2),
      durable('session.next.moved', { location: { directory: '/elsewhere' } }, 3),
      activity('idle', 3),
    ]
    let framed = initialView()
    for (const event of cut) framed = foldEvents([event], framed)
    expect(framed).toStrictEqual(foldEvents(cut))
    expect(textPart(framed, 'a9', 'text:t')).toMatchObject({ streaming: false, incomplete: true })
  })

  it('reports one outcome per event, in order', () => {
    const seen: [string, ApplyOutcome][] = []
    const events = scriptedTurn().events
    foldEvents(events, initialView(), (event, outcome) => seen.push([event.type, outcome]))
    expect(seen.map(([type]) => type)).toEqual(events.map((event) => event.type))
    expect(seen.every(([, outcome]) => outcome === 'applied')).toBe(true)
  })
})

function laterRun(): SessionEvent[] {
  return [
    durable('session.next.step.started', { assistantMessageID: 'a3', agent: 'build', model }, 201),
    durable('session.next.text.ended', { assistantMessageID: 'a3', textID: 't', text: 'x' }, 202),
    durable('session.next.step.ended', {
      assistantMessageID: 'a3',
      finish: 'stop',
      cost: 0,
      tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
    }, 203),
  ]
}

const prompt = (script: Script, id: string, text = 'q') =>
  script.durable('session.next.prompted', { messageID: id, prompt: { text }, delivery: 'steer' })

describe('10,000 messages', () => {
  it('a delta leaves the other 9,999 message objects identical', () => {
    const script = new Script()
    for (let i = 0; i < 9_999; i++) prompt(script, `u${i}`, `m${i}`)
    script
      .durable('session.next.step.started', { assistantMessageID: 'last', agent: 'build', model })
      .durable('session.next.text.started', { assistantMessageID: 'last', textID: 't' })
    const before = foldEvents(script.events)
    expect(before.messages).toHaveLength(10_000)

    const after = foldEvent(before, textDelta('hi', 'last'))
    expect(after.messages).toHaveLength(10_000)
    let same = 0
    for (let i = 0; i < 9_999; i++) if (after.messages[i] === before.messages[i]) same++
    expect(same).toBe(9_999)
    expect(after.messages[9_999]).not.toBe(before.messages[9_999])
    expect(textPart(after, 'last', 'text:t').text).toBe('hi')
  })

  it('an idle snapshot interrupts the streaming message and leaves the other 9,999 identical', () => {
    const script = new Script()
    for (let i = 0; i < 9_999; i++) prompt(script, `u${i}`)
    script.durable('session.next.text.started', { assistantMessageID: 'last', textID: 't' })
    const before = foldEvents(script.events)
    const after = foldEvent(before, activity('idle', script.lastSeq))
    expect(assistant(after, 'last').status).toBe('interrupted')
    expect(after.messages.slice(0, 9_999).every((message, i) => message === before.messages[i])).toBe(true)
  })

  it('a frame of 1,000 deltas applies them all and shares everything else', () => {
    const script = new Script()
    for (let i = 0; i < 5_000; i++) {
      prompt(script, `u${i}`).durable('session.next.text.ended', { assistantMessageID: `a${i}`, textID: 't0', text: 'a' })
    }
    script.durable('session.next.text.started', { assistantMessageID: 'a4999', textID: 't1' })
    const before = foldEvents(script.events)
    const deltas = Array.from({ length: 1_000 }, () => textDelta('.', 'a4999', 't1'))
    const after = foldEvents(deltas, before)
    expect(textPart(after, 'a4999', 'text:t1').text).toHaveLength(1_000)
    expect(after.messages.slice(0, 9_999).every((message, i) => message === before.messages[i])).toBe(true)
    expect(assistant(after, 'a4999').parts[0]).toBe(assistant(before, 'a4999').parts[0])
  })

  it('finds messages beyond the newest few, and messages appended later in the same call', () => {
    const script = new Script()
    script.durable('session.next.text.started', { assistantMessageID: 'old', textID: 't' })
    for (let i = 0; i < 200; i++) prompt(script, `u${i}`)
    prompt(script, 'u3', 'duplicate')
      .live('session.next.text.delta', { assistantMessageID: 'old', textID: 't', delta: 'x' })
      .durable('session.next.step.started', { assistantMessageID: 'new', agent: 'build', model })
    for (let i = 200; i < 300; i++) prompt(script, `u${i}`)
    script.durable('session.next.text.started', { assistantMessageID: 'new', textID: 't' })
    const seen: ApplyOutcome[] = []
    const view = foldEvents(script.events, initialView(), (_, outcome) => seen.push(outcome))
    expect(seen.filter((outcome) => outcome !== 'applied')).toEqual(['ignored'])
    expect(view.messages).toHaveLength(302)
    expect(view.messages.filter((m) => m.id === 'new')).toHaveLength(1)
    expect(assistant(view, 'new').parts).toHaveLength(1)
    // The new step interrupted the old one, whose part kept what it had.
    expect(textPart(view, 'old', 'text:t')).toMatchObject({ text: 'x', streaming: false, incomplete: true })
    // A later call starts with no lookup state and still finds the old message.
    const next = foldEvent(view, textDelta('y', 'new'))
    expect(textPart(next, 'new', 'text:t').text).toBe('y')
  })

  it('a message of another kind with the same id does not hide an assistant message', () => {
    const view = foldEvents([
      durable('session.next.shell.started', { messageID: 'same', callID: 'c', command: 'ls' }, 1),
      durable('session.next.text.started', { assistantMessageID: 'same', textID: 't' }, 2),
      textDelta('a', 'same'),
    ])
    expect(view.messages.map((m) => m.role)).toEqual(['shell', 'assistant'])
    expect(textPart(view, 'same', 'text:t').text).toBe('a')
  })
})

describe('one copy of what every step and tool repeats', () => {
  /** Events as they come off the wire: every value its own copy. */
  const parsed = (events: readonly SessionEvent[]): SessionEvent[] => JSON.parse(JSON.stringify(events)) as SessionEvent[]

  it('steps naming the same model share one copy of it; another model, or one with a field more, is kept as sent', () => {
    const script = scriptedTurn(scriptedTurn(new Script(), 0), 1)
    script
      .durable('session.next.step.started', { assistantMessageID: 'x1', agent: 'plan', model: { id: 'other', providerID: 'p' } })
      .durable('session.next.step.started', { assistantMessageID: 'x2', agent: 'plan', model: { ...model, variant: 'fast' } })
      .durable('session.next.step.started', { assistantMessageID: 'x3', agent: 'plan', model: { ...model, variant: 'fast' } })
    const view = foldEvents(parsed(script.events))
    const steps = view.messages.filter((message) => message.role === 'assistant')
    expect(steps.map((step) => [step.agent, step.model])).toEqual([
      ...Array.from({ length: 4 }, () => ['build', model]),
      ['plan', { id: 'other', providerID: 'p' }],
      ['plan', { ...model, variant: 'fast' }],
      ['plan', { ...model, variant: 'fast' }],
    ])
    const [first, , , fourth, other, fast, again] = steps
    expect(fourth?.model).toBe(first?.model)
    expect(other?.model).not.toBe(first?.model)
    expect(fast?.model).not.toBe(first?.model)
    expect(again?.model).toBe(fast?.model)
    expect(view.info.model).toBe(fast?.model)
  })

  it('tools without provider metadata or output items share frozen empty values; metadata is kept as sent', () => {
    const script = scriptedTurn(scriptedTurn(new Script(), 0), 1)
    const ids = { assistantMessageID: 'msg_b1', callID: 'call_meta' }
    script
      .durable('session.next.tool.called', { ...ids, tool: 'bash', input: {}, provider: { executed: true, metadata: { region: 'eu' } } })
      .durable('session.next.tool.success', { ...ids, structured: {}, content: [], outputPaths: [], provider: { executed: false } })
    const view = foldEvents(parsed(script.events))
    const [zero, one, meta] = [toolPart(view, 'msg_a0', 'call_0'), toolPart(view, 'msg_a1', 'call_1'), toolPart(view, 'msg_b1', 'call_meta')]
    expect(zero.provider).toEqual({ executed: false, metadata: undefined })
    expect(one.provider).toBe(zero.provider)
    expect(Object.isFrozen(zero.provider)).toBe(true)
    expect(meta.provider).toEqual({ executed: true, metadata: { region: 'eu' } })
    expect(meta.content).toEqual([])
    expect(meta.outputPaths).toBe(meta.content)
    expect(Object.isFrozen(meta.content)).toBe(true)
    // Output items are kept as sent.
    expect(zero.content).toEqual([{ type: 'text', text: 'file body' }])
  })
})
