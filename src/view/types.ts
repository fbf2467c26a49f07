import type { ErrorInfo, Location, ModelRef, Prompt, RetryError, Tokens, ToolContent } from '../protocol/events.js'
import type { COMPACTION_REASONS, PROMPT_DELIVERIES } from '../protocol/constants.js'

export type { ModelRef } from '../protocol/events.js'

/**
 * `unknown` until a `session.activity` snapshot settles it. A snapshot is the only source of
 * truth for whether the session runs: the durable log cannot say (a crash writes nothing).
 */
export type ActivityStatus = 'unknown' | 'idle' | 'running'
export type PromptDelivery = (typeof PROMPT_DELIVERIES)[number]
export type CompactionReason = (typeof COMPACTION_REASONS)[number]
/** A file attached to a prompt. */
export type FileRef = NonNullable<Prompt['files']>[number]
/** An agent mentioned in a prompt. */
export type AgentRef = NonNullable<Prompt['agents']>[number]

/** A revert the user staged and has not committed or cleared yet. */
export interface RevertState {
  /** A commit removes every message after this one (opencode hides this one and the rest while staged). */
  readonly messageID: string
  readonly partID: string | undefined
  readonly snapshot: string | undefined
  readonly diff: unknown
  readonly files: unknown
}

export interface SessionInfo {
  /** The agent in use: the last switch or step. */
  readonly agent: string | undefined
  readonly model: ModelRef | undefined
  /** The project directory, once the session was moved. */
  readonly location: Location | undefined
  readonly subdirectory: string | undefined
  readonly revert: RevertState | undefined
  /** The server no longer has the session (404, or it was deleted while followed). */
  readonly deleted: boolean
}

/** The provider call is being retried; cleared when a step starts or the session goes idle. */
export interface Retry {
  readonly attempt: number
  readonly error: RetryError
  /** `data.timestamp` of the retry, epoch ms. */
  readonly at: number
}

interface StreamedPart {
  /** Unique within its message: `text:<textID>`, `reasoning:<reasoningID>`, `tool:<callID>`. */
  readonly key: string
  /** The server's id of the part: `textID`, `reasoningID` or `callID`. */
  readonly id: string
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
  readonly text: string
}

/** `interrupted`: the run ended (idle, a later step, a crash) before the tool reported. */
export type ToolStatus = 'pending' | 'running' | 'success' | 'failed' | 'interrupted'

export interface ToolProvider {
  readonly executed: boolean
  readonly metadata: Readonly<Record<string, unknown>> | undefined
}

export interface ToolPart extends StreamedPart {
  readonly type: 'tool'
  /** The tool's name (`read`, `bash`, …). */
  readonly name: string
  /** Raw input text as streamed, then the authoritative text from `tool.input.ended`. */
  readonly inputText: string
  /** Parsed input from `tool.called`; undefined before it. */
  readonly input: Readonly<Record<string, unknown>> | undefined
  readonly status: ToolStatus
  /** The tool's structured output: progress while running, then the result's. */
  readonly structured: Readonly<Record<string, unknown>> | undefined
  readonly content: readonly ToolContent[] | undefined
  readonly outputPaths: readonly string[] | undefined
  readonly result: unknown
  readonly error: ErrorInfo | undefined
  readonly provider: ToolProvider | undefined
}

export type Part = TextPart | ToolPart

interface MessageBase {
  readonly id: string
  /** `data.timestamp` of the event that first named the message, epoch ms. */
  readonly created: number
}

export interface UserMessage extends MessageBase {
  readonly role: 'user'
  readonly text: string
  readonly files: readonly FileRef[] | undefined
  readonly agents: readonly AgentRef[] | undefined
  readonly delivery: PromptDelivery
  /** Admitted but not yet handed to the agent (`prompt.admitted` without `prompted`). */
  readonly queued: boolean
}

/** `streaming` until its step ends; `interrupted` when the run stopped without an end. */
export type AssistantStatus = 'streaming' | 'completed' | 'failed' | 'interrupted'

/** One model step. A tool turn is two of them: the call (`finish: 'tool-calls'`), then the answer. */
export interface AssistantMessage extends MessageBase {
  readonly role: 'assistant'
  readonly agent: string | undefined
  readonly model: ModelRef | undefined
  readonly status: AssistantStatus
  readonly parts: readonly Part[]
  /** From `step.ended`: `stop`, `tool-calls`, `length`, … */
  readonly finish: string | undefined
  readonly cost: number | undefined
  readonly tokens: Tokens | undefined
  readonly error: ErrorInfo | undefined
}

/** A shell command the user ran (`!ls`). */
export interface ShellMessage extends MessageBase {
  readonly role: 'shell'
  readonly callID: string
  readonly command: string
  readonly output: string
  readonly status: 'running' | 'completed' | 'interrupted'
}

/** Text the server added to the conversation on the user's side. */
export interface SyntheticMessage extends MessageBase {
  readonly role: 'synthetic' | 'context'
  readonly text: string
}

/** A summary that replaced the older conversation. */
export interface CompactionMessage extends MessageBase {
  readonly role: 'compaction'
  readonly reason: CompactionReason
  /** Streams with live fragments; `compaction.ended` carries the full summary. */
  readonly text: string
  readonly recent: unknown
  readonly status: 'streaming' | 'completed' | 'interrupted'
  /** As on parts: fragments may have been lost, until the end event. */
  readonly incomplete: boolean
}

/** A marker where the user switched agent or model. */
export interface SwitchMessage extends MessageBase {
  readonly role: 'agent-switched' | 'model-switched'
  readonly agent: string | undefined
  readonly model: ModelRef | undefined
}

export type Message = UserMessage | AssistantMessage | ShellMessage | SyntheticMessage | CompactionMessage | SwitchMessage

export interface SessionView {
  readonly sessionID: string | undefined
  readonly info: SessionInfo
  readonly activity: ActivityStatus
  /** Last applied durable seq; -1 before any. */
  readonly cursor: number
  readonly retry: Retry | undefined
  readonly messages: readonly Message[]
}
