import type { DurableEventType, LiveEventType, ModelRef } from '../../src/protocol/index.js'
import type { IdSource } from './clock.js'
import type { ToolScript, TurnInput } from './control-schemas.js'
import type { EventInput } from './envelope.js'

/** Where a scripted turn writes; the engine stamps, commits, publishes and runs the coordinator. */
export interface TurnSink {
  commit<T extends DurableEventType>(type: T, data: EventInput<T>): void
  publish<T extends Exclude<LiveEventType, 'session.activity'>>(type: T, data: EventInput<T>): void
  beginRun(): void
  endRun(): void
}

/** One step of a turn; a `paced` step waits `intervalMs` before it runs. */
export interface TurnStep {
  readonly paced: boolean
  readonly run: (sink: TurnSink) => void
}

export interface TurnScript {
  /** The user message the prompt becomes. */
  readonly messageID: string
  /** One per model step, in order: a turn with tools has two (the calls, then the answer). */
  readonly assistantMessageIDs: readonly string[]
  /** The last step's: the message that holds the answer text. */
  readonly assistantMessageID: string
  readonly steps: readonly TurnStep[]
}

const AGENT = 'build'
/** The model a session's steps name unless it was created with one. */
export const MOCK_MODEL: ModelRef = { id: 'mock-1', providerID: 'mock' }
/** The scripted model "runs" its tools itself, as opencode's own tools are (not the provider's). */
const PROVIDER = { executed: false } as const

/** Splits by code point, so a delta never carries half a surrogate pair. */
const chunks = (text: string, size: number): string[] => {
  const points = Array.from(text)
  const out: string[] = []
  for (let index = 0; index < points.length; index += size) out.push(points.slice(index, index + size).join(''))
  return out
}
const length = (text: string): number => Array.from(text).length

type Run = (sink: TurnSink) => void

/**
 * Builds the whole event script of one turn up front, shaped like opencode 1.18.34's own
 * (test/fixtures/opencode-1.18.34): the prompt, then one step with the reasoning and text,
 * or, with tools, a step with the reasoning and the calls (`finish: 'tool-calls'`) and a
 * second step, a new assistant message, with the answer. Pure: tests can run it against
 * a recording sink. Every `*.ended` text is the concatenation of its deltas.
 */
export function buildTurnScript(input: TurnInput, ids: IdSource, model: ModelRef = MOCK_MODEL): TurnScript {
  const size = input.chunk ?? 3
  const steps: TurnStep[] = []
  const assistantMessageIDs: string[] = []
  let afterLive = false

  // Deltas are paced, and so is the first step after any live event: a caught-up client
  // then sees the live event before the next row. A lagging one may still see the row
  // first, since the server drains committed rows before each live event.
  const live = (run: Run): void => {
    steps.push({ paced: true, run })
    afterLive = true
  }
  const step = (run: Run): void => {
    steps.push({ paced: afterLive, run })
    afterLive = false
  }
  /** A started row, one live delta per chunk, and an ended row holding the whole text. */
  const stream = (text: string, started: Run, delta: (piece: string) => Run, ended: Run): void => {
    step(started)
    for (const piece of chunks(text, size)) live(delta(piece))
    step(ended)
  }
  type Tokens = { input: number; output: number; reasoning: number }
  const modelStep = (finish: string, tokens: Tokens, body: (assistantMessageID: string) => void): void => {
    const assistantMessageID = ids.next('msg')
    assistantMessageIDs.push(assistantMessageID)
    step((sink) => sink.commit('session.next.step.started', { assistantMessageID, agent: AGENT, model }))
    body(assistantMessageID)
    const cost = (tokens.input + tokens.output + tokens.reasoning) / 1_000_000
    const ended = { assistantMessageID, finish, cost, tokens: { ...tokens, cache: { read: 0, write: 0 } } }
    step((sink) => sink.commit('session.next.step.ended', ended))
  }
  const reasoning = (assistantMessageID: string): void => {
    if (input.reasoning === undefined) return
    const part = { assistantMessageID, reasoningID: 'reasoning-0' }
    const text = input.reasoning
    stream(
      text,
      (sink) => sink.commit('session.next.reasoning.started', part),
      (delta) => (sink) => sink.publish('session.next.reasoning.delta', { ...part, delta }),
      (sink) => sink.commit('session.next.reasoning.ended', { ...part, text }),
    )
  }
  const answer = (assistantMessageID: string): void => {
    const part = { assistantMessageID, textID: 'text-0' }
    stream(
      input.text,
      (sink) => sink.commit('session.next.text.started', part),
      (delta) => (sink) => sink.publish('session.next.text.delta', { ...part, delta }),
      (sink) => sink.commit('session.next.text.ended', { ...part, text: input.text }),
    )
  }
  /** Input streamed as JSON, the call, one progress row, then the outcome. */
  const toolCall = (assistantMessageID: string, tool: ToolScript): void => {
    const call = { assistantMessageID, callID: ids.next('call') }
    const args = tool.input ?? {}
    const text = JSON.stringify(args)
    stream(
      text,
      (sink) => sink.commit('session.next.tool.input.started', { ...call, name: tool.name }),
      (delta) => (sink) => sink.publish('session.next.tool.input.delta', { ...call, delta }),
      (sink) => sink.commit('session.next.tool.input.ended', { ...call, text }),
    )
    step((sink) => sink.commit('session.next.tool.called', { ...call, tool: tool.name, input: args, provider: PROVIDER }))
    step((sink) => sink.commit('session.next.tool.progress', { ...call, structured: { title: tool.name }, content: [] }))
    const { output } = tool
    step((sink) =>
      tool.fail === true
        ? sink.commit('session.next.tool.failed', { ...call, error: { type: 'unknown', message: output }, provider: PROVIDER })
        : sink.commit('session.next.tool.success', {
            ...call,
            structured: { output },
            content: [{ type: 'text', text: output }],
            outputPaths: [],
            provider: PROVIDER,
          }),
    )
  }

  const messageID = ids.next('msg')
  const prompt = { messageID, prompt: { text: input.prompt }, delivery: 'steer' } as const
  step((sink) => sink.commit('session.next.prompt.admitted', prompt))
  step((sink) => sink.commit('session.next.prompted', prompt))
  step((sink) => sink.beginRun())

  const tools = input.tools ?? []
  const thought = length(input.reasoning ?? '')
  if (tools.length === 0) {
    modelStep('stop', { input: length(input.prompt), output: length(input.text), reasoning: thought }, (id) => {
      reasoning(id)
      answer(id)
    })
  } else {
    const called = tools.reduce((sum, tool) => sum + length(JSON.stringify(tool.input ?? {})), 0)
    modelStep('tool-calls', { input: length(input.prompt), output: called, reasoning: thought }, (id) => {
      reasoning(id)
      for (const tool of tools) toolCall(id, tool)
    })
    // The answer step reads the prompt and every tool's output.
    const read = tools.reduce((sum, tool) => sum + length(tool.output), length(input.prompt))
    modelStep('stop', { input: read, output: length(input.text), reasoning: 0 }, answer)
  }
  step((sink) => sink.endRun())
  return { messageID, assistantMessageIDs, assistantMessageID: assistantMessageIDs.at(-1) ?? '', steps }
}
