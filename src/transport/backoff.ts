export interface BackoffOptions {
  /** First retry's upper bound in ms. @default 1000 */
  readonly initialDelay?: number
  /** Cap on any single delay in ms (before a server's Retry-After floor). @default 30000 */
  readonly maxDelay?: number
  /** Growth per attempt. @default 2 */
  readonly multiplier?: number
}

export const DEFAULT_BACKOFF = { initialDelay: 1000, maxDelay: 30_000, multiplier: 2 } as const

/**
 * Exponential backoff with full jitter: uniform in [0, min(cap, initial * multiplier^attempt)].
 * Full jitter spreads a fleet of clients reconnecting after one server restart. A server's
 * Retry-After is a floor, never shortened by jitter.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
  retryAfterMs?: number,
): number {
  const initial = options.initialDelay ?? DEFAULT_BACKOFF.initialDelay
  const cap = options.maxDelay ?? DEFAULT_BACKOFF.maxDelay
  const multiplier = options.multiplier ?? DEFAULT_BACKOFF.multiplier
  const ceiling = Math.min(cap, initial * multiplier ** Math.max(0, attempt))
  const jittered = Math.floor(random() * ceiling)
  return retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs)
}

/** `Retry-After` as delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
