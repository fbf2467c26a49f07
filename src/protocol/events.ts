import {
  durableData,
  liveData,
  type durableShape,
  type errorInfoShape,
  type locationShape,
  type modelRefShape,
  type promptShape,
  type retryErrorShape,
  type tokensShape,
  type toolContentShape,
} from './catalogue.js'
import type { Infer, Shape } from './shape.js'

type Catalogue = typeof durableData & typeof liveData
export type DurableEventType = keyof typeof durableData
export type LiveEventType = keyof typeof liveData
export type EventType = DurableEventType | LiveEventType

/** Durable metadata: present on durable events only. Public seqs start at 1 and may skip private rows. */
export type DurableInfo = Infer<typeof durableShape>
export type Location = Infer<typeof locationShape>
export type ModelRef = Infer<typeof modelRefShape>
export type ErrorInfo = Infer<typeof errorInfoShape>
export type RetryError = Infer<typeof retryErrorShape>
export type Tokens = Infer<typeof tokensShape>
export type ToolContent = Infer<typeof toolContentShape>
export type Prompt = Infer<typeof promptShape>

/** The `data` of event type `T`, inferred from its shape in the catalogue. */
export type EventData<T extends EventType> = Infer<Catalogue[T]>

interface EnvelopeBase<T extends EventType> {
  readonly id: string
  readonly type: T
  /** Where the session's project lives; opencode sends it on the server-wide stream. */
  readonly location?: Location | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
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
 * An event as it came off the wire with a sound envelope: one whose `type` this client does
 * not know, or a known type whose `data` does not fit the catalogue. Kept out of the view
 * but reported; if it is durable its `seq` still moves the cursor.
 */
export interface UnknownEvent {
  readonly id: string
  readonly type: string
  readonly durable?: DurableInfo | undefined
  readonly location?: Location | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
  readonly data: Readonly<Record<string, unknown>>
}

/**
 * Every known type with its durability and data shape: one Map lookup per frame, where
 * `Object.hasOwn` on the catalogue objects was 2% of the client's time; and a Map, unlike
 * an object, has no `constructor` or `__proto__` to mistake for a type.
 */
type Known = { readonly type: string; readonly durable: boolean; readonly shape: Shape<unknown> }
const entries = (shapes: Readonly<Record<string, Shape<unknown>>>, durable: boolean) =>
  Object.entries(shapes).map(([type, shape]): [string, Known] => [type, { type, durable, shape }])
export const catalogue: ReadonlyMap<string, Known> = new Map([...entries(durableData, true), ...entries(liveData, false)])

/** True for events that carry and advance the reconnect cursor. */
export const isDurable = (event: SessionEvent): event is DurableEvent => event.durable !== undefined
/** True for live-only events (fragments and activity): never replayed. */
export const isLive = (event: SessionEvent): event is LiveEvent => event.durable === undefined
export const isActivity = (event: SessionEvent): event is ActivityEvent => event.type === 'session.activity'
