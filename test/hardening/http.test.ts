import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { frame, row } from '../support/events.js'
import { hang, html, status, type Responder } from '../support/fake-server.js'
import { connectHarness, settle } from '../transport/harness.js'

/*
 * The bad-input matrix, HTTP: one row per answer a server, proxy or portal can give.
 * `retryIn` is the delay before the next attempt with jitter at zero, so it is exactly
 * the Retry-After floor; `stops` rows must never try again.
 */

const NOW = Date.parse('2026-01-01T00:00:00Z')
const httpDate = (ms: number) => new Date(NOW + ms).toUTCString()
const redirect = (code: number): Responder => () =>
  new Response(null, { status: code, headers: { location: 'https://elsewhere.test/login?next=1' } })
const endsMidFrame = (): Responder => () =>
  new Response(`${frame(row(1))}data: {"id":"cut`, { status: 200, headers: { 'content-type': 'text/event-stream' } })
const resetAfterFirstFrame = (): Responder => () =>
  new Response(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(frame(row(1))))
        controller.error(new TypeError('socket hang up'))
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream' } },
  )

interface Row {
  readonly name: string
  readonly respond: Responder
  readonly code: string
  readonly stops?: 'failed' | 'closed' | 'unauthorized'
  readonly retryIn?: number
}

const rows: Row[] = [
  { name: '200 text/html (a captive portal)', respond: html(), code: 'bad-content-type', retryIn: 0 },
  { name: '200 text/event-streamXYZ (a media type that only starts like ours)', respond: contentType('text/event-streamXYZ'), code: 'bad-content-type', retryIn: 0 },
  { name: '204', respond: status(204), code: 'no-content', stops: 'failed' },
  { name: '301 to another origin', respond: redirect(301), code: 'redirected', stops: 'failed' },
  { name: '302 to another origin', respond: redirect(302), code: 'redirected', stops: 'failed' },
  { name: '400', respond: status(400, {}, { error: { code: 'bad', message: 'after is malformed' } }), code: 'bad-request', stops: 'failed' },
  { name: '401 twice', respond: status(401), code: 'unauthorized', stops: 'unauthorized' },
  { name: '403 twice', respond: status(403), code: 'forbidden', stops: 'unauthorized' },
  { name: '404', respond: status(404), code: 'session-not-found', stops: 'closed' },
  { name: '429 without Retry-After', respond: status(429), code: 'rate-limited', retryIn: 0 },
  { name: '429 with Retry-After seconds', respond: status(429, { 'retry-after': '7' }), code: 'rate-limited', retryIn: 7000 },
  { name: '503 without Retry-After', respond: status(503), code: 'server-error', retryIn: 0 },
  { name: '503 with Retry-After seconds', respond: status(503, { 'retry-after': '3' }), code: 'server-error', retryIn: 3000 },
  { name: '503 with Retry-After HTTP-date', respond: status(503, { 'retry-after': httpDate(12_000) }), code: 'server-error', retryIn: 12_000 },
  { name: '503 with an absurd Retry-After (capped at 10 min)', respond: status(503, { 'retry-after': '999999' }), code: 'server-error', retryIn: 600_000 },
  { name: '500', respond: status(500), code: 'server-error', retryIn: 0 },
  { name: '502', respond: status(502), code: 'server-error', retryIn: 0 },
  { name: 'a body that ends mid-frame', respond: endsMidFrame(), code: 'stream-ended', retryIn: 0 },
  { name: 'a connection reset', respond: resetAfterFirstFrame(), code: 'network-error', retryIn: 0 },
]

/** A 200 stream with one frame, under the given Content-Type. */
function contentType(type: string): Responder {
  return () => new Response(frame(row(1)), { status: 200, headers: { 'content-type': type } })
}

/** One connection answered `row` (twice, for the 401/403 retry). */
const run = async (row: Row) => {
  const h = connectHarness({ token: 'tok_secret' }, () => 0)
  h.server.respond(row.respond, row.respond)
  await settle()
  await settle()
  const { lastError } = h.status()
  expect(lastError?.code).toBe(row.code)
  // The token never appears in a URL or an error message.
  expect(h.server.requests.every((r) => !r.url.toString().includes('tok_secret'))).toBe(true)
  expect(`${lastError?.message} ${String(lastError?.cause)}`).not.toContain('tok_secret')
  return h
}

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(NOW)
})
afterEach(() => {
  vi.useRealTimers()
})

describe('bad input: HTTP', () => {
  it.each(rows.filter((row) => row.stops !== undefined))('$name stops as $stops with $code', async (row) => {
    const h = await run(row)
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(h.status().state).toBe(row.stops)
    expect(h.server.requests.length).toBeLessThanOrEqual(2)
    expect(h.ends.map((e) => e?.code)).toEqual([row.code])
  })

  it.each(rows.filter((row) => row.retryIn !== undefined))('$name retries in $retryIn ms with $code', async (row) => {
    const h = await run(row)
    expect(h.status().state).toBe('backoff')
    expect((h.status().nextRetryAt ?? 0) - Date.now()).toBe(row.retryIn)
    h.connection.close()
  })

  it('takes text/event-stream with parameters and in any case as the stream', async () => {
    const h = connectHarness({}, () => 0)
    h.server.respond(contentType('Text/Event-Stream; charset=utf-8'))
    await settle()
    expect(h.durableSeqs()).toEqual([1])
    expect(h.status().lastError?.code).toBe('stream-ended')
    h.connection.close()
  })

  it('a server that accepts and never answers is abandoned after connectTimeoutMs', async () => {
    const h = connectHarness({ connectTimeoutMs: 6000 }, () => 0)
    h.server.respond(hang())
    await settle()
    await vi.advanceTimersByTimeAsync(6000)
    expect(h.status().lastError?.code).toBe('connect-timeout')
    h.connection.close()
  })

  it('reads at most 4 KiB of an error body, even an endless one', async () => {
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(1024).fill(60))
      },
    })
    const h = connectHarness({}, () => 0)
    h.server.respond(() => new Response(endless, { status: 502, headers: { 'content-type': 'text/html' } }))
    await settle()
    expect(h.status().lastError?.code).toBe('server-error')
    expect(pulled).toBeLessThan(10)
    h.connection.close()
  })

  it('a redirect names only the target origin, never its path or query', async () => {
    const h = connectHarness()
    h.server.respond(redirect(302))
    await settle()
    expect(h.status().lastError?.message).toContain('https://elsewhere.test')
    expect(h.status().lastError?.message).not.toContain('next=1')
  })
})
