import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { activity, row } from '../support/events.js'
import { html, networkError, status } from '../support/fake-server.js'
import { connectHarness, settle } from './harness.js'

const inTenSeconds = () => new Date(Date.now() + 10_000).toUTCString()

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('HTTP outcomes', () => {
  it.each([
    [400, 'bad-request', 'failed'],
    [404, 'session-not-found', 'closed'],
    [204, 'no-content', 'failed'],
    [418, 'unexpected-status', 'failed'],
  ] as const)('%i stops with %s (%s)', async (code, errorCode, state) => {
    const h = connectHarness()
    h.server.respond(status(code, {}, { error: { code: 'x', message: 'after must be an integer' } }))
    await settle()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(h.status().state).toBe(state)
    expect(h.status().lastError?.code).toBe(errorCode)
    expect(h.status().lastError?.status).toBe(code)
    expect(h.server.requests).toHaveLength(1)
    expect(h.ends.map((e) => e?.code)).toEqual([errorCode])
  })

  it('puts the server message of a 400 in the error', async () => {
    const h = connectHarness()
    h.server.respond(status(400, {}, { _tag: 'InvalidRequestError', message: 'after must be an integer' }))
    await settle()
    expect(h.status().lastError?.message).toContain('InvalidRequestError: after must be an integer')
  })

  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
  ] as const)('%i retries once with a re-resolved token, then stops as unauthorized', async (code, errorCode) => {
    let calls = 0
    const h = connectHarness({ token: () => `token-${++calls}` })
    h.server.respond(status(code), status(code))
    await settle()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(h.server.requests.map((r) => r.headers.get('authorization'))).toEqual(['Bearer token-1', 'Bearer token-2'])
    expect(h.status().state).toBe('unauthorized')
    expect(h.status().lastError?.code).toBe(errorCode)
  })

  it('recovers when the re-resolved token is accepted', async () => {
    const h = connectHarness({ token: async () => 'fresh' })
    h.server.respond(status(401))
    await settle()
    h.server.last.send(row(1), activity('idle', 1))
    await settle()
    expect(h.status().state).toBe('open')
    expect(h.status().synced).toBe(true)
    h.connection.close()
  })

  it.each([
    ['408', status(408), 'rate-limited'],
    ['425', status(425), 'rate-limited'],
    ['429', status(429), 'rate-limited'],
    ['500', status(500), 'server-error'],
    ['502', status(502), 'server-error'],
    ['503', status(503), 'server-error'],
    ['a captive portal (200 text/html)', html(), 'bad-content-type'],
    ['a network error', networkError(), 'network-error'],
  ] as const)('%s is retried with backoff', async (_name, responder, errorCode) => {
    const h = connectHarness()
    h.server.respond(responder)
    await settle()
    expect(h.status().state).toBe('backoff')
    expect(h.status().lastError?.code).toBe(errorCode)
    expect(h.status().nextRetryAt).toBe(Date.now() + 999)
    await vi.advanceTimersByTimeAsync(999)
    expect(h.server.requests).toHaveLength(2)
    expect(h.status().state).toBe('open')
    h.connection.close()
  })

  it('honours Retry-After (seconds and HTTP-date) as a floor', async () => {
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'))
    const h = connectHarness({}, () => 0)
    h.server.respond(status(503, { 'retry-after': '5' }), (request) =>
      status(429, { 'retry-after': inTenSeconds() })(request),
    )
    await settle()
    await vi.advanceTimersByTimeAsync(4999)
    expect(h.server.requests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(h.server.requests).toHaveLength(2)
    await settle()
    await vi.advanceTimersByTimeAsync(9000)
    expect(h.server.requests).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.requests).toHaveLength(3)
    h.connection.close()
  })

  it('resets the attempt counter once a connection delivered its snapshot', async () => {
    const h = connectHarness()
    h.server.respond(status(500), status(500), status(500))
    await settle()
    for (const wait of [999, 1999, 3999]) await vi.advanceTimersByTimeAsync(wait)
    expect(h.status().attempt).toBe(3)
    h.server.last.send(row(1))
    await settle()
    expect(h.status().attempt).toBe(3)
    h.server.last.send(activity('idle', 1))
    await settle()
    expect(h.status().attempt).toBe(0)
    h.server.last.end()
    await settle()
    expect(h.status().nextRetryAt).toBe(Date.now() + 999)
    h.connection.close()
  })

  it('rebuilds from the start on 410 Gone', async () => {
    const h = connectHarness({ after: 7 })
    h.server.respond(status(410))
    await settle()
    expect(h.resets).toBe(1)
    expect(h.server.afterOf(1)).toBeNull()
    h.connection.close()
  })

  it('sends the token as a bearer header and never in the URL', async () => {
    const h = connectHarness({ token: 's3cret-token' })
    await settle()
    const [request] = h.server.requests
    expect(request?.headers.get('authorization')).toBe('Bearer s3cret-token')
    expect(request?.url.toString()).not.toContain('s3cret')
    expect(request?.headers.get('accept')).toBe('text/event-stream')
    h.connection.close()
  })

  it('retries with backoff when the token provider throws', async () => {
    let fail = true
    const h = connectHarness({
      token: () => {
        if (fail) throw new Error('refresh failed')
        return 't'
      },
    })
    await settle()
    expect(h.status().lastError?.code).toBe('token-error')
    expect(h.server.requests).toHaveLength(0)
    fail = false
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.requests).toHaveLength(1)
    h.connection.close()
  })

  it('a token provider that fails after its attempt was aborted leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const record = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', record)
    let calls = 0
    const h = connectHarness({
      token: () => {
        // The first attempt fails at once; the second goes offline (which aborts the
        // attempt) and only then rejects.
        if (++calls === 1) throw new Error('refresh failed')
        h.env.setOnline(false)
        return Promise.reject(new Error('refresh failed again'))
      },
    })
    await settle()
    await vi.advanceTimersByTimeAsync(1000)
    await settle()
    await vi.advanceTimersByTimeAsync(10)
    process.off('unhandledRejection', record)
    expect(calls).toBe(2)
    expect(h.status().state).toBe('offline')
    expect(unhandled).toEqual([])
    h.connection.close()
  })
})
