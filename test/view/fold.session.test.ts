import { describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/protocol/index.js'
import { foldEvent, foldEvents, initialView, type ApplyOutcome } from '../../src/view/fold.js'
import { activity, assistant, durable, live, SESSION, textPart, toolPart } from './fixtures.js'

const outcomes = (events: readonly SessionEvent[], state = initialView()): ApplyOutcome[] => {
  const seen: ApplyOutcome[] = []
  foldEvents(events, state, (_, outcome) => seen.push(outcome))
  return seen
}

/** A turn with a streaming text part, an ended reasoning part and tools in every state. */
const openTurn = (): SessionEvent[] => [
  durable('session.execution.started', {}, 0),
  durable('session.step.started', { assistantMessageID: 'a1' }, 1),
  durable('session.text.started', { assistantMessageID: 'a1', ordinal: 0 }, 2),
  live('session.text.delta', { assistantMessageID: 'a1', ordinal: 0, delta: 'par' }),
  durable('session.reasoning.started', { assistantMessageID: 'a1', ordinal: 1 }, 3),
  durable('session.reasoning.ended', { assistantMessageID: 'a1', ordinal: 1, text: 'done' }, 4),
  durable('session.tool.input.started', { assistantMessageID: 'a1', id: 't1', name: 'grep' }, 5),
  durable('session.tool.input.started', { assistantMessageID: 'a1', id: 't2', name: 'read' }, 6),
  durable('session.tool.input.ended', { id: 't2', text: '{}' }, 7),
  durable('session.tool.called', { id: 't2', input: {} }, 8),
  live('session.tool.progress', { id: 't2', metadata: { pct: 50 } }),
  durable('session.tool.input.started', { assistantMessageID: 'a1', id: 't3', name: 'ls' }, 9),
  durable('session.tool.input.ended', { id: 't3', text: '{}' }, 10),
  durable('session.tool.called', { id: 't3', input: {} }, 11),
  durable('session.tool.success', { id: 't3', content: [] }, 12),
  live('session.usage.updated', { cost: 1, tokens: { input: 1, output: 1 } }),
]

/** A turn still streaming text and a tool input, with live usage. */
const streamingTurn = (): SessionEvent[] => [
  durable('session.step.started', { assistantMessageID: 'a1' }, 0),
  durable('session.text.started', { assistantMessageID: 'a1', ordinal: 0 }, 1),
  live('session.text.delta', { assistantMessageID: 'a1', ordinal: 0, delta: 'Hel' }),
  durable('session.reasoning.started', { assistantMessageID: 'a1', ordinal: 1 }, 2),
  durable('session.reasoning.ended', { assistantMessageID: 'a1', ordinal: 1, text: 'r' }, 3),
  durable('session.tool.input.started', { assistantMessageID: 'a1', id: 't1', name: 'grep' }, 4),
  live('session.usage.updated', { cost: 1, tokens: { input: 1, output: 1 } }),
]

describe('initialView', () => {
  it('starts unknown, before any durable event, with no execution and no messages', () => {
    expect(initialView()).toStrictEqual({
      sessionID: undefined,
      info: {
        title: undefined,
        parentID: undefined,
        agent: undefined,
        model: undefined,
        createdAt: undefined,
        deleted: false,
      },
      activity: 'unknown',
      cursor: -1,
      execution: { status: 'none', error: undefined, reason: undefined },
      messages: [],
    })
    expect(initialView('ses_x').sessionID).toBe('ses_x')
  })

  it('folding nothing returns the same object', () => {
    const state = initialView()
    expect(foldEvents([], state)).toBe(state)
  })

  it('defaults state to initialView()', () => {
    expect(foldEvents([])).toStrictEqual(initialView())
  })
})

describe('session lifecycle', () => {
  const model = { providerID: 'anthropic', modelID: 'claude' }

  it('session.created fills sessionID and info, createdAt from the envelope', () => {
    const view = foldEvents([
      durable('session.created', { title: 'T', parentID: 'ses_parent', agent: 'build', model }, 0, 4242),
    ])
    expect(view.sessionID).toBe(SESSION)
    expect(view.info).toStrictEqual({
      title: 'T',
      parentID: 'ses_parent',
      agent: 'build',
      model,
      createdAt: 4242,
      deleted: false,
    })
  })

  it('session.renamed sets the title, session.deleted marks deleted', () => {
    const view = foldEvents([
      durable('session.created', { title: 'old' }, 0),
      durable('session.renamed', { title: 'new' }, 1),
      durable('session.deleted', {}, 2),
    ])
    expect(view.info.title).toBe('new')
    expect(view.info.deleted).toBe(true)
  })
})

describe('cursor', () => {
  it('durable events set cursor to their seq, live events never touch it', () => {
    let view = foldEvents([durable('session.created', {}, 0), durable('session.renamed', { title: 'x' }, 7)])
    expect(view.cursor).toBe(7)
    view = foldEvents(
      [
        live('session.usage.updated', { cost: 1, tokens: { input: 1, output: 1 } }),
        activity('running', 3),
        live('session.text.delta', { assistantMessageID: 'a', ordinal: 0, delta: 'x' }),
      ],
      view,
    )
    expect(view.cursor).toBe(7)
  })

  it('a durable orphan still moves the cursor: the gate accepted it', () => {
    const seen: ApplyOutcome[] = []
    const view = foldEvents(
      [durable('session.tool.success', { id: 'nope', content: [] }, 5)],
      initialView(),
      (_, outcome) => seen.push(outcome),
    )
    expect(seen).toEqual(['orphan'])
    expect(view.cursor).toBe(5)
    expect(view.messages).toEqual([])
  })
})

describe('session.inbox.enqueued', () => {
  it('appends a user message', () => {
    const view = foldEvents([durable('session.inbox.enqueued', { messageID: 'u1', text: 'hello' }, 0, 77)])
    expect(view.messages).toStrictEqual([{ role: 'user', id: 'u1', created: 77, text: 'hello' }])
  })

  it('ignores a message id that already exists', () => {
    const first = durable('session.inbox.enqueued', { messageID: 'u1', text: 'hello' }, 0)
    const again = durable('session.inbox.enqueued', { messageID: 'u1', text: 'other' }, 1)
    expect(outcomes([first, again])).toEqual(['applied', 'ignored'])
    const view = foldEvents([first, again])
    expect(view.messages).toHaveLength(1)
    expect(view.messages[0]).toMatchObject({ text: 'hello' })
  })
})

describe('execution', () => {
  it('execution.started sets running', () => {
    expect(foldEvents([durable('session.execution.started', {}, 0)]).execution).toStrictEqual({
      status: 'running',
      error: undefined,
      reason: undefined,
    })
  })

  it.each([
    ['succeeded', durable('session.execution.succeeded', {}, 13), 'completed'],
    ['failed', durable('session.execution.failed', { error: { message: 'boom' } }, 13), 'failed'],
    ['interrupted', durable('session.execution.interrupted', { reason: 'user' }, 13), 'interrupted'],
  ] as const)('execution.%s closes open parts and settles streaming messages', (status, end, messageStatus) => {
    const view = foldEvents([...openTurn(), end])
    expect(view.execution.status).toBe(status)
    expect(view.execution.error).toEqual(status === 'failed' ? { message: 'boom' } : undefined)
    expect(view.execution.reason).toBe(status === 'interrupted' ? 'user' : undefined)
    const message = assistant(view, 'a1')
    expect(message.status).toBe(messageStatus)
    expect(message.usage).toBeUndefined()
    // An open text part keeps what it had, but is flagged as possibly partial.
    expect(textPart(view, 'a1', 'text:0')).toMatchObject({ text: 'par', streaming: false, incomplete: true })
    // An ended part is untouched.
    expect(textPart(view, 'a1', 'reasoning:1')).toMatchObject({ text: 'done', streaming: false, incomplete: false })
    // Pending (input streaming) and running (called, no result) tools are interrupted.
    expect(toolPart(view, 'a1', 't1')).toMatchObject({ status: 'interrupted', streaming: false, incomplete: true })
    expect(toolPart(view, 'a1', 't2')).toMatchObject({
      status: 'interrupted',
      streaming: false,
      incomplete: true,
      progress: undefined,
    })
    // A finished tool is untouched.
    expect(toolPart(view, 'a1', 't3')).toMatchObject({ status: 'success', incomplete: false })
  })

  it('a terminal execution event leaves already-settled messages alone', () => {
    const events = [
      ...openTurn(),
      durable('session.step.failed', { assistantMessageID: 'a1', error: { message: 'x' } }, 13),
    ]
    const before = foldEvents(events)
    const after = foldEvent(before, durable('session.execution.succeeded', {}, 14))
    expect(assistant(after, 'a1').status).toBe('failed')
    expect(after.messages[0]).toBe(before.messages[0])
  })

  it('execution.started interrupts a message an earlier run left streaming (a crash writes nothing)', () => {
    const view = foldEvents([...streamingTurn(), durable('session.execution.started', {}, 5)])
    const message = view.messages[0]
    expect(message?.role === 'assistant' ? message.status : undefined).toBe('interrupted')
    expect(message?.role === 'assistant' ? message.parts.map((p) => [p.streaming, p.incomplete]) : []).toEqual([
      [false, true],
      [false, false],
      [false, true],
    ])
    expect(view.execution.status).toBe('running')
  })

  it('execution.started after a failure clears error and reason', () => {
    const view = foldEvents([
      durable('session.execution.failed', { error: { message: 'boom' } }, 0),
      durable('session.execution.started', {}, 1),
    ])
    expect(view.execution).toStrictEqual({ status: 'running', error: undefined, reason: undefined })
  })
})

describe('session.activity', () => {
  it('replaces activity wholesale and does not move the cursor', () => {
    let view = foldEvents([durable('session.created', {}, 4)])
    view = foldEvent(view, activity('running', 4))
    expect(view.activity).toBe('running')
    view = foldEvent(view, activity('idle', 4))
    expect(view.activity).toBe('idle')
    expect(view.cursor).toBe(4)
  })

  it('a running snapshot flags streaming parts incomplete; they keep streaming', () => {
    const view = foldEvents([...streamingTurn(), activity('running', 4)])
    expect(textPart(view, 'a1', 'text:0')).toMatchObject({ streaming: true, incomplete: true })
    expect(toolPart(view, 'a1', 't1')).toMatchObject({ streaming: true, incomplete: true, status: 'pending' })
    expect(textPart(view, 'a1', 'reasoning:1')).toMatchObject({ streaming: false, incomplete: false })
    expect(assistant(view, 'a1').status).toBe('streaming')
  })

  it('later deltas still append, and the end event clears incomplete', () => {
    const a = 'a1'
    let view = foldEvents([...streamingTurn(), activity('running', 4)])
    view = foldEvent(view, live('session.text.delta', { assistantMessageID: a, ordinal: 0, delta: 'lo' }))
    expect(textPart(view, a, 'text:0')).toMatchObject({ text: 'Hello', incomplete: true })
    view = foldEvent(view, durable('session.text.ended', { assistantMessageID: a, ordinal: 0, text: 'Hello!' }, 5))
    expect(textPart(view, a, 'text:0')).toMatchObject({ text: 'Hello!', streaming: false, incomplete: false })
    view = foldEvent(view, durable('session.tool.input.ended', { id: 't1', text: '{}' }, 6))
    expect(toolPart(view, a, 't1')).toMatchObject({ inputText: '{}', streaming: false, incomplete: false })
  })

  it('an idle snapshot closes every open part and interrupts streaming messages', () => {
    const view = foldEvents([...streamingTurn(), activity('idle', 4)])
    const message = assistant(view, 'a1')
    expect(message.status).toBe('interrupted')
    expect(message.usage).toBeUndefined()
    expect(textPart(view, 'a1', 'text:0')).toMatchObject({ text: 'Hel', streaming: false, incomplete: true })
    expect(toolPart(view, 'a1', 't1')).toMatchObject({ status: 'interrupted', streaming: false, incomplete: true })
    expect(textPart(view, 'a1', 'reasoning:1')).toMatchObject({ streaming: false, incomplete: false })
  })

  it('idle also closes open parts of messages that are no longer streaming', () => {
    // A running tool in a completed message: step.ended would normally close it, so build
    // the state by letting a part start after the step ended.
    const view = foldEvents([
      durable('session.step.started', { assistantMessageID: 'a1' }, 0),
      durable('session.step.ended', { assistantMessageID: 'a1', cost: 0, tokens: { input: 0, output: 0 } }, 1),
      durable('session.text.started', { assistantMessageID: 'a1', ordinal: 0 }, 2),
      activity('idle', 2),
    ])
    expect(assistant(view, 'a1').status).toBe('completed')
    expect(textPart(view, 'a1', 'text:0')).toMatchObject({ streaming: false, incomplete: true })
  })

  it('a snapshot that changes nothing returns the same view', () => {
    const view = foldEvents([durable('session.created', {}, 0), activity('idle', 0)])
    expect(foldEvent(view, activity('idle', 0))).toBe(view)
    const settled = foldEvents([
      durable('session.step.started', { assistantMessageID: 'a1' }, 0),
      durable('session.text.ended', { assistantMessageID: 'a1', ordinal: 0, text: 'x' }, 1),
      activity('running', 1),
    ])
    expect(foldEvent(settled, activity('running', 1))).toBe(settled)
  })
})
