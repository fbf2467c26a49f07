import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isLive, type SessionEvent } from '../../src/protocol/index.js'
import { foldEvents } from '../../src/view/fold.js'
import { activity, durableOnly, Script, scriptedTurn } from './fixtures.js'

/*
 * The view must be a function of the durable log plus the final activity snapshot: live
 * fragments may be lost on any reconnect, so whatever they contributed has to be
 * overwritten or cleared by the durable events that end them.
 */

const twoTurns = (): SessionEvent[] => scriptedTurn(scriptedTurn(new Script(), 0), 1).events

describe('live events do not change the settled view', () => {
  it.each(['idle', 'running'] as const)('scripted turns with deltas/progress/usage == durable only (+ %s)', (status) => {
    const all = twoTurns()
    expect(all.some(isLive)).toBe(true)
    const final = activity(status, 100)
    expect(foldEvents([...all, final])).toStrictEqual(foldEvents([...durableOnly(all), final]))
  })

  it('also when some live events are lost and snapshots arrive mid-turn', () => {
    const all = twoTurns()
    let n = 0
    const faulty = all.flatMap((event): SessionEvent[] => {
      if (!isLive(event)) return n++ % 5 === 2 ? [activity(n % 2 === 0 ? 'idle' : 'running'), event] : [event]
      return n++ % 3 === 0 ? [] : [event]
    })
    const final = activity('idle', 100)
    expect(foldEvents([...faulty, final])).toStrictEqual(foldEvents([...durableOnly(all), final]))
  })
})

// ---- property: random turns, random live losses, random snapshots --------------------

interface TextSpec {
  readonly kind: 'text' | 'reasoning'
  readonly chunks: readonly string[]
}
interface ToolSpec {
  readonly kind: 'tool'
  readonly chunks: readonly string[]
  readonly progress: readonly number[]
  readonly outcome: 'success' | 'failed'
}
interface TurnSpec {
  readonly parts: readonly (TextSpec | ToolSpec)[]
  readonly usage: readonly number[]
  readonly retries: number
  readonly step: 'ended' | 'failed'
  readonly execution: 'succeeded' | 'failed' | 'interrupted'
}

const chunks = fc.array(fc.string({ maxLength: 4 }), { maxLength: 4 })
const textSpec: fc.Arbitrary<TextSpec> = fc.record({ kind: fc.constantFrom('text', 'reasoning'), chunks })
const toolSpec: fc.Arbitrary<ToolSpec> = fc.record({
  kind: fc.constant('tool'),
  chunks,
  progress: fc.array(fc.nat(100), { maxLength: 3 }),
  outcome: fc.constantFrom('success', 'failed'),
})
const turnSpec: fc.Arbitrary<TurnSpec> = fc.record({
  parts: fc.array(fc.oneof(textSpec, toolSpec), { maxLength: 4 }),
  usage: fc.array(fc.nat(100), { maxLength: 3 }),
  retries: fc.nat(2),
  step: fc.constantFrom('ended', 'failed'),
  execution: fc.constantFrom('succeeded', 'failed', 'interrupted'),
})

