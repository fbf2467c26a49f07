import { describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/protocol/index.js'
import { foldEvents, initialView, type ApplyOutcome } from '../../src/view/fold.js'
import type { SessionView } from '../../src/view/types.js'
import { assistant, durable, keys, live, textPart, toolPart } from './fixtures.js'

const model = { providerID: 'p', modelID: 'm' }
const tokens = { input: 3, output: 4 }

/** Folds and records each event's outcome. */
function run(events: readonly SessionEvent[], state: SessionView = initialView()) {
  const outcomes: ApplyOutcome[] = []
  const view = foldEvents(events, state, (_, outcome) => outcomes.push(outcome))
  return { view, outcomes }
}

const step = (id = 'a1', seq = 0) => durable('session.step.started', { assistantMessageID: id, agent: 'build', model }, seq)

describe('steps', () => {
  it('step.started appends a streaming assistant message', () => {
    const { view } = run([step('a1', 0)])
    expect(view.messages).toStrictEqual([
      {
        role: 'assistant',
        id: 'a1',
        created: 1000,
        agent: 'build',
        model,
        status: 'streaming',
        parts: [],
        finish: undefined,
        cost: undefined,
        tokens: undefined,
        error: undefined,
        retries: [],
        usage: undefined,
      },
    ])
  })

  it('step.started on an existing message updates agent/model and reopens it', () => {
    const other = { providerID: 'q', modelID: 'n' }
    const { view, outcomes } = run([
      durable('session.text.started', { assistantMessageID: 'a1', ordinal: 0 }, 0),
      durable('session.step.ended', { assistantMessageID: 'a1', cost: 0, tokens }, 1),
      durable('session.step.started', { assistantMessageID: 'a1', agent: 'plan', model: other }, 2),
    ])
    expect(outcomes).toEqual(['applied', 'applied', 'applied'])
    expect(view.messages).toHaveLength(1)
    expect(assistant(view, 'a1')).toMatchObject({ agent: 'plan', model: other, status: 'streaming' })
  })

  it('step.ended sets finish/cost/tokens, clears usage, completes the message', () => {
    const { view } = run([
      step('a1', 0),
      live('session.usage.updated', { assistantMessageID: 'a1', cost: 1, tokens }),
      durable('session.step.ended', { assistantMessageID: 'a1', finish: 'stop', cost: 2, tokens }, 1),
    ])
    expect(assistant(view, 'a1')).toMatchObject({ finish: 'stop', cost: 2, tokens, usage: undefined, status: 'completed' })
  })

  it('step.ended without an id applies to the last assistant message', () => {
    const { view } = run([
      step('a1', 0),
      step('a2', 1),
      durable('session.inbox.enqueued', { messageID: 'u1', text: 'q' }, 2),
      durable('session.step.ended', { cost: 1, tokens }, 3),
    ])
    expect(assistant(view, 'a2').status).toBe('completed')
    expect(assistant(view, 'a1').status).toBe('streaming')
  })

  it('step.ended also closes parts that never got their end event (deviation: see report)', () => {
    const { view } = run([
      step('a1', 0),
      durable('session.text.started', { assistantMessageID: 'a1', ordinal: 0 }, 1),
      durable('session.step.ended', { assistantMessageID: 'a1', cost: 1, tokens }, 2),
    ])
    expect(textPart(view, 'a1', 'text:0')).toMatchObject({ streaming: false, incomplete: true })
  })

  it('step.failed sets error, fails the message and closes its open parts', () => {
    const { view } = run([
      step('a1', 0),
      durable('session.text.started', { assistantMessageID: 'a1', ordinal: 0 }, 1),
      durable('session.tool.input.started', { assistantMessageID: 'a1', id: 't1', name: 'x' }, 2),
      durable('session.step.failed', { assistantMessageID: 'a1', error: { message: 'rate limited' } }, 3),
    ])
    expect(assistant(view, 'a1')).toMatchObject({ error: { message: 'rate limited' }, status: 'failed' })
    expect(textPart(view, 'a1', 'text:0')).toMatchObject({ streaming: false, incomplete: true })
    expect(toolPart(view, 'a1', 't1')).toMatchObject({ status: 'interrupted', streaming: false })
  })

  it('step end for an unknown message is an orphan', () => {
    const { view, outcomes } = run([durable('session.step.ended', { assistantMessageID: 'zz', cost: 0, tokens }, 0)])
    expect(outcomes).toEqual(['orphan'])
    expect(view.messages).toEqual([])
  })
})

describe.each(['text', 'reasoning'] as const)('%s parts', (type) => {
  const started = (ordinal: number, seq: number, id = 'a1') =>
    durable(`session.${type}.started`, { assistantMessageID: id, ordinal }, seq)
  const delta = (ordinal: number, text: string, id = 'a1') =>
    live(`session.${type}.delta`, { assistantMessageID: id, ordinal, delta: text })
  const ended = (ordinal: number, text: string, seq: number, id = 'a1') =>
    durable(`session.${type}.ended`, { assistantMessageID: id, ordinal, text }, seq)

  it('started creates an empty streaming part keyed by type and ordinal', () => {
    const { view } = run([step('a1', 0), started(2, 1)])
    expect(assistant(view, 'a1').parts).toStrictEqual([
      { type, key: `${type}:2`, ordinal: 2, text: '', streaming: true, incomplete: false },
    ])
  })

  it('deltas append; ended replaces with the authoritative text', () => {
    const { view, outcomes } = run([step('a1', 0), started(0, 1), delta(0, 'Hel'), delta(0, 'lo'), ended(0, 'Hello.', 2)])
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'applied', 'applied'])
    expect(textPart(view, 'a1', `${type}:0`)).toStrictEqual({
      type,
      key: `${type}:0`,
      ordinal: 0,
      text: 'Hello.',
      streaming: false,
      incomplete: false,
    })
  })

  it('started without a step creates the assistant message implicitly', () => {
    const { view } = run([started(0, 0)], initialView())
    expect(assistant(view, 'a1')).toMatchObject({ status: 'streaming', agent: undefined, created: 1000 })
    expect(keys(assistant(view, 'a1'))).toEqual([`${type}:0`])
  })

  it('a duplicate start is ignored and keeps the streamed text', () => {
    const { view, outcomes } = run([step('a1', 0), started(0, 1), delta(0, 'abc'), started(0, 2)])
    expect(outcomes.at(-1)).toBe('ignored')
    expect(textPart(view, 'a1', `${type}:0`).text).toBe('abc')
    expect(assistant(view, 'a1').parts).toHaveLength(1)
  })

  it('a delta for a part never seen is an orphan and leaves the view identical', () => {
    const base = run([step('a1', 0)]).view
    const unknownPart = run([delta(0, 'x')], base)
    expect(unknownPart.outcomes).toEqual(['orphan'])
    expect(unknownPart.view).toBe(base)
    const unknownMessage = run([delta(0, 'x', 'nope')], base)
    expect(unknownMessage.outcomes).toEqual(['orphan'])
    expect(unknownMessage.view).toBe(base)
  })

  it('a delta after the part ended is ignored', () => {
    const base = run([step('a1', 0), started(0, 1), ended(0, 'final', 2)]).view
    const { view, outcomes } = run([delta(0, ' stale')], base)
    expect(outcomes).toEqual(['ignored'])
    expect(view).toBe(base)
  })

  it('ended without a start creates the part already ended', () => {
    const { view } = run([step('a1', 0), ended(3, 'whole', 1)])
    expect(textPart(view, 'a1', `${type}:3`)).toMatchObject({ text: 'whole', streaming: false, incomplete: false })
  })

  it('parts are kept in ordinal order; tools keep arrival order', () => {
    const { view } = run([
      step('a1', 0),
      started(4, 1),
      durable('session.tool.input.started', { assistantMessageID: 'a1', id: 't1', name: 'x' }, 2),
      started(1, 3),
      ended(6, 'late', 4),
      started(2, 5),
    ])
    expect(keys(assistant(view, 'a1'))).toEqual([`${type}:1`, `${type}:2`, `${type}:4`, 'tool:t1', `${type}:6`])
  })
})

