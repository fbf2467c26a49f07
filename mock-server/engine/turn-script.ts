import type { DurableEventType, EventData, LiveEventType } from '../../src/protocol/index.js'
import type { IdSource } from './clock.js'
import type { TurnInput } from './control-schemas.js'

/** Where a scripted turn writes; the engine commits, publishes and runs the coordinator. */
export interface TurnSink {
  commit<T extends DurableEventType>(type: T, data: EventData<T>): void
  publish<T extends LiveEventType>(type: T, data: EventData<T>): void
  beginRun(): void
  endRun(): void
}

/** One step of a turn; `paced` steps (the deltas) wait `intervalMs` before running. */
export interface TurnStep {
  readonly paced: boolean
  readonly run: (sink: TurnSink) => void
}

export interface TurnScript {
  readonly assistantMessageID: string
  readonly steps: readonly TurnStep[]
}

const MODEL = { providerID: 'mock', modelID: 'mock-1' } as const

/** Splits by code point, so a delta never carries half a surrogate pair. */
const chunks = (text: string, size: number): string[] => {
  const points = Array.from(text)
  const out: string[] = []
  for (let index = 0; index < points.length; index += size) out.push(points.slice(index, index + size).join(''))
  return out
}

const step = (run: (sink: TurnSink) => void, paced = false): TurnStep => ({ paced, run })

/**
 * Builds the whole event script of one turn up front. Pure: tests can run it against
 * a recording sink. Every `*.ended` text is the concatenation of its deltas.
 */
export function buildTurnScript(sessionID: string, input: TurnInput, ids: IdSource): TurnScript {
  const size = input.chunk ?? 3
  const assistantMessageID = ids.next('msg')
  const message = { sessionID, assistantMessageID }
  const steps: TurnStep[] = []
  let ordinal = 0

  const streamPart = (kind: 'text' | 'reasoning', text: string): void => {
    const part = { ...message, ordinal: ordinal++ }
    steps.push(step((sink) => sink.commit(`session.${kind}.started`, part)))
    for (const delta of chunks(text, size)) {
      steps.push(step((sink) => sink.publish(`session.${kind}.delta`, { ...part, delta }), true))
    }
    steps.push(step((sink) => sink.commit(`session.${kind}.ended`, { ...part, text })))
  }

  const messageID = ids.next('msg')
  steps.push(step((sink) => sink.commit('session.inbox.enqueued', { sessionID, messageID, text: input.prompt })))
  steps.push(step((sink) => sink.commit('session.execution.started', { sessionID })))
  steps.push(step((sink) => sink.beginRun()))
  steps.push(step((sink) => sink.commit('session.step.started', { ...message, agent: 'build', model: MODEL })))
  if (input.reasoning !== undefined) streamPart('reasoning', input.reasoning)
  streamPart('text', input.text)

  for (const tool of input.tools ?? []) {
    const call = { ...message, id: ids.next('call') }
    const toolInput = tool.input ?? {}
    const inputText = JSON.stringify(toolInput)
    steps.push(step((sink) => sink.commit('session.tool.input.started', { ...call, name: tool.name })))
    for (const delta of chunks(inputText, size)) {
      steps.push(step((sink) => sink.publish('session.tool.input.delta', { ...call, delta }), true))
    }
    steps.push(step((sink) => sink.commit('session.tool.input.ended', { ...call, text: inputText })))
    steps.push(step((sink) => sink.commit('session.tool.called', { ...call, input: toolInput })))
    steps.push(step((sink) => sink.publish('session.tool.progress', { ...call, metadata: { title: tool.name } })))
    steps.push(
      step((sink) =>
        tool.fail === true
          ? sink.commit('session.tool.failed', { ...call, error: { message: tool.output } })
          : sink.commit('session.tool.success', { ...call, content: [{ type: 'text', text: tool.output }] }),
      ),
    )
  }

  const tokens = {
    input: Array.from(input.prompt).length,
    output: Array.from(input.text).length,
    reasoning: Array.from(input.reasoning ?? '').length,
  }
  const cost = (tokens.input + tokens.output + tokens.reasoning) / 1_000_000
  steps.push(step((sink) => sink.publish('session.usage.updated', { ...message, cost, tokens })))
  steps.push(step((sink) => sink.commit('session.step.ended', { ...message, finish: 'stop', cost, tokens })))
  steps.push(step((sink) => sink.commit('session.execution.succeeded', { sessionID })))
  steps.push(step((sink) => sink.endRun()))
  return { assistantMessageID, steps }
}
