import type { ErrorInfo, Tokens, ToolContent } from '../protocol/events.js'
import type { INTERRUPT_REASONS } from '../protocol/constants.js'

/** `unknown` until the first `session.activity` snapshot arrives. */
export type ActivityStatus = 'unknown' | 'idle' | 'running'
export type InterruptReason = (typeof INTERRUPT_REASONS)[number]

export interface ModelRef {
  readonly providerID: string
  readonly modelID: string
}

export interface SessionInfo {
  readonly title: string | undefined
  readonly parentID: string | undefined
  readonly agent: string | undefined
  readonly model: ModelRef | undefined
  /** `created` of the `session.created` event, epoch ms. */
  readonly createdAt: number | undefined
  readonly deleted: boolean
}

export type ExecutionStatus = 'none' | 'running' | 'succeeded' | 'failed' | 'interrupted'

export interface ExecutionState {
  readonly status: ExecutionStatus
  readonly error: ErrorInfo | undefined
  readonly reason: InterruptReason | undefined
}

interface StreamedPart {
  /** Unique within its message: `text:<ordinal>`, `reasoning:<ordinal>`, `tool:<id>`. */
  readonly key: string
  /** True between the part's start and its end event. */
  readonly streaming: boolean
  /**
   * True when some of this part's live fragments may have been lost (it was open when a
   * snapshot arrived, or its run ended without an end event). Cleared by the end event,
   * which carries the authoritative full value.
   */
  readonly incomplete: boolean
}

export interface TextPart extends StreamedPart {
  readonly type: 'text' | 'reasoning'
  readonly ordinal: number
  readonly text: string
}

export type ToolStatus = 'pending' | 'running' | 'success' | 'failed' | 'interrupted'

export interface ToolPart extends StreamedPart {
  readonly type: 'tool'
  readonly id: string
  readonly name: string
  /** Raw input text as streamed, then the authoritative text from `tool.input.ended`. */
  readonly inputText: string
  /** Parsed input from `tool.called`; undefined before it. */
  readonly input: unknown
  readonly status: ToolStatus
  readonly output: readonly ToolContent[] | undefined
  readonly error: ErrorInfo | undefined
  /** Live-only progress metadata; cleared when the tool finishes. */
  readonly progress: unknown
}

export type Part = TextPart | ToolPart

export interface Retry {
  readonly attempt: number
  readonly at: number
  readonly error: ErrorInfo
}

export interface Usage {
  readonly cost: number
  readonly tokens: Tokens
}

export interface UserMessage {
  readonly role: 'user'
  readonly id: string
  readonly created: number
  readonly text: string
}

export type AssistantStatus = 'streaming' | 'completed' | 'failed' | 'interrupted'

export interface AssistantMessage {
  readonly role: 'assistant'
  readonly id: string
  readonly created: number
  readonly agent: string | undefined
  readonly model: ModelRef | undefined
  readonly status: AssistantStatus
  readonly parts: readonly Part[]
  /** From `session.step.ended` (durable). */
  readonly finish: string | undefined
  readonly cost: number | undefined
  readonly tokens: Tokens | undefined
  readonly error: ErrorInfo | undefined
  readonly retries: readonly Retry[]
  /** Live-only running usage from `session.usage.updated`; cleared when the step ends. */
  readonly usage: Usage | undefined
}

export type Message = UserMessage | AssistantMessage

export interface SessionView {
  readonly sessionID: string | undefined
  readonly info: SessionInfo
  readonly activity: ActivityStatus
  /** Last applied durable seq; -1 before any. */
  readonly cursor: number
  readonly execution: ExecutionState
  readonly messages: readonly Message[]
}