describe('text and reasoning share one ordinal order', () => {
  it('inserts reasoning before a text part with a greater ordinal', () => {
    const { view } = run([
      step('a1', 0),
      durable('session.text.started', { assistantMessageID: 'a1', ordinal: 1 }, 1),
      durable('session.reasoning.started', { assistantMessageID: 'a1', ordinal: 0 }, 2),
    ])
    expect(keys(assistant(view, 'a1'))).toEqual(['reasoning:0', 'text:1'])
  })
})

describe('tool parts', () => {
  const a = 'a1'
  const inputStarted = (id: string, seq: number, message = a) =>
    durable('session.tool.input.started', { assistantMessageID: message, id, name: 'read' }, seq)

  it('input.started creates a pending streaming tool part', () => {
    const { view } = run([step(a, 0), inputStarted('t1', 1)])
    expect(toolPart(view, a, 't1')).toStrictEqual({
      type: 'tool',
      key: 'tool:t1',
      id: 't1',
      name: 'read',
      inputText: '',
      input: undefined,
      status: 'pending',
      streaming: true,
      incomplete: false,
      output: undefined,
      error: undefined,
      progress: undefined,
    })
  })

  it('input deltas append, input.ended sets the authoritative text', () => {
    const { view } = run([
      step(a, 0),
      inputStarted('t1', 1),
      live('session.tool.input.delta', { id: 't1', delta: '{"a"' }),
      live('session.tool.input.delta', { assistantMessageID: a, id: 't1', delta: ':1' }),
    ])
    expect(toolPart(view, a, 't1')).toMatchObject({ inputText: '{"a":1', streaming: true })
    const ended = run([durable('session.tool.input.ended', { id: 't1', text: '{"a":1}' }, 2)], view).view
    expect(toolPart(ended, a, 't1')).toMatchObject({ inputText: '{"a":1}', streaming: false, incomplete: false })
  })

  it('finds a tool without assistantMessageID in an older message', () => {
    const { view, outcomes } = run([
      step('a1', 0),
      inputStarted('t1', 1, 'a1'),
      step('a2', 2),
      durable('session.text.started', { assistantMessageID: 'a2', ordinal: 0 }, 3),
      live('session.tool.input.delta', { id: 't1', delta: 'x' }),
    ])
    expect(outcomes.at(-1)).toBe('applied')
    expect(toolPart(view, 'a1', 't1').inputText).toBe('x')
  })

  it('a tool named in the wrong message is an orphan', () => {
    const { outcomes } = run([
      step('a1', 0),
      inputStarted('t1', 1, 'a1'),
      step('a2', 2),
      live('session.tool.input.delta', { assistantMessageID: 'a2', id: 't1', delta: 'x' }),
    ])
    expect(outcomes.at(-1)).toBe('orphan')
  })

  it('called → running with input; progress; success → output and progress cleared', () => {
    let { view } = run([
      step(a, 0),
      inputStarted('t1', 1),
      durable('session.tool.input.ended', { id: 't1', text: '{}' }, 2),
      durable('session.tool.called', { id: 't1', input: { path: 'x' } }, 3),
    ])
    expect(toolPart(view, a, 't1')).toMatchObject({ status: 'running', input: { path: 'x' }, streaming: false })
    view = run([live('session.tool.progress', { id: 't1', metadata: { lines: 3 } })], view).view
    expect(toolPart(view, a, 't1').progress).toEqual({ lines: 3 })
    const content = [{ type: 'text', text: 'ok' }]
    view = run([durable('session.tool.success', { id: 't1', content }, 4)], view).view
    expect(toolPart(view, a, 't1')).toMatchObject({
      status: 'success',
      output: content,
      progress: undefined,
      streaming: false,
    })
  })

  it('failed sets the error and clears progress', () => {
    const { view } = run([
      step(a, 0),
      inputStarted('t1', 1),
      durable('session.tool.called', { id: 't1', input: {} }, 2),
      live('session.tool.progress', { id: 't1', metadata: 1 }),
      durable('session.tool.failed', { id: 't1', error: { message: 'ENOENT' } }, 3),
    ])
    expect(toolPart(view, a, 't1')).toMatchObject({
      status: 'failed',
      error: { message: 'ENOENT' },
      progress: undefined,
      streaming: false,
    })
  })

  it('events for an unknown tool are orphans and change nothing but the cursor', () => {
    const base = run([step(a, 0)]).view
    const events = [
      live('session.tool.input.delta', { id: 'zz', delta: 'x' }),
      live('session.tool.progress', { id: 'zz', metadata: 1 }),
      durable('session.tool.input.ended', { id: 'zz', text: '' }, 1),
      durable('session.tool.called', { id: 'zz', input: 1 }, 2),
      durable('session.tool.success', { id: 'zz', content: [] }, 3),
      durable('session.tool.failed', { id: 'zz', error: { message: 'x' } }, 4),
    ]
    const { view, outcomes } = run(events, base)
    expect(outcomes).toEqual(Array(6).fill('orphan'))
    expect(view.messages).toBe(base.messages)
    expect(view.cursor).toBe(4)
    expect(run(events.slice(0, 2), base).view).toBe(base)
  })

  it('a duplicate input.started is ignored; deltas and progress after the end are ignored', () => {
    const base = run([
      step(a, 0),
      inputStarted('t1', 1),
      durable('session.tool.input.ended', { id: 't1', text: 'x' }, 2),
      durable('session.tool.success', { id: 't1', content: [] }, 3),
    ]).view
    const { view, outcomes } = run(
      [
        live('session.tool.input.delta', { id: 't1', delta: 'late' }),
        live('session.tool.progress', { id: 't1', metadata: 'late' }),
      ],
      base,
    )
    expect(outcomes).toEqual(['ignored', 'ignored'])
    expect(view).toBe(base)
    expect(run([inputStarted('t1', 4)], base).outcomes).toEqual(['ignored'])
  })

  it('input.started without a step creates the assistant message implicitly', () => {
    const { view } = run([inputStarted('t1', 0, 'a9')])
    expect(keys(assistant(view, 'a9'))).toEqual(['tool:t1'])
  })

  it('a result after an idle interruption clears incomplete', () => {
    const { view } = run([
      step(a, 0),
      inputStarted('t1', 1),
      durable('session.tool.called', { id: 't1', input: {} }, 2),
      live('session.activity', { status: 'idle', cutoff: 2 }),
      durable('session.tool.success', { id: 't1', content: [] }, 3),
    ])
    expect(toolPart(view, a, 't1')).toMatchObject({ status: 'success', incomplete: false })
  })
})

