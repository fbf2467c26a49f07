import type { DurableEventOf, DurableEventType, EventData, LiveEventOf, LiveEventType, SessionEvent } from '../../src/protocol/events.js'

export const SESSION = 'ses_test'
export const T0 = 1_700_000_000_000
let nextID = 0

/** Event data as a test writes it: `sessionID` and `timestamp` are filled in. */
export type DataOf<T extends DurableEventType | LiveEventType> = Omit<EventData<T>, 'sessionID' | 'timestamp'>

/** A durable event of `type` at `seq`; `data.sessionID` and `data.timestamp` are filled in. */
export function durable<T extends DurableEventType>(type: T, seq: number, data: DataOf<T>, sessionID = SESSION): DurableEventOf<T> {
  return {
    id: `evt_${++nextID}`,
    type,
    durable: { aggregateID: sessionID, seq, version: 1 },
    data: { timestamp: T0 + seq, sessionID, ...data } as EventData<T>,
  }
}

export function live<T extends LiveEventType>(type: T, data: DataOf<T>, sessionID = SESSION): LiveEventOf<T> {
  return { id: `evt_${++nextID}`, type, data: { timestamp: T0, sessionID, ...data } as EventData<T> }
}

export const activity = (status: 'idle' | 'running', cutoff: number) => live('session.activity', { status, cutoff })

/** A durable row with nothing special about it: a prompt, as opencode's first public row is. */
export const row = (seq: number, text = `prompt ${seq}`) =>
  durable('session.next.prompted', seq, { messageID: `msg_p${seq}`, prompt: { text }, delivery: 'steer' })

/** Durable rows `from..to`, consecutive: handy filler with valid seqs. */
export const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i))

export const textDelta = (delta: string, assistantMessageID = 'msg_1', textID = 'text-0') =>
  live('session.next.text.delta', { assistantMessageID, textID, delta })

const encoder = new TextEncoder()
export const frame = (event: SessionEvent | object): string => `data: ${JSON.stringify(event)}\n\n`
export const bytes = (text: string): Uint8Array => encoder.encode(text)
