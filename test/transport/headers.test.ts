import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { basicAuth } from '../../src/transport/headers.js'
import { activity, row } from '../support/events.js'
import { connectHarness, settle } from './harness.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const SECRET = 'hunter2-secret'

describe('request headers', () => {
  it('sends a record of headers on every attempt, never in the URL', async () => {
    const h = connectHarness({ headers: basicAuth(SECRET) })
    await settle()
    h.server.last.send(row(1), activity('idle', 1))
    h.server.last.end()
    await settle()
    await vi.advanceTimersByTimeAsync(1000)
    const expected = `Basic ${Buffer.from(`opencode:${SECRET}`).toString('base64')}`
    expect(h.server.requests.map((r) => r.headers.get('authorization'))).toEqual([expected, expected])
    expect(h.server.requests.every((r) => !r.url.href.includes(SECRET) && !r.url.href.includes('Basic'))).toBe(true)
    h.connection.close()
  })

  it('resolves a headers function (async allowed) before every attempt', async () => {
    let n = 0
    const h = connectHarness({ headers: async () => ({ 'x-session-key': `key-${++n}` }) })
    await settle()
    h.server.last.end()
    await settle()
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.requests.map((r) => r.headers.get('x-session-key'))).toEqual(['key-1', 'key-2'])
    h.connection.close()
  })

  it('encodes a non-Latin-1 password as UTF-8, as HTTP Basic expects', () => {
    expect(basicAuth('pässwörd')).toEqual({ authorization: `Basic ${Buffer.from('opencode:pässwörd', 'utf8').toString('base64')}` })
  })

  it.each([
    ['a header value with CR/LF', { headers: { authorization: `Basic ${SECRET}\r\nX-Evil: 1` } }],
    ['a header value with a lone CR', { headers: { authorization: `Basic ${SECRET}\rX-Evil: 1` } }],
    ['a token with a line break', { token: `${SECRET}\n` }],
    ['a token with a NUL', { token: `${SECRET}\u0000` }],
    ['a header name that is not a token', { headers: { 'bad name': SECRET } }],
  ])('%s stops with a typed token-error, sends nothing, retries nothing, and never shows the secret', async (_name, options) => {
    const h = connectHarness(options)
    await settle()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(h.server.requests).toHaveLength(0)
    expect(h.status().state).toBe('failed')
    const error = h.status().lastError
    expect(error?.code).toBe('token-error')
    expect(`${error?.message} ${String(error?.cause)}`).not.toContain(SECRET)
    expect(h.ends.map((e) => e?.code)).toEqual(['token-error'])
  })

  it('a provider that throws is retried with backoff, as a token-error', async () => {
    let calls = 0
    const h = connectHarness({
      headers: () => {
        calls++
        if (calls === 1) throw new Error('refresh failed')
        return { authorization: 'Bearer ok' }
      },
    })
    await settle()
    expect(h.status().lastError?.code).toBe('token-error')
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.requests.map((r) => r.headers.get('authorization'))).toEqual(['Bearer ok'])
    h.connection.close()
  })
})
