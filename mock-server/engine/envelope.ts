import type {
  DurableEvent,
  DurableEventOf,
  DurableEventType,
  EventData,
  LiveEvent,
  LiveEventOf,
  LiveEventType,
} from '../../src/protocol/index.js'
import type { IdSource } from './clock.js'

/** Builds envelopes exactly as the protocol module decodes them. */
export interface EnvelopeFactory {
  durable<T extends DurableEventType>(sessionID: string, seq: number, type: T, data: EventData<T>): DurableEventOf<T>
  /** Live events carry no `durable` block at all: they never move a cursor. */
  live<T extends LiveEventType>(type: T, data: EventData<T>): LiveEventOf<T>
}

export function createEnvelopeFactory(ids: IdSource, now: () => number): EnvelopeFactory {
  return {
    durable: (sessionID, seq, type, data) => ({
      id: ids.next('evt'),
      created: now(),
      type,
      durable: { aggregateID: sessionID, seq, version: 1 },
      data,
    }),
    live: (type, data) => ({ id: ids.next('evt'), created: now(), type, data }),
  }
}

/*
 * TypeScript cannot see that `XOf<T>` for a generic T is one member of the mapped union,
 * so these two widenings are the only casts; the builders above are fully typed.
 */
export const asDurable = <T extends DurableEventType>(event: DurableEventOf<T>): DurableEvent => event as DurableEvent
export const asLive = <T extends LiveEventType>(event: LiveEventOf<T>): LiveEvent => event as LiveEvent
