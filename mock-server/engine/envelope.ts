import type {
  DurableEvent,
  DurableEventOf,
  DurableEventType,
  EventData,
  EventType,
  LiveEvent,
  LiveEventOf,
  LiveEventType,
} from '../../src/protocol/index.js'
import type { IdSource } from './clock.js'
import { PRIVATE_ROW_TYPE, type PrivateRow } from './log-store.js'

/** Event data as the engine's callers write it: `timestamp` and `sessionID` are filled in. */
export type EventInput<T extends EventType> = Omit<EventData<T>, 'timestamp' | 'sessionID'>

/** Builds envelopes exactly as opencode sends them on a session stream (no `location`). */
export interface EnvelopeFactory {
  durable<T extends DurableEventType>(sessionID: string, seq: number, type: T, data: EventInput<T>): DurableEventOf<T>
  /** Live events carry no `durable` block at all: they never move a cursor. */
  live<T extends LiveEventType>(sessionID: string, type: T, data: EventInput<T>): LiveEventOf<T>
  privateRow(sessionID: string, seq: number): PrivateRow
}

/** opencode 1.18.34 writes `step.ended` at schema version 2 and everything else at 1. */
const VERSIONS: Partial<Record<DurableEventType, number>> = { 'session.next.step.ended': 2 }

export function createEnvelopeFactory(ids: IdSource, now: () => number): EnvelopeFactory {
  // `timestamp` and `sessionID` first, as opencode orders them. The spread of a generic
  // input cannot be proven to be EventData<T>; the input type is exactly the rest of it.
  const data = <T extends EventType>(sessionID: string, input: EventInput<T>): EventData<T> =>
    ({ timestamp: now(), sessionID, ...input }) as EventData<T>
  return {
    durable: (sessionID, seq, type, input) => ({
      id: ids.next('evt'),
      type,
      durable: { aggregateID: sessionID, seq, version: VERSIONS[type] ?? 1 },
      data: data(sessionID, input),
    }),
    live: (sessionID, type, input) => ({ id: ids.next('evt'), type, data: data(sessionID, input) }),
    privateRow: (sessionID, seq) => ({
      id: ids.next('evt'),
      type: PRIVATE_ROW_TYPE,
      durable: { aggregateID: sessionID, seq, version: 1 },
      data: { timestamp: now(), sessionID },
    }),
  }
}

/*
 * TypeScript cannot see that `XOf<T>` for a generic T is one member of the mapped union,
 * so these two widenings are the only casts besides `data` above.
 */
export const asDurable = <T extends DurableEventType>(event: DurableEventOf<T>): DurableEvent => event as DurableEvent
export const asLive = <T extends LiveEventType>(event: LiveEventOf<T>): LiveEvent => event as LiveEvent
