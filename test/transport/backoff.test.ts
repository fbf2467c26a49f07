import { describe, expect, it } from 'vitest'
import { backoffDelay, parseRetryAfter } from '../../src/transport/backoff.js'

const options = { initialDelay: 1000, maxDelay: 8000, multiplier: 2 }

describe('backoff', () => {
  it('grows exponentially up to the cap, with full jitter below the ceiling', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, options, () => 0.999999))).toEqual([
      999, 1999, 3999, 7999, 7999, 7999,
    ])
    expect(backoffDelay(5, options, () => 0)).toBe(0)
    expect(backoffDelay(2, options, () => 0.5)).toBe(2000)
  })

  it('treats Retry-After as a floor that jitter never shortens', () => {
    expect(backoffDelay(0, options, () => 0, 5000)).toBe(5000)
    expect(backoffDelay(3, options, () => 0.999999, 100)).toBe(7999)
  })

  it('reads Retry-After as seconds or an HTTP-date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })
})
