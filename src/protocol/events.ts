import { durableData, liveData, type durableShape, type errorInfoShape, type tokensShape, type toolContentShape } from './catalogue.js'
import type { Infer, Shape } from './shape.js'

type Catalogue = typeof durableData & typeof liveData
export type DurableEventType = keyof typeof durableData
export type LiveEventType = keyof typeof liveData
export type EventType = DurableEventType | LiveEventType

/** Durable metadata: present on durable events only; `seq` is gapless per session from 0. */
export type DurableInfo = Infer<typeof durableShape>
export type ErrorInfo = Infer<typeof errorInfoShape>
export type Tokens = Infer<typeof tokensShape>
export type ToolContent = Infer<typeof toolContentShape>

/** The `data` of event type `T`, inferred from its shape in the catalogue. */
export type EventData<T extends EventType> = Infer<Catalogue[T]>

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

/**
 * Every known type with its durability and data shape: one Map lookup per frame, where
 * `Object.hasOwn` on the catalogue objects was 2% of the client's time; and a Map, unlike
 * an object, has no `constructor` or `__proto__` to mistake for a type.
 */
type Known = { readonly durable: boolean; readonly shape: Shape<unknown> }
const entries = (shapes: Readonly<Record<string, Shape<unknown>>>, durable: boolean) =>
  Object.entries(shapes).map(([type, shape]): [string, Known] => [type, { durable, shape }])
export const catalogue: ReadonlyMap<string, Known> = new Map([...entries(durableData, true), ...entries(liveData, false)])

/** True for events that carry and advance the reconnect cursor. */
export const isDurable = (event: SessionEvent): event is DurableEvent => event.durable !== undefined
/** True for live-only events (deltas, progress, usage, activity): never replayed. */
export const isLive = (event: SessionEvent): event is LiveEvent => event.durable === undefined
export const isActivity = (event: SessionEvent): event is ActivityEvent => event.type === 'session.activity'