/** Builds the full stream of one turn; every part is ended, so nothing live is left open. */
function buildTurn(script: Script, spec: TurnSpec, turn: number): void {
  const a = `msg_a${turn}`
  const tokens = { input: 1, output: 2 }
  script
    .durable('session.inbox.enqueued', { messageID: `msg_u${turn}`, text: `prompt ${turn}` })
    .durable('session.execution.started', {})
    .durable('session.step.started', { assistantMessageID: a, agent: 'build' })
  for (let r = 0; r < spec.retries; r++) {
    script.durable('session.retry.scheduled', { assistantMessageID: a, attempt: r + 1, at: r, error: { message: 'busy' } })
  }
  const usage = [...spec.usage]
  spec.parts.forEach((part, ordinal) => {
    if (part.kind === 'tool') {
      const id = `call_${turn}_${ordinal}`
      script.durable('session.tool.input.started', { assistantMessageID: a, id, name: 'tool' })
      for (const delta of part.chunks) script.live('session.tool.input.delta', { id, delta })
      script
        .durable('session.tool.input.ended', { id, text: part.chunks.join('') })
        .durable('session.tool.called', { id, input: { n: ordinal } })
      for (const metadata of part.progress) script.live('session.tool.progress', { id, metadata })
      if (part.outcome === 'success') script.durable('session.tool.success', { id, content: [{ type: 'text', text: 'ok' }] })
      else script.durable('session.tool.failed', { id, error: { message: 'no' } })
    } else {
      const ids = { assistantMessageID: a, ordinal }
      script.durable(`session.${part.kind}.started`, ids)
      for (const delta of part.chunks) script.live(`session.${part.kind}.delta`, { ...ids, delta })
      script.durable(`session.${part.kind}.ended`, { ...ids, text: part.chunks.join('') })
    }
    const cost = usage.shift()
    if (cost !== undefined) script.live('session.usage.updated', { cost, tokens })
  })
  if (spec.step === 'ended') script.durable('session.step.ended', { assistantMessageID: a, finish: 'stop', cost: 1, tokens })
  else script.durable('session.step.failed', { assistantMessageID: a, error: { message: 'step failed' } })
  if (spec.execution === 'succeeded') script.durable('session.execution.succeeded', {})
  else if (spec.execution === 'failed') script.durable('session.execution.failed', { error: { message: 'x' } })
  else script.durable('session.execution.interrupted', { reason: 'user' })
}

interface Fault {
  /** Whether a live event at this position survives. */
  readonly keep: boolean
  /** A snapshot the client saw just before this event (after a reconnect, say). */
  readonly snapshot: 'idle' | 'running' | undefined
}

const fault: fc.Arbitrary<Fault> = fc.record({
  keep: fc.boolean(),
  snapshot: fc.option(fc.constantFrom('idle', 'running'), { nil: undefined, freq: 6 }),
})

const scenario = fc
  .tuple(fc.array(turnSpec, { minLength: 1, maxLength: 4 }), fc.constantFrom('idle', 'running'))
  .chain(([turns, final]) => {
    const script = new Script()
    turns.forEach((spec, turn) => buildTurn(script, spec, turn))
    const events = script.events
    const faults = fc.array(fault, { minLength: events.length, maxLength: events.length })
    return fc.tuple(fc.constant(events), faults, fc.constant(final))
  })

function applyFaults(events: readonly SessionEvent[], faults: readonly Fault[]): SessionEvent[] {
  return events.flatMap((event, i): SessionEvent[] => {
    const f = faults[i]
    const before = f?.snapshot === undefined ? [] : [activity(f.snapshot)]
    const kept = isLive(event) && f?.keep === false ? [] : [event]
    return [...before, ...kept]
  })
}

const seed = process.env['FC_SEED']
const params = { numRuns: 300, ...(seed === undefined ? {} : { seed: Number(seed) }) }

describe('property', () => {
  it('after every part has ended, the view equals the durable-only fold', () => {
    fc.assert(
      fc.property(scenario, ([events, faults, final]) => {
        const client = foldEvents([...applyFaults(events, faults), activity(final)])
        const replay = foldEvents([...durableOnly(events), activity(final)])
        expect(client).toStrictEqual(replay)
      }),
      params,
    )
  })

  it('folding in arbitrary frames equals folding in one call', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.nat(6), { maxLength: 30 }), ([events], sizes) => {
        let framed = foldEvents([])
        let at = 0
        for (const size of sizes) {
          framed = foldEvents(events.slice(at, at + size), framed)
          at += size
        }
        framed = foldEvents(events.slice(at), framed)
        expect(framed).toStrictEqual(foldEvents(events))
      }),
      params,
    )
  })
})
