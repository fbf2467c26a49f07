import type * as z from 'zod/mini'
import {
  DURABLE_EVENT_TYPES,
  LIVE_EVENT_TYPES,
  type DurableEventType,
  type EventType,
  type LiveEventType,
} from './constants.js'
import type { DataSchemas, durableSchema, errorInfoSchema, tokensSchema, toolContentSchema } from './schemas.js'

/** Durable metadata: present on durable events only; `seq` is gapless per session from 0. */
export type DurableInfo = z.infer<typeof durableSchema>
export type ErrorInfo = z.infer<typeof errorInfoSchema>
export type Tokens = z.infer<typeof tokensSchema>
export type ToolContent = z.infer<typeof toolContentSchema>

/** The `data` of event type `T`, inferred from its schema. */
export type EventData<T extends EventType> = z.infer<DataSchemas[T]>

interface EnvelopeBase<T extends EventType> {
  readonly id: string
  readonly created: number
  readonly type: T
  readonly data: EventData<T>
}

export type DurableEventOf<T extends DurableEventType> = EnvelopeBase<T> & { readonly durable: DurableInfo }
export type LiveEventOf<T extends LiveEventType> = EnvelopeBase<T> & { readonly durable?: undefined }

/** Discriminated by `type`: `switch (event.type)` narrows `event.data`. */
export type DurableEvent = { [T in DurableEventType]: DurableEventOf<T> }[DurableEventType]
export type LiveEvent = { [T in LiveEventType]: LiveEventOf<T> }[LiveEventType]
export type SessionEvent = DurableEvent | LiveEvent
export type SessionEventOf<T extends EventType> = Extract<SessionEvent, { type: T }>
export type ActivityEvent = SessionEventOf<'session.activity'>

/**
 * A valid envelope whose `type` this client does not know. Kept out of the view but
 * observable; if it is durable its `seq` still moves the cursor.
 */
export interface UnknownEvent {
  readonly id: string
  readonly created: number
  readonly type: string
  readonly durable?: DurableInfo | undefined
  readonly data: Readonly<Record<string, unknown>>
}

const durableTypes: ReadonlySet<string> = new Set(DURABLE_EVENT_TYPES)
const liveTypes: ReadonlySet<string> = new Set(LIVE_EVENT_TYPES)

export const isDurableType = (type: string): type is DurableEventType => durableTypes.has(type)
export const isKnownType = (type: string): type is EventType => durableTypes.has(type) || liveTypes.has(type)

/** True for events that carry and advance the reconnect cursor. */
export const isDurable = (event: SessionEvent): event is DurableEvent => event.durable !== undefined
/** True for live-only events (deltas, progress, usage, activity): never replayed. */
export const isLive = (event: SessionEvent): event is LiveEvent => event.durable === undefined
export const isActivity = (event: SessionEvent): event is ActivityEvent => event.type === 'session.activity'
