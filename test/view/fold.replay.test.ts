import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isLive, type SessionEvent } from '../../src/protocol/index.js'
import { foldEvents } from '../../src/view/fold.js'
import { activity, durableOnly, model, provider, Script, scriptedTurn, tokens } from './fixtures.js'

/*
 * The view must be a function of the durable log plus the final activity snapshot: live
 * fragments may be lost on any reconnect, and snapshots may arrive at any point, so whatever
 * they contributed has to be overwritten or cleared by the durable events that end them.
 */

const twoTurns = (): SessionEvent[] => scriptedTurn(scriptedTurn(new Script(), 0), 1).events

describe('live events do not change the settled view', () => {
  it.each(['idle', 'running'] as const)('scripted turns with deltas == durable only (+ %s)', (status) => {
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
    expect(faulty.filter(isLive).length).toBeGreaterThan(0)
    const final = activity('idle', 100)
    expect(foldEvents([...faulty, final])).toStrictEqual(foldEvents([...durableOnly(all), final]))
  })
})

// ---- property: random sessions, random live losses, random snapshots ---------------------

interface TextSpec {
  readonly kind: 'text' | 'reasoning'
  readonly chunks: readonly string[]
}
interface ToolSpec {
  readonly kind: 'tool'
  /** Input deltas; without them the call is known from `tool.called` alone. */
  readonly chunks: readonly string[] | undefined
  readonly progress: readonly number[]
  readonly outcome: 'success' | 'failed'
}
interface StepSpec {
  readonly parts: readonly (TextSpec | ToolSpec)[]
  readonly end: 'ended' | 'failed'
}
type Aside =
  | { readonly kind: 'synthetic' | 'context' | 'agent' | 'model' | 'moved' }
  | { readonly kind: 'shell'; readonly output: string }
  | { readonly kind: 'compaction'; readonly chunks: readonly string[] }
interface TurnSpec {
  readonly prompt: 'admitted' | 'prompted' | 'both'
  readonly asides: readonly Aside[]
  readonly retries: number
  readonly steps: readonly StepSpec[]
  readonly revert: 'none' | 'staged' | 'cleared' | 'committed'
}

const chunks = fc.array(fc.string({ maxLength: 4 }), { maxLength: 4 })
const textSpec: fc.Arbitrary<TextSpec> = fc.record({ kind: fc.constantFrom('text', 'reasoning'), chunks })
const toolSpec: fc.Arbitrary<ToolSpec> = fc.record({
  kind: fc.constant('tool'),
  chunks: fc.option(chunks, { nil: undefined, freq: 4 }),
  progress: fc.array(fc.nat(100), { maxLength: 3 }),
  outcome: fc.constantFrom('success', 'failed'),
})
const stepSpec: fc.Arbitrary<StepSpec> = fc.record({
  parts: fc.array(fc.oneof(textSpec, toolSpec), { maxLength: 4 }),
  end: fc.constantFrom('ended', 'failed'),
})
const aside: fc.Arbitrary<Aside> = fc.oneof(
  fc.record({ kind: fc.constantFrom('synthetic', 'context', 'agent', 'model', 'moved') }),
  fc.record({ kind: fc.constant('shell'), output: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('compaction'), chunks }),
)
const turnSpec: fc.Arbitrary<TurnSpec> = fc.record({
  prompt: fc.constantFrom('admitted', 'prompted', 'both'),
  asides: fc.array(aside, { maxLength: 2 }),
  retries: fc.nat(2),
  steps: fc.array(stepSpec, { minLength: 1, maxLength: 2 }),
  revert: fc.constantFrom('none', 'none', 'staged', 'cleared', 'committed'),
})

function buildAside(script: Script, spec: Aside, id: string): void {
  switch (spec.kind) {
    case 'synthetic':
      script.durable('session.next.synthetic', { messageID: id, text: 'note' })
      return
    case 'context':
      script.durable('session.next.context.updated', { messageID: id, text: 'ctx' })
      return
    case 'agent':
      script.durable('session.next.agent.switched', { messageID: id, agent: `agent-${id}` })
      return
    case 'model':
      script.durable('session.next.model.switched', { messageID: id, model: { id, providerID: 'p' } })
      return
    case 'moved':
      script.durable('session.next.moved', { location: { directory: `/w/${id}` } })
      return
    case 'shell':
      script
        .durable('session.next.shell.started', { messageID: id, callID: `sh_${id}`, command: 'ls' })
        .durable('session.next.shell.ended', { callID: `sh_${id}`, output: spec.output })
      return
    case 'compaction':
      script.durable('session.next.compaction.started', { messageID: id, reason: 'auto' })
      for (const text of spec.chunks) script.live('session.next.compaction.delta', { messageID: id, text })
      script.durable('session.next.compaction.ended', { messageID: id, reason: 'auto', text: spec.chunks.join(''), recent: [] })
  }
}

