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

/** One step of a turn; a `paced` step waits `intervalMs` before it runs. */
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

/**
 * Builds the whole event script of one turn up front. Pure: tests can run it against
 * a recording sink. Every `*.ended` text is the concatenation of its deltas.
 */
export function buildTurnScript(sessionID: string, input: TurnInput, ids: IdSource): TurnScript {
  const size = input.chunk ?? 3
  const assistantMessageID = ids.next('msg')
  const message = { sessionID, assistantMessageID }
  const steps: TurnStep[] = []
  let afterLive = false
  let ordinal = 0

  // Deltas are paced, and so is the first step after any live event: a caught-up client
  // then sees the live event before the next row. A lagging one may still see the row
  // first, since the server drains committed rows before each live event.
  const live = (run: (sink: TurnSink) => void, paced: boolean): void => {
    steps.push({ paced, run })
    afterLive = true
  }
  const step = (run: (sink: TurnSink) => void): void => {
    steps.push({ paced: afterLive, run })
    afterLive = false
  }

  const streamPart = (kind: 'text' | 'reasoning', text: string): void => {
    const part = { ...message, ordinal: ordinal++ }
    step((sink) => sink.commit(`session.${kind}.started`, part))
    for (const delta of chunks(text, size)) live((sink) => sink.publish(`session.${kind}.delta`, { ...part, delta }), true)
    step((sink) => sink.commit(`session.${kind}.ended`, { ...part, text }))
  }

  const messageID = ids.next('msg')
  step((sink) => sink.commit('session.inbox.enqueued', { sessionID, messageID, text: input.prompt }))
  step((sink) => sink.commit('session.execution.started', { sessionID }))
  step((sink) => sink.beginRun())
  step((sink) => sink.commit('session.step.started', { ...message, agent: 'build', model: MODEL }))
  if (input.reasoning !== undefined) streamPart('reasoning', input.reasoning)
  streamPart('text', input.text)

  for (const tool of input.tools ?? []) {
    const call = { ...message, id: ids.next('call') }
    const toolInput = tool.input ?? {}
    const inputText = JSON.stringify(toolInput)
    step((sink) => sink.commit('session.tool.input.started', { ...call, name: tool.name }))
    for (const delta of chunks(inputText, size)) live((sink) => sink.publish('session.tool.input.delta', { ...call, delta }), true)
    step((sink) => sink.commit('session.tool.input.ended', { ...call, text: inputText }))
    step((sink) => sink.commit('session.tool.called', { ...call, input: toolInput }))
    live((sink) => sink.publish('session.tool.progress', { ...call, metadata: { title: tool.name } }), false)
    step((sink) =>
      tool.fail === true
        ? sink.commit('session.tool.failed', { ...call, error: { message: tool.output } })
        : sink.commit('session.tool.success', { ...call, content: [{ type: 'text', text: tool.output }] }),
    )
  }

  const tokens = {
    input: Array.from(input.prompt).length,
    output: Array.from(input.text).length,
    reasoning: Array.from(input.reasoning ?? '').length,
  }
  const cost = (tokens.input + tokens.output + tokens.reasoning) / 1_000_000
  live((sink) => sink.publish('session.usage.updated', { ...message, cost, tokens }), false)
  step((sink) => sink.commit('session.step.ended', { ...message, finish: 'stop', cost, tokens }))
  step((sink) => sink.commit('session.execution.succeeded', { sessionID }))
  step((sink) => sink.endRun())
  return { assistantMessageID, steps }
}
