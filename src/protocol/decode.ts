import { SessionStreamError } from '../errors.js'
import { envelopeShape } from './catalogue.js'
import { catalogue, type SessionEvent, type UnknownEvent } from './events.js'
import { describeIssue, type Issue } from './shape.js'

export type Decoded =
  | { readonly kind: 'event'; readonly event: SessionEvent }
  | { readonly kind: 'unknown'; readonly event: UnknownEvent }
  | { readonly kind: 'error'; readonly error: SessionStreamError; readonly durableSeq: number | undefined }

const MAX_REASON = 200

const fail = (code: 'malformed-json' | 'invalid-event', message: string, durableSeq?: number): Decoded => ({
  kind: 'error',
  error: new SessionStreamError(code, message.length > MAX_REASON ? `${message.slice(0, MAX_REASON)}…` : message),
  durableSeq,
})

/** Reads a durable seq off a value that failed validation, so the caller knows a durable row was lost. */
const seqOf = (value: unknown): number | undefined => {
  const seq = (value as { durable?: { seq?: unknown } } | null)?.durable?.seq
  return Number.isSafeInteger(seq) && (seq as number) >= 0 ? (seq as number) : undefined
}

const invalid = (what: string, issue: Issue, durableSeq?: number) =>
  fail('invalid-event', `invalid ${what}: ${describeIssue(issue)}`, durableSeq)

/**
 * Turns one SSE `data` string into a typed event, an unknown-but-valid envelope, or a
 * typed error. Never throws. A durable type must carry `durable`; a live type must not,
 * because a live event that moved the cursor would make replay skip real rows. Valid
 * frames come back as the parsed JSON itself: checking copies nothing.
 */
export function decodeEvent(data: string): Decoded {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return fail('malformed-json', `frame is not JSON (${data.length} chars)`)
  }
  const envelopeIssue = envelopeShape(json)
  if (envelopeIssue !== undefined) return invalid('envelope', envelopeIssue, seqOf(json))
  const value = json as UnknownEvent
  const { type } = value
  const known = catalogue.get(type)
  if (known === undefined) return { kind: 'unknown', event: value }
  const seq = value.durable?.seq
  if (known.durable !== (seq !== undefined)) {
    return fail('invalid-event', `${type} ${known.durable ? 'is durable but has no durable block' : 'is live-only but carries a durable block'}`, seq)
  }
  const dataIssue = known.shape(value.data)
  if (dataIssue !== undefined) return invalid(`${type} data`, dataIssue, seq)
  // The checks above are the pairing of `type`, `durable` and `data` the union describes.
  return { kind: 'event', event: value as SessionEvent }
}
