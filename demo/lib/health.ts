import type { ConnectionState, ServerShape, SessionStreamError } from '../../src/index.js'
import { STATE_TONE } from './tones.js'

/*
 * What the health panel says, from the SDK's connection status and the bytes the page saw
 * on the wire (byte-meter.ts). It must not flatter: an error the stream has since recovered
 * from is shown as past, with its age; a stream that is "open" but has carried no byte for
 * longer than it should is shown as stalled, with the time since its last byte.
 */

export interface HealthInput {
  readonly state: ConnectionState
  readonly shape: ServerShape | undefined
  readonly lastError: SessionStreamError | null
  /** When the page first saw `lastError` (errorSeenAt), epoch ms. */
  readonly errorAt: number | undefined
  /** The SDK's own `lastByteAt`: used only while the page has measured nothing on the wire. */
  readonly sdkByteAt: number | null
  /** The last byte on this session's stream, measured on the wire. */
  readonly streamByteAt: number | undefined
  /** The last byte on the server-wide stream: on a split server it vouches for the session. */
  readonly serverByteAt: number | undefined
  readonly now: number
  /** Quiet for longer than this is a stall. */
  readonly staleAfterMs: number
}

export interface Health {
  /** The word on the state pill: the SDK's state, or `stalled`. */
  readonly label: string
  readonly tone: string
  /** How long no byte arrived, when that is longer than `staleAfterMs`. */
  readonly quietFor: number | undefined
  /** The pill says `stalled`: the stream is up (or being retried after going quiet) and carries nothing. */
  readonly stalled: boolean
  /** Age of the last byte, for the `last byte` row. */
  readonly byteAge: number | undefined
  readonly error:
    | {
        /** The stream is open and flowing again since: the error is history. */
        readonly past: boolean
        /** `last error 12 s ago, recovered` or `error 3.1 s ago`. */
        readonly summary: string
        readonly code: string
        readonly message: string
      }
    | undefined
}

/** Errors that mean "nothing came": a stall, as opposed to a server that answered badly or not at all. */
const QUIET_ERRORS = new Set(['idle-timeout', 'connect-timeout', 'sleep-detected'])
const LIVE_STATES = new Set<ConnectionState>(['open', 'connecting', 'backoff'])

/** `850 ms`, `4.2 s`, `20 s`, `3 min`: an age, rounded as a person reads it. */
export function formatAge(ms: number): string {
  const value = Math.max(0, ms)
  if (value < 1000) return `${Math.round(value)} ms`
  if (value < 10_000) return `${(value / 1000).toFixed(1)} s`
  if (value < 120_000) return `${Math.floor(value / 1000)} s`
  return `${Math.floor(value / 60_000)} min`
}

const latest = (...values: readonly (number | null | undefined)[]): number | undefined => {
  const known = values.filter((value): value is number => typeof value === 'number')
  return known.length === 0 ? undefined : Math.max(...known)
}

export function describeHealth(input: HealthInput): Health {
  const { state, now } = input
  // A split server's session stream is silent between rows by design: the server-wide
  // stream's heartbeats are what say the server is there. The SDK's value also moves when a
  // response opens, so a server that answers and then writes nothing would look alive.
  const wire = latest(input.streamByteAt, input.shape === 'split' ? input.serverByteAt : undefined)
  const byteAt = wire ?? input.sdkByteAt ?? undefined
  const byteAge = byteAt === undefined ? undefined : now - byteAt
  const quietFor = byteAge !== undefined && byteAge > input.staleAfterMs && LIVE_STATES.has(state) ? byteAge : undefined
  const stalled = quietFor !== undefined && (state === 'open' || (input.lastError !== null && QUIET_ERRORS.has(input.lastError.code)))
  const flowing = state === 'open' && !stalled

  const error = input.lastError
  const ago = input.errorAt === undefined ? '' : ` ${formatAge(now - input.errorAt)} ago`
  return {
    label: stalled ? 'stalled' : state,
    tone: stalled ? 'warn' : STATE_TONE[state],
    quietFor,
    stalled,
    byteAge,
    error:
      error === null
        ? undefined
        : {
            past: flowing,
            summary: flowing ? `last error${ago}, recovered` : `error${ago}`,
            code: error.code,
            message: error.message,
          },
  }
}

const seen = new WeakMap<object, { readonly error: object; readonly at: number }>()

/**
 * When the page first saw `error` on `owner` (a session handle): the SDK's status carries
 * the error, not its time. Noted on first sight, so a later render keeps the same time.
 */
export function errorSeenAt(owner: object, error: SessionStreamError | null, now: number): number | undefined {
  if (error === null) return undefined
  const known = seen.get(owner)
  if (known !== undefined && known.error === error) return known.at
  seen.set(owner, { error, at: now })
  return now
}
