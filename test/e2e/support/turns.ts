import type { DurableEvent, DurableEventOf } from '../../../src/index.js'
import type { MockEngine } from '../../../mock-server/index.js'

/** What the server's durable log says about the turn started with `prompt`. */
export interface TurnRecord {
  /** The assistant messages of the turn, one per model step (a tool turn has two). */
  readonly stepIDs: readonly string[]
  /** The step that streams the answer text, once its text started. */
  readonly answerID: string | undefined
  /** The part key of the answer text (`text:<textID>`), once it started. */
  readonly textKey: string | undefined
  /** The authoritative text, once `session.next.text.ended` is in the log. */
  readonly text: string | undefined
  /** Tool names called in the turn, in order. */
  readonly tools: readonly string[]
  /**
   * How the turn ended: `succeeded` once a step ended with a finish other than
   * `tool-calls`, `failed` on a failed step; undefined while it runs or when it was cut
   * (a crash writes nothing).
   */
  readonly outcome: 'succeeded' | 'failed' | undefined
  readonly latestSeq: number
}

type PromptRow = DurableEventOf<'session.next.prompt.admitted'> | DurableEventOf<'session.next.prompted'>
const isPrompt = (row: DurableEvent): row is PromptRow => row.type === 'session.next.prompt.admitted' || row.type === 'session.next.prompted'

export function readTurn(engine: MockEngine, sessionID: string, prompt: string): TurnRecord {
  // Public seqs start at 1: after 0 is the whole log.
  const rows: readonly DurableEvent[] = engine.history(sessionID, 0, 1000)?.data ?? []
  const start = rows.findIndex((row) => isPrompt(row) && row.data.prompt.text === prompt)
  const first = rows[start]
  const promptID = first !== undefined && isPrompt(first) ? first.data.messageID : undefined
  const stepIDs: string[] = []
  const tools: string[] = []
  let answerID: string | undefined
  let textKey: string | undefined
  let text: string | undefined
  let outcome: TurnRecord['outcome']
  for (const row of start < 0 ? [] : rows.slice(start + 1)) {
    if (isPrompt(row) && row.data.messageID !== promptID) break
    if (row.type === 'session.next.step.started') stepIDs.push(row.data.assistantMessageID)
    if (row.type === 'session.next.tool.called') tools.push(row.data.tool)
    if (row.type === 'session.next.text.started' && textKey === undefined) {
      answerID = row.data.assistantMessageID
      textKey = `text:${row.data.textID}`
    }
    if (row.type === 'session.next.text.ended' && text === undefined) text = row.data.text
    if (row.type === 'session.next.step.ended' && row.data.finish !== 'tool-calls') outcome = 'succeeded'
    if (row.type === 'session.next.step.failed') outcome = 'failed'
  }
  return { stepIDs, answerID, textKey, text, tools, outcome, latestSeq: rows.at(-1)?.durable.seq ?? -1 }
}
