import { describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/protocol/index.js'
import { foldEvent, foldEvents, initialView, type ApplyOutcome } from '../../src/view/fold.js'
import { selectMessage } from '../../src/view/select.js'
import type { Message, SessionView } from '../../src/view/types.js'
import {
  activity,
  assistant,
  deepFreeze,
  durable,
  live,
  messageOf,
  model,
  provider,
  Script,
  scriptedTurn,
  textPart,
  tokens,
  toolPart,
  turnIDs,
} from './fixtures.js'

const outcomes = (events: readonly SessionEvent[], state = initialView()): ApplyOutcome[] => {
  const seen: ApplyOutcome[] = []
  foldEvents(events, state, (_, outcome) => seen.push(outcome))
  return seen
}

const step = (id: string, seq: number) => durable('session.next.step.started', { assistantMessageID: id, agent: 'build', model }, seq)
const prompted = (id: string, seq: number, text = 'q') =>
  durable('session.next.prompted', { messageID: id, prompt: { text }, delivery: 'steer' }, seq)

/**
 * A step with everything in every state: a streaming text part, an ended reasoning part, a
 * pending tool (input streaming), a running tool and a finished one; then a running shell
 * and a streaming compaction beside it.
 */
const openTurn = (): SessionEvent[] => [
  step('a1', 1),
  durable('session.next.text.started', { assistantMessageID: 'a1', textID: 't0' }, 2),
  live('session.next.text.delta', { assistantMessageID: 'a1', textID: 't0', delta: 'par' }),
  durable('session.next.reasoning.started', { assistantMessageID: 'a1', reasoningID: 'r0' }, 3),
  durable('session.next.reasoning.ended', { assistantMessageID: 'a1', reasoningID: 'r0', text: 'done' }, 4),
  durable('session.next.tool.input.started', { assistantMessageID: 'a1', callID: 'c1', name: 'grep' }, 5),
  durable('session.next.tool.called', { assistantMessageID: 'a1', callID: 'c2', tool: 'read', input: {}, provider }, 6),
  durable('session.next.tool.progress', { assistantMessageID: 'a1', callID: 'c2', structured: { pct: 50 }, content: [] }, 7),
  durable('session.next.tool.called', { assistantMessageID: 'a1', callID: 'c3', tool: 'ls', input: {}, provider }, 8),
  durable('session.next.tool.success', { assistantMessageID: 'a1', callID: 'c3', structured: {}, content: [], provider }, 9),
  durable('session.next.shell.started', { messageID: 'sh1', callID: 'x1', command: 'ls' }, 10),
  durable('session.next.compaction.started', { messageID: 'k1', reason: 'manual' }, 11),
  live('session.next.compaction.delta', { messageID: 'k1', text: 'sum' }),
]

describe('initialView', () => {
  it('starts unknown, before any durable event, with no retry and no messages', () => {
    expect(initialView()).toStrictEqual({
      sessionID: undefined,
      info: {
        agent: undefined,
        model: undefined,
        location: undefined,
        subdirectory: undefined,
        revert: undefined,
        deleted: false,
      },
      activity: 'unknown',
      cursor: -1,
      retry: undefined,
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

describe('cursor', () => {
  it('durable events set cursor to their seq, live events never touch it', () => {
    let view = foldEvents([prompted('u1', 1), prompted('u2', 7)])
    expect(view.cursor).toBe(7)
    view = foldEvents(
      [
        activity('running', 3),
        live('session.next.text.delta', { assistantMessageID: 'a', textID: 't', delta: 'x' }),
        live('session.next.compaction.delta', { messageID: 'k', text: 'x' }),
      ],
      view,
    )
    expect(view.cursor).toBe(7)
  })

  it('a durable orphan still moves the cursor: the gate accepted it', () => {
    const seen: ApplyOutcome[] = []
    const view = foldEvents(
      [durable('session.next.tool.success', { assistantMessageID: 'a', callID: 'nope', structured: {}, content: [], provider }, 5)],
      initialView(),
      (_, outcome) => seen.push(outcome),
    )
    expect(seen).toEqual(['orphan'])
    expect(view.cursor).toBe(5)
    expect(view.messages).toEqual([])
  })

  it('an ignored durable event moves the cursor too', () => {
    const base = foldEvents([prompted('u1', 1)])
    const seen = outcomes([prompted('u1', 2)], base)
    expect(seen).toEqual(['ignored'])
    const view = foldEvent(base, prompted('u1', 2))
    expect(view.cursor).toBe(2)
    expect(view.messages).toBe(base.messages)
  })
})

describe('session info', () => {
  it('moved sets the location and subdirectory', () => {
    const view = foldEvents([
      durable('session.next.moved', { location: { directory: '/w', workspaceID: 'wrk' }, subdirectory: 'pkg' }, 1),
    ])
    expect(view.info).toMatchObject({ location: { directory: '/w', workspaceID: 'wrk' }, subdirectory: 'pkg' })
    expect(view.messages).toEqual([])
  })

  it('agent and model switches add a marker each and set the session’s agent and model', () => {
    const other = { id: 'big', providerID: 'q', variant: 'high' }
    const view = foldEvents([
      durable('session.next.agent.switched', { messageID: 'sw1', agent: 'plan' }, 1),
      durable('session.next.model.switched', { messageID: 'sw2', model: other }, 2),
    ])
    expect(view.messages).toStrictEqual([
      { role: 'agent-switched', id: 'sw1', created: 1001, agent: 'plan', model: undefined },
      { role: 'model-switched', id: 'sw2', created: 1002, agent: undefined, model: other },
    ])
    expect(view.info).toMatchObject({ agent: 'plan', model: other })
  })

  it('a step sets the session’s agent and model too; the newest wins', () => {
    let view = foldEvents([durable('session.next.agent.switched', { messageID: 'sw1', agent: 'plan' }, 1), step('a1', 2)])
    expect(view.info).toMatchObject({ agent: 'build', model })
    view = foldEvent(view, durable('session.next.agent.switched', { messageID: 'sw2', agent: 'review' }, 3))
    expect(view.info.agent).toBe('review')
    expect(assistant(view, 'a1').agent).toBe('build')
  })
})

describe('retry', () => {
  const error = { message: 'overloaded', statusCode: 529, isRetryable: true }
  const retried = (attempt: number, seq: number) => durable('session.next.retried', { attempt, error }, seq, 5_000 + attempt)

  it('retried sets the retry; a later one replaces it', () => {
    let view = foldEvents([retried(1, 1)])
    expect(view.retry).toStrictEqual({ attempt: 1, error, at: 5_001 })
    view = foldEvent(view, retried(2, 2))
    expect(view.retry).toStrictEqual({ attempt: 2, error, at: 5_002 })
  })

  it('a step start clears it', () => {
    expect(foldEvents([retried(1, 1), step('a1', 2)]).retry).toBeUndefined()
  })

  it('an idle snapshot clears it; a running one keeps it', () => {
    const base = foldEvents([retried(1, 1)])
    expect(foldEvent(base, activity('running', 1)).retry).toStrictEqual({ attempt: 1, error, at: 5_001 })
    expect(foldEvent(base, activity('idle', 1)).retry).toBeUndefined()
  })
})

describe('revert', () => {
  const staged = (messageID: string, seq: number) =>
    durable('session.next.revert.staged', { revert: { messageID, partID: 'p1', snapshot: 'abc', diff: '-x', files: ['a'] } }, seq)
  const cleared = (seq: number) => durable('session.next.revert.cleared', {}, seq)
  const committed = (messageID: string, seq: number) => durable('session.next.revert.committed', { messageID }, seq)
  const twoTurns = () => scriptedTurn(scriptedTurn(new Script(), 0), 1)

  it('staged shows the revert and removes nothing; cleared takes it back', () => {
    const script = twoTurns()
    const base = foldEvents(script.events)
    const view = foldEvent(base, staged(turnIDs(1).user, 100))
    expect(view.info.revert).toStrictEqual({ messageID: turnIDs(1).user, partID: 'p1', snapshot: 'abc', diff: '-x', files: ['a'] })
    expect(view.messages).toBe(base.messages)
    const back = foldEvent(view, cleared(101))
    expect(back.info.revert).toBeUndefined()
    expect(back.messages).toBe(base.messages)
  })

  it('committed removes every message after its message (which stays) and ends the staged revert', () => {
    const base = foldEvents(twoTurns().events)
    const { user, assistant: a0 } = turnIDs(0)
    const view = foldEvents([staged(a0, 100), committed(a0, 101)], base)
    expect(view.messages.map((m) => m.id)).toEqual([user, a0])
    expect(view.info.revert).toBeUndefined()
    expect(view.cursor).toBe(101)
    // The kept messages are the very same objects.
    expect(view.messages[0]).toBe(base.messages[0])
    expect(view.messages[1]).toBe(base.messages[1])
  })

  it('after a commit the removed messages cannot be found, and later messages append at the end', () => {
    const base = foldEvents(twoTurns().events)
    const { user } = turnIDs(0)
    const removed = turnIDs(1)
    const view = foldEvents([committed(user, 100)], base)
    for (const id of [removed.user, removed.assistant, removed.answer, turnIDs(0).answer]) {
      expect(selectMessage(view, id)).toBeUndefined()
    }
    const later = foldEvents([prompted('u-new', 101, 'again'), step(removed.assistant, 102)], view)
    expect(later.messages.map((m) => m.id)).toEqual([user, 'u-new', removed.assistant])
    expect(selectMessage(later, 'u-new')).toMatchObject({ text: 'again' })
    expect(selectMessage(later, removed.assistant)).toMatchObject({ role: 'assistant', status: 'streaming', parts: [] })
    // A delta for a part of a removed message is an orphan now.
    const seen = outcomes([live('session.next.text.delta', { assistantMessageID: turnIDs(0).answer, textID: 'text-0', delta: 'x' })], later)
    expect(seen).toEqual(['orphan'])
    // The same in one call: the messages appended after the commit take the removed ones' places.
    const together = foldEvents([committed(user, 100), prompted('u-new', 101, 'again'), step(removed.assistant, 102)], base)
    expect(together).toStrictEqual(later)
    for (const id of [removed.user, removed.answer, turnIDs(0).answer]) {
      expect(selectMessage(together, id)).toBeUndefined()
    }
  })

  it('committed for a message never seen is an orphan and removes nothing', () => {
    const base = foldEvents(twoTurns().events)
    const seen: ApplyOutcome[] = []
    const view = foldEvents([committed('nope', 100)], base, (_, outcome) => seen.push(outcome))
    expect(seen).toEqual(['orphan'])
    expect(view.messages).toBe(base.messages)
  })

  it('folding onto the views before and after a commit stays pure', () => {
    const events = twoTurns().events
    const before = deepFreeze(foldEvents(events))
    const commit = committed(turnIDs(0).user, 100)
    const after = deepFreeze(foldEvents([commit], before))
    const more = [prompted('u-x', 101), step('a-x', 102)]
    const fromBefore = foldEvents(more, before)
    const fromAfter = foldEvents(more, after)
    expect(fromBefore).toStrictEqual(foldEvents([...events, ...more]))
    expect(fromAfter).toStrictEqual(foldEvents([...events, commit, ...more]))
    expect(before.messages).toHaveLength(6)
    expect(after.messages).toHaveLength(1)
    expect(selectMessage(before, turnIDs(1).answer)).toMatchObject({ status: 'completed' })
    expect(selectMessage(fromBefore, turnIDs(1).answer)).toMatchObject({ status: 'completed' })
    expect(selectMessage(fromAfter, turnIDs(1).answer)).toBeUndefined()
    expect(selectMessage(fromAfter, 'a-x')).toMatchObject({ status: 'streaming' })
  })

  it('a commit that removes a streaming step leaves nothing to interrupt', () => {
    const view = foldEvents([prompted('u1', 1), step('a1', 2), committed('u1', 3), activity('idle', 3)])
    expect(view.messages.map((m) => m.id)).toEqual(['u1'])
    expect(view.activity).toBe('idle')
  })
})

describe('a new step', () => {
  const streamingStep = (): SessionEvent[] => [
    step('a1', 1),
    durable('session.next.text.started', { assistantMessageID: 'a1', textID: 't0' }, 2),
    live('session.next.text.delta', { assistantMessageID: 'a1', textID: 't0', delta: 'Hel' }),
    durable('session.next.reasoning.ended', { assistantMessageID: 'a1', reasoningID: 'r0', text: 'r' }, 3),
    durable('session.next.tool.input.started', { assistantMessageID: 'a1', callID: 'c1', name: 'grep' }, 4),
  ]

  it('interrupts a step an earlier run left streaming (a crash writes nothing)', () => {
    const view = foldEvents([...streamingStep(), step('a2', 5)])
    expect(assistant(view, 'a1').status).toBe('interrupted')
    expect(assistant(view, 'a1').parts.map((p) => [p.key, p.streaming, p.incomplete])).toEqual([
      ['text:t0', false, true],
      ['reasoning:r0', false, false],
      ['tool:c1', false, true],
    ])
    expect(toolPart(view, 'a1', 'c1').status).toBe('interrupted')
    expect(textPart(view, 'a1', 'text:t0').text).toBe('Hel')
    expect(assistant(view, 'a2').status).toBe('streaming')
  })

  it('leaves finished steps, shells and summaries as they are', () => {
    const before = foldEvents([
      step('a0', 1),
      durable('session.next.step.ended', { assistantMessageID: 'a0', finish: 'stop', cost: 0, tokens: tokens() }, 2),
      durable('session.next.shell.started', { messageID: 'sh1', callID: 'x1', command: 'ls' }, 3),
      durable('session.next.compaction.started', { messageID: 'k1', reason: 'auto' }, 4),
    ])
    const after = foldEvent(before, step('a1', 5))
    for (let i = 0; i < before.messages.length; i++) expect(after.messages[i]).toBe(before.messages[i])
    expect(messageOf(after, 'sh1', 'shell').status).toBe('running')
    expect(messageOf(after, 'k1', 'compaction').status).toBe('streaming')
  })
})

describe('session.activity', () => {
  it('replaces activity wholesale and does not move the cursor', () => {
    let view = foldEvents([prompted('u1', 4)])
    view = foldEvent(view, activity('running', 4))
    expect(view.activity).toBe('running')
    view = foldEvent(view, activity('idle', 4))
    expect(view.activity).toBe('idle')
    expect(view.cursor).toBe(4)
  })

  it('a running snapshot flags streaming parts incomplete; they keep streaming', () => {
    const view = foldEvents([...openTurn(), activity('running', 11)])
    expect(textPart(view, 'a1', 'text:t0')).toMatchObject({ streaming: true, incomplete: true })
    expect(toolPart(view, 'a1', 'c1')).toMatchObject({ streaming: true, incomplete: true, status: 'pending' })
    expect(toolPart(view, 'a1', 'c2')).toMatchObject({ streaming: false, incomplete: false, status: 'running' })
    expect(textPart(view, 'a1', 'reasoning:r0')).toMatchObject({ streaming: false, incomplete: false })
    expect(assistant(view, 'a1').status).toBe('streaming')
    expect(messageOf(view, 'k1', 'compaction')).toMatchObject({ status: 'streaming', incomplete: true })
    expect(messageOf(view, 'sh1', 'shell').status).toBe('running')
  })

  it('later deltas still append, and the end event clears incomplete', () => {
    let view = foldEvents([...openTurn(), activity('running', 11)])
    view = foldEvent(view, live('session.next.text.delta', { assistantMessageID: 'a1', textID: 't0', delta: 'tial' }))
    expect(textPart(view, 'a1', 'text:t0')).toMatchObject({ text: 'partial', incomplete: true })
    view = foldEvent(view, durable('session.next.text.ended', { assistantMessageID: 'a1', textID: 't0', text: 'partial!' }, 12))
    expect(textPart(view, 'a1', 'text:t0')).toMatchObject({ text: 'partial!', streaming: false, incomplete: false })
    view = foldEvent(view, durable('session.next.tool.input.ended', { assistantMessageID: 'a1', callID: 'c1', text: '{}' }, 13))
    expect(toolPart(view, 'a1', 'c1')).toMatchObject({ inputText: '{}', streaming: false, incomplete: false })
  })

  it('an idle snapshot closes every open part and interrupts streaming messages', () => {
    const view = foldEvents([...openTurn(), activity('idle', 11)])
    expect(assistant(view, 'a1').status).toBe('interrupted')
    expect(textPart(view, 'a1', 'text:t0')).toMatchObject({ text: 'par', streaming: false, incomplete: true })
    // Pending (input streaming) and running (called, no result) tools are interrupted.
    expect(toolPart(view, 'a1', 'c1')).toMatchObject({ status: 'interrupted', streaming: false, incomplete: true })
    expect(toolPart(view, 'a1', 'c2')).toMatchObject({ status: 'interrupted', streaming: false, incomplete: true, structured: { pct: 50 } })
    // What had ended is untouched.
    expect(textPart(view, 'a1', 'reasoning:r0')).toMatchObject({ text: 'done', streaming: false, incomplete: false })
    expect(toolPart(view, 'a1', 'c3')).toMatchObject({ status: 'success', incomplete: false })
    expect(messageOf(view, 'sh1', 'shell').status).toBe('interrupted')
    expect(messageOf(view, 'k1', 'compaction')).toMatchObject({ text: 'sum', status: 'interrupted', incomplete: true })
  })

  it('idle also closes open parts of messages that are no longer streaming', () => {
    // A step that ended, then got a part: nothing but idle would ever close it.
    const view = foldEvents([
      step('a1', 1),
      durable('session.next.step.ended', { assistantMessageID: 'a1', finish: 'stop', cost: 0, tokens: tokens() }, 2),
      durable('session.next.text.started', { assistantMessageID: 'a1', textID: 't0' }, 3),
      activity('idle', 3),
    ])
    expect(assistant(view, 'a1').status).toBe('completed')
    expect(textPart(view, 'a1', 'text:t0')).toMatchObject({ streaming: false, incomplete: true })
  })

  it('a snapshot that changes nothing returns the same view', () => {
    const view = foldEvents([prompted('u1', 1), activity('idle', 1)])
    expect(foldEvent(view, activity('idle', 1))).toBe(view)
    const settled = foldEvents([
      step('a1', 1),
      durable('session.next.text.ended', { assistantMessageID: 'a1', textID: 't0', text: 'x' }, 2),
      activity('running', 2),
    ])
    expect(foldEvent(settled, activity('running', 2))).toBe(settled)
  })
})

describe('what a snapshot costs', () => {
  /**
   * A view of `settled` finished turns and one step still streaming, whose settled messages
   * count every property read, so a test can see which messages a fold visits.
   */
  function watched(settled: number) {
    const script = new Script()
    for (let turn = 0; turn < settled; turn++) scriptedTurn(script, turn)
    script.durable('session.next.prompted', { messageID: 'u-open', prompt: { text: 'go' }, delivery: 'steer' })
    script.durable('session.next.step.started', { assistantMessageID: 'a-open', agent: 'build', model })
    script.durable('session.next.text.started', { assistantMessageID: 'a-open', textID: 't' })
    const plain = foldEvents(script.events)
    let reads = 0
    const count = (message: Message): Message =>
      new Proxy(message, {
        get(target, key, receiver) {
          reads++
          return Reflect.get(target, key, receiver) as unknown
        },
      })
    const messages = plain.messages.map((message, i) => (i < plain.messages.length - 1 ? count(message) : message))
    const view: SessionView = { ...plain, messages }
    return { view, cursor: script.lastSeq, reads: () => reads, reset: () => (reads = 0) }
  }

  it.each([10, 200])('after the first snapshot, later ones read no settled message (%i settled turns)', (turns) => {
    const session = watched(turns)
    // A view built by hand has no streaming floor yet: its first snapshot looks at everything.
    const first = foldEvent(session.view, activity('running', session.cursor))
    expect(session.reads()).toBeGreaterThan(0)
    session.reset()

    let view = foldEvent(first, live('session.next.text.delta', { assistantMessageID: 'a-open', textID: 't', delta: 'x' }))
    view = foldEvent(view, activity('running', session.cursor))
    view = foldEvent(view, step('a-next', session.cursor + 1))
    view = foldEvent(view, activity('idle', session.cursor + 1))
    expect(session.reads()).toBe(0)

    // What was open was closed; the settled messages are the very same objects.
    expect(assistant(view, 'a-open')).toMatchObject({ status: 'interrupted' })
    expect(textPart(view, 'a-open', 'text:t')).toMatchObject({ text: 'x', incomplete: true })
    expect(assistant(view, 'a-next').status).toBe('interrupted')
    const settled = session.view.messages.length - 1
    for (let i = 0; i < settled; i++) expect(view.messages[i]).toBe(session.view.messages[i])
  })
})
