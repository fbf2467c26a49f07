import { SessionStreamError } from '../errors.js'
import { isDurableType, isKnownType, type SessionEvent, type UnknownEvent } from './events.js'
import { dataSchemas, envelopeSchema } from './schemas.js'

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

const describe = (issues: readonly { path: readonly PropertyKey[]; message: string }[]): string =>
  issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ')

/** Reads a durable seq off a value that failed validation, so the caller knows a durable row was lost. */
const seqOf = (value: unknown): number | undefined => {
  const durable = (value as { durable?: { seq?: unknown } } | null)?.durable
  return typeof durable?.seq === 'number' && Number.isInteger(durable.seq) && durable.seq >= 0 ? durable.seq : undefined
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isOrdinal = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
const isTextDelta = (data: Record<string, unknown>): boolean =>
  typeof data.sessionID === 'string' &&
  typeof data.assistantMessageID === 'string' &&
  isOrdinal(data.ordinal) &&
  typeof data.delta === 'string'

/**
 * Hand-written twins of the data schemas of the live fragments, which are nearly every
 * frame of a stream. zod's loose-object parse copies each object it checks, and was half
 * the client's CPU time; these accept exactly what the schemas accept, and anything they
 * do not accept goes on to zod, which decides and words the error.
 */
const fastChecks = new Map<string, (data: Record<string, unknown>) => boolean>([
  ['session.text.delta', isTextDelta],
  ['session.reasoning.delta', isTextDelta],
  [
    'session.tool.input.delta',
    (data) =>
      typeof data.sessionID === 'string' &&
      (data.assistantMessageID === undefined || typeof data.assistantMessageID === 'string') &&
      typeof data.id === 'string' &&
      typeof data.delta === 'string',
  ],
])

/** The parsed frame itself when it is a well-formed live fragment; undefined means "ask zod". */
function fastFragment(json: unknown): SessionEvent | undefined {
  if (!isRecord(json) || typeof json.type !== 'string' || json.durable !== undefined) return undefined
  const check = fastChecks.get(json.type)
  if (check === undefined || typeof json.id !== 'string' || typeof json.created !== 'number') return undefined
  // Checked field by field above: the same pairing of type and data the schemas guarantee.
  return isRecord(json.data) && check(json.data) ? (json as unknown as SessionEvent) : undefined
}

/**
 * Turns one SSE `data` string into a typed event, an unknown-but-valid envelope, or a
 * typed error. Never throws. A durable type must carry `durable`; a live type must not,
 * because a live event that moved the cursor would make replay skip real rows.
 */
export function decodeEvent(data: string): Decoded {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return fail('malformed-json', `frame is not JSON (${data.length} chars)`)
  }
  const fragment = fastFragment(json)
  if (fragment !== undefined) return { kind: 'event', event: fragment }
  const envelope = envelopeSchema.safeParse(json)
  if (!envelope.success) return fail('invalid-event', `invalid envelope: ${describe(envelope.error.issues)}`, seqOf(json))
  const value = envelope.data
  if (!isKnownType(value.type)) return { kind: 'unknown', event: value }
  const durable = isDurableType(value.type)
  if (durable !== (value.durable !== undefined)) {
    const why = durable ? 'is durable but has no durable block' : 'is live-only but carries a durable block'
    return fail('invalid-event', `${value.type} ${why}`, value.durable?.seq)
  }
  const validated = dataSchemas[value.type].safeParse(value.data)
  if (!validated.success) {
    return fail('invalid-event', `invalid ${value.type} data: ${describe(validated.error.issues)}`, value.durable?.seq)
  }
  // The schema guarantees the pairing of `type`, `durable` and `data` checked above.
  return { kind: 'event', event: { ...value, data: validated.data } as SessionEvent }
}
