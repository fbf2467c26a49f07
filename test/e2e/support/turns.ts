import type { DurableEvent } from '../../../src/index.js'
import type { MockEngine } from '../../../mock-server/index.js'

/** What the server's durable log says about the turn started with `prompt`. */
export interface TurnRecord {
  readonly assistantMessageID: string | undefined
  /** The part key of the answer text (`text:<ordinal>`), once it started. */
  readonly textKey: string | undefined
  /** The authoritative text, once `session.text.ended` is in the log. */
  readonly text: string | undefined
  /** The execution's terminal event, if any. */
  readonly outcome: 'succeeded' | 'failed' | 'interrupted' | undefined
  readonly latestSeq: number
}

export function readTurn(engine: MockEngine, sessionID: string, prompt: string): TurnRecord {
  const rows: readonly DurableEvent[] = engine.history(sessionID, -1, 1000)?.data ?? []
  const start = rows.findIndex((row) => row.type === 'session.inbox.enqueued' && row.data.text === prompt)
  let assistantMessageID: string | undefined
  let textKey: string | undefined
  let text: string | undefined
  let outcome: TurnRecord['outcome']
  for (const row of start < 0 ? [] : rows.slice(start + 1)) {
    if (row.type === 'session.inbox.enqueued') break
    if (row.type === 'session.step.started') assistantMessageID ??= row.data.assistantMessageID
    if (row.type === 'session.text.started' && textKey === undefined) textKey = `text:${row.data.ordinal}`
    if (row.type === 'session.text.ended' && text === undefined) text = row.data.text
    if (row.type === 'session.execution.succeeded') outcome = 'succeeded'
    if (row.type === 'session.execution.failed') outcome = 'failed'
    if (row.type === 'session.execution.interrupted') outcome = 'interrupted'
  }
  return { assistantMessageID, textKey, text, outcome, latestSeq: rows.at(-1)?.durable.seq ?? -1 }
}
