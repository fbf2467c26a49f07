import { describe, expect, it } from 'vitest'
import { isDurable, type SessionEvent, type SessionEventOf } from '../../src/protocol/index.js'
import { foldEvent, foldEvents, initialView, type ApplyOutcome } from '../../src/view/fold.js'
import type { AssistantMessage, SessionView } from '../../src/view/types.js'
import { activity, durableOnly, recorded, textPart, toolPart } from './fixtures.js'

/*
 * One real session recorded from opencode 1.18.34 (see ../shared/reference/opencode-wire.md):
 * a prompt answered with a tool turn (a step that reads README.md, then a step that answers),
 * then a second prompt answered in one step. `session-stream.jsonl` is what the session stream
 * replays (durable rows only); `global-stream.jsonl` is the same session on /api/event, with
 * the live deltas interleaved in arrival order.
 */

const session = recorded('session-stream.jsonl')
const global = recorded('global-stream.jsonl')

const ofType = <T extends SessionEvent['type']>(events: readonly SessionEvent[], type: T) =>
  events.filter((event): event is SessionEventOf<T> => event.type === type)

const assistants = (view: SessionView): AssistantMessage[] =>
  view.messages.filter((m): m is AssistantMessage => m.role === 'assistant')

/** What the log itself says each text and reasoning part ended as, by message and key. */
const endedTexts = new Map<string, string>()
for (const event of ofType(session, 'session.next.text.ended')) {
  endedTexts.set(`${event.data.assistantMessageID}/text:${event.data.textID}`, event.data.text)
}
for (const event of ofType(session, 'session.next.reasoning.ended')) {
  endedTexts.set(`${event.data.assistantMessageID}/reasoning:${event.data.reasoningID}`, event.data.text)
}