function buildStep(script: Script, spec: StepSpec, a: string): void {
  script.durable('session.next.step.started', { assistantMessageID: a, agent: 'build', model })
  spec.parts.forEach((part, i) => {
    const id = `p${i}`
    if (part.kind === 'tool') {
      const callID = `${a}_call${i}`
      if (part.chunks !== undefined) {
        script.durable('session.next.tool.input.started', { assistantMessageID: a, callID, name: 'tool' })
        for (const delta of part.chunks) script.live('session.next.tool.input.delta', { assistantMessageID: a, callID, delta })
        script.durable('session.next.tool.input.ended', { assistantMessageID: a, callID, text: part.chunks.join('') })
      }
      script.durable('session.next.tool.called', { assistantMessageID: a, callID, tool: 'tool', input: { i }, provider })
      for (const n of part.progress) {
        script.durable('session.next.tool.progress', { assistantMessageID: a, callID, structured: { n }, content: [] })
      }
      if (part.outcome === 'success') {
        script.durable('session.next.tool.success', {
          assistantMessageID: a,
          callID,
          structured: { ok: true },
          content: [{ type: 'text', text: 'ok' }],
          provider,
        })
      } else {
        script.durable('session.next.tool.failed', { assistantMessageID: a, callID, error: { type: 'unknown', message: 'no' }, provider })
      }
    } else if (part.kind === 'text') {
      script.durable('session.next.text.started', { assistantMessageID: a, textID: id })
      for (const delta of part.chunks) script.live('session.next.text.delta', { assistantMessageID: a, textID: id, delta })
      script.durable('session.next.text.ended', { assistantMessageID: a, textID: id, text: part.chunks.join('') })
    } else {
      script.durable('session.next.reasoning.started', { assistantMessageID: a, reasoningID: id })
      for (const delta of part.chunks) script.live('session.next.reasoning.delta', { assistantMessageID: a, reasoningID: id, delta })
      script.durable('session.next.reasoning.ended', { assistantMessageID: a, reasoningID: id, text: part.chunks.join('') })
    }
  })
  if (spec.end === 'ended') {
    script.durable('session.next.step.ended', { assistantMessageID: a, finish: 'stop', cost: 1, tokens: tokens() })
  } else {
    script.durable('session.next.step.failed', { assistantMessageID: a, error: { type: 'unknown', message: 'step failed' } })
  }
}

/** Builds the full stream of one turn; everything that starts also ends. */
function buildTurn(script: Script, spec: TurnSpec, turn: number): void {
  const user = `u${turn}`
  const prompt = { text: `prompt ${turn}` }
  if (spec.prompt !== 'prompted') script.durable('session.next.prompt.admitted', { messageID: user, prompt, delivery: 'queue' })
  if (spec.prompt !== 'admitted') script.durable('session.next.prompted', { messageID: user, prompt, delivery: 'queue' })
  spec.asides.forEach((a, i) => buildAside(script, a, `x${turn}_${i}`))
  for (let r = 0; r < spec.retries; r++) {
    script.durable('session.next.retried', { attempt: r + 1, error: { message: 'busy', isRetryable: true } })
  }
  spec.steps.forEach((step, s) => buildStep(script, step, `a${turn}_${s}`))
  if (spec.revert === 'none') return
  script.durable('session.next.revert.staged', { revert: { messageID: user } })
  if (spec.revert === 'cleared') script.durable('session.next.revert.cleared', {})
  if (spec.revert === 'committed') script.durable('session.next.revert.committed', { messageID: user })
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
      fc.property(scenario, fc.array(fc.nat(6), { maxLength: 30 }), ([events, faults], sizes) => {
        const stream = applyFaults(events, faults)
        let framed = foldEvents([])
        let at = 0
        for (const size of sizes) {
          framed = foldEvents(stream.slice(at, at + size), framed)
          at += size
        }
        framed = foldEvents(stream.slice(at), framed)
        expect(framed).toStrictEqual(foldEvents(stream))
      }),
      params,
    )
  })
})
