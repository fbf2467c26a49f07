import { SessionStreamError } from '../errors.js'
import { envelopeShape } from './catalogue.js'
import { catalogue, type SessionEvent, type UnknownEvent } from './events.js'
import { describeIssue, type Issue } from './shape.js'

/**
 * - `event`: a known type whose data fits the catalogue;
 * - `unknown`: a sound envelope of a type this client does not know (a newer server);
 * - `invalid`: a sound envelope of a known type whose data (or durability) does not fit: it
 *   is still ordered by its seq, reported, and kept out of the view;
 * - `error`: the frame cannot be trusted at all (not JSON, a broken envelope, another
 *   session's event): a protocol error, never applied.
 */
export type Decoded =
  | { readonly kind: 'event'; readonly event: SessionEvent }
  | { readonly kind: 'unknown'; readonly event: UnknownEvent }
  | { readonly kind: 'invalid'; readonly event: UnknownEvent; readonly error: SessionStreamError }
  | { readonly kind: 'error'; readonly error: SessionStreamError }

const MAX_REASON = 200

const error = (code: 'malformed-json' | 'invalid-event' | 'wrong-session', message: string) =>
  new SessionStreamError(code, message.length > MAX_REASON ? `${message.slice(0, MAX_REASON)}…` : message)

const broken = (issue: Issue): Decoded => ({ kind: 'error', error: error('invalid-event', `invalid envelope: ${describeIssue(issue)}`) })

/**
 * Turns one SSE `data` string into a typed event. Never throws. With `sessionID`, an event
 * of another session (its `durable.aggregateID` or `data.sessionID`) is an error: applying
 * it would show another session's content, move our cursor by its seq, or end our view.
 * Valid frames come back as the parsed JSON itself: checking copies nothing.
 */
export function decodeEvent(data: string, sessionID?: string): Decoded {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return { kind: 'error', error: error('malformed-json', `frame is not JSON (${data.length} chars)`) }
  }
  const envelopeIssue = envelopeShape(json)
  if (envelopeIssue !== undefined) return broken(envelopeIssue)
  const value = json as UnknownEvent
  if (sessionID !== undefined) {
    const owner = value.durable?.aggregateID ?? sessionID
    const named = value.data.sessionID ?? sessionID
    if (owner !== sessionID || named !== sessionID) {
      return { kind: 'error', error: error('wrong-session', `${value.type} belongs to another session`) }
    }
  }
  const known = catalogue.get(value.type)
  if (known === undefined) return { kind: 'unknown', event: value }
  // The catalogue's own copy of the type: an internalized string, so every later comparison
  // with a type (the reducer's switch over thirty of them) is a pointer check, not a memcmp
  // of a common 13-character prefix. The value is ours: JSON.parse made it just now.
  ;(value as { type: string }).type = known.type
  if (known.durable !== (value.durable !== undefined)) {
    const why = known.durable ? 'is durable but has no durable block' : 'is live-only but carries a durable block'
    return { kind: 'invalid', event: value, error: error('invalid-event', `${value.type} ${why}`) }
  }
  const dataIssue = known.shape(value.data)
  if (dataIssue !== undefined) {
    return { kind: 'invalid', event: value, error: error('invalid-event', `invalid ${value.type} data: ${describeIssue(dataIssue)}`) }
  }
  // The checks above are the pairing of `type`, `durable` and `data` the union describes.
  return { kind: 'event', event: value as SessionEvent }
}
