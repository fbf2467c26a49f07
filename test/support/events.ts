import type { DurableEventOf, DurableEventType, EventData, LiveEventOf, LiveEventType, SessionEvent } from '../../src/protocol/events.js'

export const SESSION = 'ses_test'
let nextID = 0

/** A durable event of `type` at `seq`; `data.sessionID` is filled in. */
export function durable<T extends DurableEventType>(
  type: T,
  seq: number,
  data: Omit<EventData<T>, 'sessionID'>,
  sessionID = SESSION,
): DurableEventOf<T> {
  return {
    id: `evt_${++nextID}`,
    created: 1_700_000_000_000 + seq,
    type,
    durable: { aggregateID: sessionID, seq, version: 1 },
    data: { sessionID, ...data } as EventData<T>,
  }
}

export function live<T extends LiveEventType>(type: T, data: Omit<EventData<T>, 'sessionID'>, sessionID = SESSION): LiveEventOf<T> {
  return { id: `evt_${++nextID}`, created: 1_700_000_000_000, type, data: { sessionID, ...data } as EventData<T> }
}

export const activity = (status: 'idle' | 'running', cutoff: number) => live('session.activity', { status, cutoff })
export const created = (seq = 0, title = 'test') => durable('session.created', seq, { title })
export const textDelta = (delta: string, assistantMessageID = 'msg_1', ordinal = 0) =>
  live('session.text.delta', { assistantMessageID, ordinal, delta })

/** Durable rows 0..n-1 of a session that only gets renamed: handy filler with valid seqs. */
export const renames = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => durable('session.renamed', from + i, { title: `t${from + i}` }))

const encoder = new TextEncoder()
export const frame = (event: SessionEvent | object): string => `data: ${JSON.stringify(event)}\n\n`
export const bytes = (text: string): Uint8Array => encoder.encode(text)
