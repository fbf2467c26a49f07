import { describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/protocol/index.js'
import { foldEvents, initialView, type ApplyOutcome } from '../../src/view/fold.js'
import type { SessionView } from '../../src/view/types.js'
import { activity, assistant, durable, keys, live, messageOf, model, provider, textPart, tokens, toolPart } from './fixtures.js'

/** Folds and records each event's outcome. */
function run(events: readonly SessionEvent[], state: SessionView = initialView()) {
  const outcomes: ApplyOutcome[] = []
  const view = foldEvents(events, state, (_, outcome) => outcomes.push(outcome))
  return { view, outcomes }
}

const step = (id = 'a1', seq = 1) => durable('session.next.step.started', { assistantMessageID: id, agent: 'build', model }, seq)
const stepEnded = (id: string, seq: number, finish = 'stop') =>
  durable('session.next.step.ended', { assistantMessageID: id, finish, cost: 0.5, tokens: tokens() }, seq)

describe('user messages', () => {
  const prompt = { text: 'hello', files: [{ uri: 'file:///a.ts', mime: 'text/plain' }], agents: [{ name: 'plan' }] }
  const admitted = (seq: number, id = 'u1') =>
    durable('session.next.prompt.admitted', { messageID: id, prompt, delivery: 'queue' }, seq)
  const prompted = (seq: number, id = 'u1') => durable('session.next.prompted', { messageID: id, prompt, delivery: 'queue' }, seq)

  it('prompt.admitted shows the prompt at once, queued; prompted hands it over', () => {
    const queued = run([admitted(1)])
    expect(queued.view.messages).toStrictEqual([
      {
        role: 'user',
        id: 'u1',
        created: 1001,
        text: 'hello',
        files: prompt.files,
        agents: prompt.agents,
        delivery: 'queue',
        queued: true,
      },
    ])
    const handed = run([prompted(2)], queued.view)
    expect(handed.outcomes).toEqual(['applied'])
    expect(handed.view.messages).toHaveLength(1)
    expect(messageOf(handed.view, 'u1', 'user')).toMatchObject({ queued: false, created: 1001, text: 'hello' })
    // The queued view is still as it was.
    expect(messageOf(queued.view, 'u1', 'user').queued).toBe(true)
  })

  it('prompted alone adds the prompt, already handed over', () => {
    const { view } = run([durable('session.next.prompted', { messageID: 'u1', prompt: { text: 'hi' }, delivery: 'steer' }, 1)])
    expect(view.messages).toStrictEqual([
      { role: 'user', id: 'u1', created: 1001, text: 'hi', files: undefined, agents: undefined, delivery: 'steer', queued: false },
    ])
  })

  it('an admission after the hand-over, or a second prompted, is ignored and changes no message', () => {
    const base = run([admitted(1), prompted(2)]).view
    const { view, outcomes } = run([admitted(3), prompted(4)], base)
    expect(outcomes).toEqual(['ignored', 'ignored'])
    expect(view.messages).toBe(base.messages)
    expect(messageOf(view, 'u1', 'user').queued).toBe(false)
  })

  it('a prompt whose id already names another kind of message is ignored', () => {
    const { view, outcomes } = run([step('u1', 1), admitted(2)])
    expect(outcomes).toEqual(['applied', 'ignored'])
    expect(view.messages.map((m) => m.role)).toEqual(['assistant'])
  })
})

describe('synthetic and context messages', () => {
  it('synthetic and context.updated add one message each', () => {
    const { view } = run([
      durable('session.next.synthetic', { messageID: 's1', text: 'note' }, 1, 50),
      durable('session.next.context.updated', { messageID: 'c1', text: 'ctx' }, 2, 60),
    ])
    expect(view.messages).toStrictEqual([
      { role: 'synthetic', id: 's1', created: 50, text: 'note' },
      { role: 'context', id: 'c1', created: 60, text: 'ctx' },
    ])
  })

  it('the same id again updates the text in place and keeps when it was created', () => {
    const { view, outcomes } = run([
      durable('session.next.context.updated', { messageID: 'c1', text: 'old' }, 1, 50),
      durable('session.next.prompted', { messageID: 'u1', prompt: { text: 'q' }, delivery: 'steer' }, 2),
      durable('session.next.context.updated', { messageID: 'c1', text: 'new' }, 3, 90),
    ])
    expect(outcomes).toEqual(['applied', 'applied', 'applied'])
    expect(view.messages.map((m) => m.id)).toEqual(['c1', 'u1'])
    expect(view.messages[0]).toStrictEqual({ role: 'context', id: 'c1', created: 50, text: 'new' })
  })

  it('an id that already names another kind of message is ignored', () => {
    const { view, outcomes } = run([
      durable('session.next.synthetic', { messageID: 'x', text: 'a' }, 1),
      durable('session.next.context.updated', { messageID: 'x', text: 'b' }, 2),
    ])
    expect(outcomes).toEqual(['applied', 'ignored'])
    expect(view.messages).toStrictEqual([{ role: 'synthetic', id: 'x', created: 1001, text: 'a' }])
  })
})

describe('shell messages', () => {
  const started = (seq: number, id = 'sh1', callID = 'c1') =>
    durable('session.next.shell.started', { messageID: id, callID, command: 'ls' }, seq)
  const ended = (seq: number, callID = 'c1') => durable('session.next.shell.ended', { callID, output: 'a.ts\n' }, seq)

  it('shell.started adds a running command; shell.ended (by callID) sets its output and completes it', () => {
    const running = run([started(1)]).view
    expect(running.messages).toStrictEqual([
      { role: 'shell', id: 'sh1', created: 1001, callID: 'c1', command: 'ls', output: '', status: 'running' },
    ])
    const done = run([ended(2)], running)
    expect(done.outcomes).toEqual(['applied'])
    expect(messageOf(done.view, 'sh1', 'shell')).toMatchObject({ output: 'a.ts\n', status: 'completed' })
  })

  it('finds the right command among several', () => {
    const { view } = run([started(1, 'sh1', 'c1'), started(2, 'sh2', 'c2'), ended(3, 'c1')])
    expect(messageOf(view, 'sh1', 'shell').status).toBe('completed')
    expect(messageOf(view, 'sh2', 'shell').status).toBe('running')
  })

  it('shell.ended for a call never seen is an orphan; a repeated start is ignored', () => {
    const base = run([started(1)]).view
    const orphan = run([ended(2, 'nope')], base)
    expect(orphan.outcomes).toEqual(['orphan'])
    expect(orphan.view.messages).toBe(base.messages)
    expect(run([started(3)], base).outcomes).toEqual(['ignored'])
  })

  it('idle interrupts a running command; a later shell.ended still completes it', () => {
    const idle = run([started(1), activity('idle', 1)]).view
    expect(messageOf(idle, 'sh1', 'shell').status).toBe('interrupted')
    const late = run([ended(2)], idle).view
    expect(messageOf(late, 'sh1', 'shell')).toMatchObject({ status: 'completed', output: 'a.ts\n' })
  })
})

describe('compaction messages', () => {
  const started = (seq: number, id = 'k1') =>
    durable('session.next.compaction.started', { messageID: id, reason: 'auto' }, seq)
  const delta = (text: string, id = 'k1') => live('session.next.compaction.delta', { messageID: id, text })
  const ended = (seq: number, text: string, id = 'k1') =>
    durable('session.next.compaction.ended', { messageID: id, reason: 'auto', text, recent: ['m9'] }, seq)

  it('started streams an empty summary; live deltas append; ended sets the full summary', () => {
    const streaming = run([started(1), delta('Sum'), delta('mary')])
    expect(streaming.outcomes).toEqual(['applied', 'applied', 'applied'])
    expect(streaming.view.messages).toStrictEqual([
      {
        role: 'compaction',
        id: 'k1',
        created: 1001,
        reason: 'auto',
        text: 'Summary',
        recent: undefined,
        status: 'streaming',
        incomplete: false,
      },
    ])
    const done = run([ended(2, 'The summary.')], streaming.view).view
    expect(messageOf(done, 'k1', 'compaction')).toMatchObject({
      text: 'The summary.',
      recent: ['m9'],
      status: 'completed',
      incomplete: false,
    })
  })

  it('the end wins: a delta after it is ignored and changes nothing', () => {
    const base = run([started(1), delta('x'), ended(2, 'final')]).view
    const { view, outcomes } = run([delta(' stale')], base)
    expect(outcomes).toEqual(['ignored'])
    expect(view).toBe(base)
    expect(messageOf(view, 'k1', 'compaction').text).toBe('final')
  })

  it('a delta for a compaction never seen is an orphan and leaves the view identical', () => {
    const base = run([started(1)]).view
    const { view, outcomes } = run([delta('x', 'nope')], base)
    expect(outcomes).toEqual(['orphan'])
    expect(view).toBe(base)
  })

  it('ended without a start adds the finished summary; a repeated start is ignored', () => {
    const { view, outcomes } = run([ended(1, 'whole'), started(2)])
    expect(outcomes).toEqual(['applied', 'ignored'])
    expect(messageOf(view, 'k1', 'compaction')).toMatchObject({ text: 'whole', status: 'completed', incomplete: false })
  })

  it('idle interrupts a streaming compaction and flags it incomplete; its end still completes it', () => {
    const idle = run([started(1), delta('par'), activity('idle', 1)]).view
    expect(messageOf(idle, 'k1', 'compaction')).toMatchObject({ text: 'par', status: 'interrupted', incomplete: true })
    expect(run([delta('more')], idle).outcomes).toEqual(['ignored'])
    const done = run([ended(2, 'full')], idle).view
    expect(messageOf(done, 'k1', 'compaction')).toMatchObject({ text: 'full', status: 'completed', incomplete: false })
  })

  it('a running snapshot flags a streaming compaction incomplete; deltas still append, the end clears it', () => {
    let view = run([started(1), delta('a'), activity('running', 1)]).view
    expect(messageOf(view, 'k1', 'compaction')).toMatchObject({ status: 'streaming', incomplete: true })
    view = run([delta('b')], view).view
    expect(messageOf(view, 'k1', 'compaction')).toMatchObject({ text: 'ab', incomplete: true })
    view = run([ended(2, 'abc')], view).view
    expect(messageOf(view, 'k1', 'compaction')).toMatchObject({ text: 'abc', incomplete: false })
  })
})

describe('steps', () => {
  it('step.started appends a streaming assistant message', () => {
    const { view } = run([step('a1', 1)])
    expect(view.messages).toStrictEqual([
      {
        role: 'assistant',
        id: 'a1',
        created: 1001,
        agent: 'build',
        model,
        status: 'streaming',
        parts: [],
        finish: undefined,
        cost: undefined,
        tokens: undefined,
        error: undefined,
      },
    ])
  })

  it('step.started for an ended message updates its agent and model and reopens it', () => {
    const other = { id: 'n', providerID: 'q' }
    const { view, outcomes } = run([
      step('a1', 1),
      stepEnded('a1', 2),
      durable('session.next.step.started', { assistantMessageID: 'a1', agent: 'plan', model: other }, 3),
    ])
    expect(outcomes).toEqual(['applied', 'applied', 'applied'])
    expect(view.messages).toHaveLength(1)
    expect(assistant(view, 'a1')).toMatchObject({ agent: 'plan', model: other, status: 'streaming' })
  })

  it('a part before its step creates the message; the step then names agent and model and the part keeps streaming', () => {
    const { view, outcomes } = run([
      durable('session.next.text.started', { assistantMessageID: 'a1', textID: 't' }, 1),
      live('session.next.text.delta', { assistantMessageID: 'a1', textID: 't', delta: 'He' }),
      step('a1', 2),
      live('session.next.text.delta', { assistantMessageID: 'a1', textID: 't', delta: 'llo' }),
    ])
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied'])
    expect(view.messages).toHaveLength(1)
    expect(assistant(view, 'a1')).toMatchObject({ agent: 'build', model, status: 'streaming', created: 1001 })
    expect(textPart(view, 'a1', 'text:t')).toMatchObject({ text: 'Hello', streaming: true, incomplete: false })
  })

  it('step.ended sets finish, cost and tokens and completes the message', () => {
    const { view } = run([step('a1', 1), stepEnded('a1', 2, 'tool-calls')])
    expect(assistant(view, 'a1')).toMatchObject({ finish: 'tool-calls', cost: 0.5, tokens: tokens(), status: 'completed' })
  })

  it('step.ended also closes parts that never got their end event', () => {
    const { view } = run([
      step('a1', 1),
      durable('session.next.text.started', { assistantMessageID: 'a1', textID: 't' }, 2),
      stepEnded('a1', 3),
    ])
    expect(textPart(view, 'a1', 'text:t')).toMatchObject({ streaming: false, incomplete: true })
  })

  it('step.failed sets error, fails the message and closes its open parts', () => {
    const error = { type: 'unknown', message: 'rate limited' }
    const { view } = run([
      step('a1', 1),
      durable('session.next.text.started', { assistantMessageID: 'a1', textID: 't' }, 2),
      durable('session.next.tool.input.started', { assistantMessageID: 'a1', callID: 'c1', name: 'x' }, 3),
      durable('session.next.step.failed', { assistantMessageID: 'a1', error }, 4),
    ])
    expect(assistant(view, 'a1')).toMatchObject({ error, status: 'failed' })
    expect(textPart(view, 'a1', 'text:t')).toMatchObject({ streaming: false, incomplete: true })
    expect(toolPart(view, 'a1', 'c1')).toMatchObject({ status: 'interrupted', streaming: false, incomplete: true })
  })

  it('a step end for an unknown message is an orphan', () => {
    const { view, outcomes } = run([
      stepEnded('zz', 1),
      durable('session.next.step.failed', { assistantMessageID: 'zz', error: { type: 'unknown', message: 'x' } }, 2),
    ])
    expect(outcomes).toEqual(['orphan', 'orphan'])
    expect(view.messages).toEqual([])
  })
})

describe.each(['text', 'reasoning'] as const)('%s parts', (type) => {
  const started = (id: string, seq: number, message = 'a1') =>
    type === 'text'
      ? durable('session.next.text.started', { assistantMessageID: message, textID: id }, seq)
      : durable('session.next.reasoning.started', { assistantMessageID: message, reasoningID: id }, seq)
  const delta = (id: string, text: string, message = 'a1') =>
    type === 'text'
      ? live('session.next.text.delta', { assistantMessageID: message, textID: id, delta: text })
      : live('session.next.reasoning.delta', { assistantMessageID: message, reasoningID: id, delta: text })
  const ended = (id: string, text: string, seq: number, message = 'a1') =>
    type === 'text'
      ? durable('session.next.text.ended', { assistantMessageID: message, textID: id, text }, seq)
      : durable('session.next.reasoning.ended', { assistantMessageID: message, reasoningID: id, text }, seq)

  it('started adds an empty streaming part keyed by type and id', () => {
    const { view } = run([step('a1', 1), started('p0', 2)])
    expect(assistant(view, 'a1').parts).toStrictEqual([
      { type, key: `${type}:p0`, id: 'p0', text: '', streaming: true, incomplete: false },
    ])
  })

  it('deltas append; ended replaces with the authoritative text', () => {
    const { view, outcomes } = run([step('a1', 1), started('p0', 2), delta('p0', 'Hel'), delta('p0', 'lo'), ended('p0', 'Hello.', 3)])
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied', 'applied'])
    expect(textPart(view, 'a1', `${type}:p0`)).toStrictEqual({
      type,
      key: `${type}:p0`,
      id: 'p0',
      text: 'Hello.',
      streaming: false,
      incomplete: false,
    })
  })

  it('started without a step creates the assistant message implicitly', () => {
    const { view } = run([started('p0', 1)])
    expect(assistant(view, 'a1')).toMatchObject({ status: 'streaming', agent: undefined, model: undefined, created: 1001 })
    expect(keys(assistant(view, 'a1'))).toEqual([`${type}:p0`])
  })

  it('a duplicate start is ignored and keeps the streamed text', () => {
    const { view, outcomes } = run([step('a1', 1), started('p0', 2), delta('p0', 'abc'), started('p0', 3)])
    expect(outcomes.at(-1)).toBe('ignored')
    expect(textPart(view, 'a1', `${type}:p0`)).toMatchObject({ text: 'abc', streaming: true })
    expect(assistant(view, 'a1').parts).toHaveLength(1)
  })

  it('a delta for a part never seen is an orphan and leaves the view identical', () => {
    const base = run([step('a1', 1)]).view
    const unknownPart = run([delta('p0', 'x')], base)
    expect(unknownPart.outcomes).toEqual(['orphan'])
    expect(unknownPart.view).toBe(base)
    const unknownMessage = run([delta('p0', 'x', 'nope')], base)
    expect(unknownMessage.outcomes).toEqual(['orphan'])
    expect(unknownMessage.view).toBe(base)
  })

  it('a delta after the part ended is ignored', () => {
    const base = run([step('a1', 1), started('p0', 2), ended('p0', 'final', 3)]).view
    const { view, outcomes } = run([delta('p0', ' stale')], base)
    expect(outcomes).toEqual(['ignored'])
    expect(view).toBe(base)
  })

  it('ended without a start adds the part already ended', () => {
    const { view } = run([step('a1', 1), ended('p3', 'whole', 2)])
    expect(textPart(view, 'a1', `${type}:p3`)).toMatchObject({ text: 'whole', streaming: false, incomplete: false })
  })

  it('parts keep arrival order, whatever their kind', () => {
    const { view } = run([
      step('a1', 1),
      started('z', 2),
      durable('session.next.tool.input.started', { assistantMessageID: 'a1', callID: 'c1', name: 'x' }, 3),
      started('a', 4),
      ended('m', 'late', 5),
      durable('session.next.text.started', { assistantMessageID: 'a1', textID: 'other' }, 6),
      durable('session.next.reasoning.started', { assistantMessageID: 'a1', reasoningID: 'other' }, 7),
    ])
    expect(keys(assistant(view, 'a1'))).toEqual([`${type}:z`, 'tool:c1', `${type}:a`, `${type}:m`, 'text:other', 'reasoning:other'])
  })
})

describe('text and reasoning with the same id', () => {
  it('are two parts, and a delta reaches only its own kind', () => {
    const { view } = run([
      step('a1', 1),
      durable('session.next.reasoning.started', { assistantMessageID: 'a1', reasoningID: 'x' }, 2),
      durable('session.next.text.started', { assistantMessageID: 'a1', textID: 'x' }, 3),
      live('session.next.reasoning.delta', { assistantMessageID: 'a1', reasoningID: 'x', delta: 'r' }),
      live('session.next.text.delta', { assistantMessageID: 'a1', textID: 'x', delta: 't' }),
    ])
    expect(keys(assistant(view, 'a1'))).toEqual(['reasoning:x', 'text:x'])
    expect(textPart(view, 'a1', 'reasoning:x').text).toBe('r')
    expect(textPart(view, 'a1', 'text:x').text).toBe('t')
  })
})

describe('tool parts', () => {
  const a = 'a1'
  const inputStarted = (callID: string, seq: number, message = a) =>
    durable('session.next.tool.input.started', { assistantMessageID: message, callID, name: 'read' }, seq)
  const inputDelta = (callID: string, delta: string, message = a) =>
    live('session.next.tool.input.delta', { assistantMessageID: message, callID, delta })
  const inputEnded = (callID: string, text: string, seq: number, message = a) =>
    durable('session.next.tool.input.ended', { assistantMessageID: message, callID, text }, seq)
  const called = (callID: string, seq: number, message = a, input: Record<string, unknown> = { path: 'x' }) =>
    durable(
      'session.next.tool.called',
      { assistantMessageID: message, callID, tool: 'read', input, provider: { executed: false, metadata: { region: 'eu' } } },
      seq,
    )
  const progress = (callID: string, seq: number, lines: number) =>
    durable(
      'session.next.tool.progress',
      { assistantMessageID: a, callID, structured: { lines }, content: [{ type: 'text', text: `${lines}` }] },
      seq,
    )
  const content = [{ type: 'text', text: 'ok' }]
  const success = (callID: string, seq: number, message = a) =>
    durable(
      'session.next.tool.success',
      {
        assistantMessageID: message,
        callID,
        structured: { done: true },
        content,
        outputPaths: ['/tmp/out'],
        result: 42,
        provider: { executed: true },
      },
      seq,
    )
  const error = { type: 'unknown', message: 'ENOENT' }
  const failed = (callID: string, seq: number, message = a) =>
    durable('session.next.tool.failed', { assistantMessageID: message, callID, error, result: 'r', provider }, seq)

  it('input.started adds a pending streaming tool part', () => {
    const { view } = run([step(a, 1), inputStarted('c1', 2)])
    expect(toolPart(view, a, 'c1')).toStrictEqual({
      type: 'tool',
      key: 'tool:c1',
      id: 'c1',
      name: 'read',
      inputText: '',
      input: undefined,
      status: 'pending',
      streaming: true,
      incomplete: false,
      structured: undefined,
      content: undefined,
      outputPaths: undefined,
      result: undefined,
      error: undefined,
      provider: undefined,
    })
  })

  it('input deltas append, input.ended sets the authoritative text', () => {
    const { view } = run([step(a, 1), inputStarted('c1', 2), inputDelta('c1', '{"a"'), inputDelta('c1', ':1')])
    expect(toolPart(view, a, 'c1')).toMatchObject({ inputText: '{"a":1', streaming: true, status: 'pending' })
    const ended = run([inputEnded('c1', '{"a":1}', 3)], view).view
    expect(toolPart(ended, a, 'c1')).toMatchObject({ inputText: '{"a":1}', streaming: false, incomplete: false })
  })

  it('called → running with its input and provider; progress replaces the output; success settles it', () => {
    let { view } = run([step(a, 1), inputStarted('c1', 2), inputEnded('c1', '{}', 3), called('c1', 4)])
    expect(toolPart(view, a, 'c1')).toMatchObject({
      status: 'running',
      input: { path: 'x' },
      provider: { executed: false, metadata: { region: 'eu' } },
      streaming: false,
    })
    view = run([progress('c1', 5, 1), progress('c1', 6, 3)], view).view
    expect(toolPart(view, a, 'c1')).toMatchObject({ status: 'running', structured: { lines: 3 }, content: [{ type: 'text', text: '3' }] })
    view = run([success('c1', 7)], view).view
    expect(toolPart(view, a, 'c1')).toMatchObject({
      status: 'success',
      structured: { done: true },
      content,
      outputPaths: ['/tmp/out'],
      result: 42,
      error: undefined,
      provider: { executed: true, metadata: { region: 'eu' } },
      streaming: false,
      incomplete: false,
    })
  })

  it('failed sets the error and result', () => {
    const { view } = run([step(a, 1), inputStarted('c1', 2), called('c1', 3), progress('c1', 4, 2), failed('c1', 5)])
    expect(toolPart(view, a, 'c1')).toMatchObject({ status: 'failed', error, result: 'r', streaming: false, incomplete: false })
  })

  it('tool.called for a call never seen adds the part, named by the call', () => {
    const { view, outcomes } = run([step(a, 1), called('c1', 2, a, { q: 1 })])
    expect(outcomes).toEqual(['applied', 'applied'])
    expect(toolPart(view, a, 'c1')).toMatchObject({
      name: 'read',
      inputText: '',
      input: { q: 1 },
      status: 'running',
      streaming: false,
      incomplete: false,
    })
    // It stands on its own without a step, too.
    const alone = run([called('c2', 1, 'a9')]).view
    expect(keys(assistant(alone, 'a9'))).toEqual(['tool:c2'])
  })

  it('events for an unknown tool are orphans and change nothing but the cursor', () => {
    // All but tool.called, which names the tool (above).
    const base = run([step(a, 1)]).view
    const events = [inputDelta('zz', 'x'), inputEnded('zz', '', 2), progress('zz', 3, 1), success('zz', 4), failed('zz', 5)]
    const { view, outcomes } = run(events, base)
    expect(outcomes).toEqual(Array(5).fill('orphan'))
    expect(view.messages).toBe(base.messages)
    expect(view.cursor).toBe(5)
    expect(run(events.slice(0, 1), base).view).toBe(base)
  })

  it('a call named in the wrong message is an orphan', () => {
    const { view, outcomes } = run([step('a1', 1), inputStarted('c1', 2, 'a1'), step('a2', 3), inputDelta('c1', 'x', 'a2')])
    expect(outcomes.at(-1)).toBe('orphan')
    expect(toolPart(view, 'a1', 'c1').inputText).toBe('')
  })

  it('a duplicate input.started is ignored; input deltas and progress after their end are ignored', () => {
    const base = run([step(a, 1), inputStarted('c1', 2), inputEnded('c1', 'x', 3), called('c1', 4), success('c1', 5)]).view
    const late = run([inputDelta('c1', 'late'), progress('c1', 6, 9)], base)
    expect(late.outcomes).toEqual(['ignored', 'ignored'])
    expect(late.view.messages).toBe(base.messages)
    expect(toolPart(late.view, a, 'c1')).toMatchObject({ inputText: 'x', structured: { done: true } })
    expect(run([inputStarted('c1', 7)], base).outcomes).toEqual(['ignored'])
  })

  it('input.started without a step creates the assistant message implicitly', () => {
    const { view } = run([inputStarted('c1', 1, 'a9')])
    expect(keys(assistant(view, 'a9'))).toEqual(['tool:c1'])
  })

  it('a result after an idle interruption clears incomplete', () => {
    const idle = run([step(a, 1), inputStarted('c1', 2), called('c1', 3), activity('idle', 3)]).view
    expect(toolPart(idle, a, 'c1')).toMatchObject({ status: 'interrupted', incomplete: true })
    expect(toolPart(run([success('c1', 4)], idle).view, a, 'c1')).toMatchObject({ status: 'success', incomplete: false })
    expect(toolPart(run([failed('c1', 4)], idle).view, a, 'c1')).toMatchObject({ status: 'failed', incomplete: false })
  })

  it('durable progress after an idle interruption still reaches the tool, which runs again', () => {
    const idle = run([step(a, 1), inputStarted('c1', 2), called('c1', 3), activity('idle', 3)]).view
    const { view, outcomes } = run([progress('c1', 4, 7)], idle)
    expect(outcomes).toEqual(['applied'])
    expect(toolPart(view, a, 'c1')).toMatchObject({
      status: 'running',
      structured: { lines: 7 },
      content: [{ type: 'text', text: '7' }],
    })
  })
})
