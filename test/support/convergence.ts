import type { MockEngine } from '../../mock-server/index.js'
import type { ActivityEvent, DurableEvent } from '../../src/protocol/events.js'
import { foldEvents } from '../../src/view/fold.js'
import type { SessionView } from '../../src/view/types.js'

/*
 * What "the client converged" means in the property test and the soak: its view equals
 * the fold of the server's whole durable log plus a final idle activity.
 */

/** Parts flagged incomplete keep the text the client happened to see; the log cannot know it. */
export function comparable(view: SessionView): SessionView {
  return {
    ...view,
    messages: view.messages.map((message) => {
      if (message.role === 'compaction') return message.incomplete ? { ...message, text: '' } : message
      if (message.role !== 'assistant') return message
      return {
        ...message,
        parts: message.parts.map((part) =>
          !part.incomplete ? part : part.type === 'tool' ? { ...part, inputText: '' } : { ...part, text: '' },
        ),
      }
    }),
  }
}

/** The seqs the server publishes for a session: from 1, skipping its private rows. */
export function publicSeqs(engine: MockEngine, sessionID: string): number[] {
  return serverRows(engine, sessionID).map((row) => row.durable.seq)
}

export function serverFold(engine: MockEngine, sessionID: string): SessionView {
  const idle: ActivityEvent = {
    id: 'final',
    type: 'session.activity',
    data: { timestamp: 0, sessionID, status: 'idle', cutoff: engine.latestSeq(sessionID) },
  }
  return foldEvents([...serverRows(engine, sessionID), idle])
}

function serverRows(engine: MockEngine, sessionID: string): DurableEvent[] {
  const rows: DurableEvent[] = []
  for (let after = -1; ; ) {
    const page = engine.history(sessionID, after, 100)
    if (page === undefined) throw new Error(`no history for ${sessionID}`)
    rows.push(...page.data)
    if (!page.hasMore) break
    after = rows.at(-1)?.durable.seq ?? after
  }
  return rows
}