describe('retries and usage', () => {
  it('retry.scheduled appends to the message retries', () => {
    const error = { message: 'overloaded', name: 'APIError' }
    const { view } = run([
      step('a1', 0),
      durable('session.retry.scheduled', { assistantMessageID: 'a1', attempt: 1, at: 5000, error }, 1),
      durable('session.retry.scheduled', { assistantMessageID: 'a1', attempt: 2, at: 9000, error }, 2),
    ])
    expect(assistant(view, 'a1').retries).toStrictEqual([
      { attempt: 1, at: 5000, error },
      { attempt: 2, at: 9000, error },
    ])
  })

  it('retry.scheduled for an unknown message is an orphan', () => {
    const error = { message: 'x' }
    const { outcomes } = run([durable('session.retry.scheduled', { assistantMessageID: 'zz', attempt: 1, at: 0, error }, 0)])
    expect(outcomes).toEqual(['orphan'])
  })

  it('usage.updated goes to the named message, or the last streaming one', () => {
    const { view } = run([
      step('a1', 0),
      step('a2', 1),
      durable('session.step.ended', { assistantMessageID: 'a2', cost: 0, tokens }, 2),
      live('session.usage.updated', { cost: 1, tokens }),
    ])
    expect(assistant(view, 'a1').usage).toEqual({ cost: 1, tokens })
    expect(assistant(view, 'a2').usage).toBeUndefined()
    const named = run([live('session.usage.updated', { assistantMessageID: 'a1', cost: 2, tokens })], view).view
    expect(assistant(named, 'a1').usage).toEqual({ cost: 2, tokens })
  })

  it('usage.updated with no streaming target is ignored; for an unknown id it is an orphan', () => {
    const base = run([step('a1', 0), durable('session.step.ended', { assistantMessageID: 'a1', cost: 0, tokens }, 1)]).view
    const none = run([live('session.usage.updated', { cost: 1, tokens })], base)
    expect(none.outcomes).toEqual(['ignored'])
    expect(none.view).toBe(base)
    const ended = run([live('session.usage.updated', { assistantMessageID: 'a1', cost: 1, tokens })], base)
    expect(ended.outcomes).toEqual(['ignored'])
    const unknown = run([live('session.usage.updated', { assistantMessageID: 'zz', cost: 1, tokens })], base)
    expect(unknown.outcomes).toEqual(['orphan'])
    expect(unknown.view).toBe(base)
  })
})