describe('the recorded opencode session', () => {
  it('decodes: 24 durable rows, seqs 1..24, and the global stream holds the same rows in the same order', () => {
    expect(session.map((event) => event.durable?.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1))
    expect(global.filter(isDurable).map((event) => event.id)).toEqual(session.map((event) => event.id))
    expect(global.length).toBeGreaterThan(session.length)
  })

  it('folds to two prompts and three steps: a tool call, its answer, and the second answer', () => {
    const seen: ApplyOutcome[] = []
    const view = foldEvents(session, initialView(), (_, outcome) => seen.push(outcome))
    expect(seen.every((outcome) => outcome === 'applied')).toBe(true)
    expect(view.cursor).toBe(24)
    expect(view.activity).toBe('unknown')
    expect(view.retry).toBeUndefined()
    expect(view.info).toMatchObject({ agent: 'build', model: { id: 'echo', providerID: 'fake', variant: 'default' } })

    expect(view.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'assistant', 'user', 'assistant'])
    const [first, answer, second] = assistants(view)
    if (first === undefined || answer === undefined || second === undefined) throw new Error('three steps expected')

    expect(view.messages[0]).toMatchObject({ role: 'user', text: 'Please use a tool to read the readme', queued: false })
    expect(view.messages[3]).toMatchObject({ role: 'user', text: 'Now answer plainly words=25', queued: false })

    // The first step thinks, then calls `read`.
    expect(first).toMatchObject({ status: 'completed', finish: 'tool-calls', agent: 'build', error: undefined })
    expect(first.parts.map((p) => p.type)).toEqual(['reasoning', 'tool'])
    const call = first.parts[1]
    if (call?.type !== 'tool') throw new Error('a tool part expected')
    expect(toolPart(view, first.id, call.id)).toMatchObject({
      name: 'read',
      status: 'success',
      input: { path: 'README.md' },
      inputText: '{"path":"README.md"}',
      structured: { name: 'README.md', content: '# Demo project\n' },
      provider: { executed: false },
      streaming: false,
      incomplete: false,
    })

    // The second step answers it; the third answers the second prompt.
    expect(answer).toMatchObject({ status: 'completed', finish: 'stop' })
    expect(answer.parts.map((p) => p.key)).toEqual(['reasoning:reasoning-0', 'text:text-0'])
    expect(second).toMatchObject({ status: 'completed', finish: 'stop' })
    expect(second.parts.map((p) => p.key)).toEqual(['reasoning:reasoning-0', 'text:text-0'])
    expect(textPart(view, answer.id, 'text:text-0').text).toMatch(/^Answer to "Please use a tool/)

    // Every text equals what the log ended it with, and nothing is left open.
    const parts = assistants(view).flatMap((message) => message.parts.map((part) => ({ message, part })))
    expect(parts.filter(({ part }) => part.streaming || part.incomplete)).toEqual([])
    const texts = parts.flatMap(({ message, part }) => (part.type === 'tool' ? [] : [[`${message.id}/${part.key}`, part.text] as const]))
    expect(new Map(texts)).toEqual(endedTexts)
  })

  it('with the live deltas, each text grows before its end, and the end equals the deltas joined', () => {
    const joined = new Map<string, string>()
    const grown = new Map<string, number>()
    const notApplied: string[] = []
    let view = initialView()
    for (const event of global) {
      const before = view
      view = foldEvents([event], view, (_, outcome) => {
        if (outcome !== 'applied') notApplied.push(`${event.type}: ${outcome}`)
      })
      if (event.type !== 'session.next.text.delta' && event.type !== 'session.next.reasoning.delta') continue
      const { assistantMessageID } = event.data
      const key = event.type === 'session.next.text.delta' ? `text:${event.data.textID}` : `reasoning:${event.data.reasoningID}`
      const id = `${assistantMessageID}/${key}`
      joined.set(id, (joined.get(id) ?? '') + event.data.delta)
      const text = textPart(view, assistantMessageID, key).text
      // What the page shows is the deltas so far, and it is on its way to the ended text.
      expect(text).toBe(joined.get(id))
      expect(endedTexts.get(id)?.startsWith(text)).toBe(true)
      expect(text.length).toBeGreaterThan(textPart(before, assistantMessageID, key).text.length)
      grown.set(id, (grown.get(id) ?? 0) + 1)
    }
    expect(notApplied).toEqual([])
    // Every text and reasoning part of the session streamed, and its end matches the deltas.
    expect([...grown.keys()].toSorted()).toEqual([...endedTexts.keys()].toSorted())
    for (const [id, text] of joined) expect(text).toBe(endedTexts.get(id))
  })

  it('the tool input streams too, and input.ended sets it', () => {
    const ended = ofType(global, 'session.next.tool.input.ended')[0]
    if (ended === undefined) throw new Error('a tool input expected')
    const { assistantMessageID, callID } = ended.data
    const upTo = global.indexOf(ended)
    const streaming = foldEvents(global.slice(0, upTo))
    expect(toolPart(streaming, assistantMessageID, callID)).toMatchObject({
      status: 'pending',
      streaming: true,
      inputText: '{"path":"README.md"}',
    })
    expect(toolPart(foldEvent(streaming, ended), assistantMessageID, callID)).toMatchObject({ streaming: false })
  })

  it('the final view of the global stream equals the durable-only fold', () => {
    const full = foldEvents(global)
    expect(full).toStrictEqual(foldEvents(session))
    expect(full).toStrictEqual(foldEvents(durableOnly(global)))
    expect(foldEvents([...global, activity('idle', 24)])).toStrictEqual(foldEvents([...session, activity('idle', 24)]))
  })

  it('folded in frames, equals one fold', () => {
    for (const size of [1, 3, 16]) {
      let view = initialView()
      for (let i = 0; i < global.length; i += size) view = foldEvents(global.slice(i, i + size), view)
      expect(view).toStrictEqual(foldEvents(global))
    }
  })

  it('a server killed mid-answer leaves the log cut short; the idle snapshot after restart interrupts the answer', () => {
    // The measured crash: the log simply stops after the last answer's text.started.
    const lastStart = ofType(global, 'session.next.text.started').at(-1)
    if (lastStart === undefined) throw new Error('a text.started expected')
    const cut = global.indexOf(lastStart) + 5 // its start and four deltas
    const crashed = foldEvents([...global.slice(0, cut), activity('idle', lastStart.durable.seq)])
    const whole = foldEvents(global)
    const id = lastStart.data.assistantMessageID
    const part = textPart(crashed, id, 'text:text-0')
    expect(crashed.messages.find((m) => m.id === id)).toMatchObject({ status: 'interrupted', finish: undefined })
    expect(part).toMatchObject({ streaming: false, incomplete: true })
    expect(part.text.length).toBeGreaterThan(0)
    expect(textPart(whole, id, 'text:text-0').text.startsWith(part.text)).toBe(true)
    // Everything before the cut-off step is exactly what the whole session shows.
    expect(crashed.messages.slice(0, 4)).toStrictEqual(whole.messages.slice(0, 4))
    expect(crashed.activity).toBe('idle')
  })
})
