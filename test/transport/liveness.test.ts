import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { activity, row } from '../support/events.js'
import { hang, status } from '../support/fake-server.js'
import { connectHarness, settle } from './harness.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('liveness', () => {
  it('reconnects when no byte arrives for idleTimeoutMs', async () => {
    const h = connectHarness({ idleTimeoutMs: 9000 })
    await settle()
    h.server.last.send(row(1), activity('idle', 1))
    await vi.advanceTimersByTimeAsync(8999)
    expect(h.server.requests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(3000)
    expect(h.status().lastError?.code).toBe('idle-timeout')
    expect(h.server.streams[0]?.aborted).toBe(true)
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.requests).toHaveLength(2)
    expect(h.server.afterOf(1)).toBe('1')
    h.connection.close()
  })

  it('gives up on a server that accepts and never answers, after connectTimeoutMs (10 s by default)', async () => {
    const h = connectHarness({ idleTimeoutMs: 60_000 })
    h.server.respond(hang())
    await settle()
    expect(h.status().state).toBe('connecting')
    await vi.advanceTimersByTimeAsync(9000)
    expect(h.status().lastError).toBeNull()
    await vi.advanceTimersByTimeAsync(1000)
    await settle()
    expect(h.status().lastError?.code).toBe('connect-timeout')
    expect(h.server.requests[0]?.signal.aborted).toBe(true)
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.requests).toHaveLength(2)
    h.connection.close()
  })

  it('counts comment frames (heartbeats) as life', async () => {
    const h = connectHarness({ idleTimeoutMs: 9000 })
    await settle()
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(3000)
      h.server.last.comment()
    }
    await settle()
    expect(h.server.requests).toHaveLength(1)
    expect(h.status().state).toBe('open')
    expect(h.status().lastByteAt).toBe(Date.now())
    h.connection.close()
  })

  it('treats a timer that fires far too late with no byte since as a dead socket (sleep)', async () => {
    const h = connectHarness({ idleTimeoutMs: 45_000 })
    await settle()
    // The machine sleeps for a minute: wall time jumps, the timer fires late.
    vi.setSystemTime(Date.now() + 60_000)
    await vi.advanceTimersByTimeAsync(5000)
    expect(h.status().lastError?.code).toBe('sleep-detected')
    expect(h.server.streams[0]?.aborted).toBe(true)
    h.connection.close()
  })

  it('does not mistake a late timer for sleep while bytes keep arriving', async () => {
    const h = connectHarness({ idleTimeoutMs: 45_000 })
    await settle()
    vi.setSystemTime(Date.now() + 30_000)
    h.server.last.comment()
    await settle()
    await vi.advanceTimersByTimeAsync(5000)
    expect(h.status().state).toBe('open')
    h.connection.close()
  })

  it('waits while offline without spending attempts, and reconnects at once when online', async () => {
    const h = connectHarness()
    h.server.respond(status(500))
    await settle()
    expect(h.status().state).toBe('backoff')
    h.env.setOnline(false)
    await settle()
    expect(h.status().state).toBe('offline')
    await vi.advanceTimersByTimeAsync(600_000)
    expect(h.server.requests).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
    h.env.setOnline(true)
    await settle()
    expect(h.server.requests).toHaveLength(2)
    expect(h.status().state).toBe('open')
    expect(h.status().attempt).toBe(0)
    h.connection.close()
  })

  it('drops an open stream when the device goes offline', async () => {
    const h = connectHarness()
    await settle()
    h.env.setOnline(false)
    await settle()
    expect(h.server.streams[0]?.aborted).toBe(true)
    expect(h.status().state).toBe('offline')
    h.env.setOnline(true)
    await settle()
    expect(h.server.requests).toHaveLength(2)
    h.connection.close()
  })

  it('checks liveness at once when the page becomes visible', async () => {
    const h = connectHarness({ idleTimeoutMs: 45_000 })
    await settle()
    h.env.setVisible(false)
    await vi.advanceTimersByTimeAsync(4000)
    h.server.last.comment()
    await vi.advanceTimersByTimeAsync(4000)
    h.env.setVisible(true)
    await settle()
    expect(h.server.requests).toHaveLength(1)
    // Hidden long enough that the socket went quiet: reconnect without waiting for the watchdog.
    h.env.setVisible(false)
    vi.setSystemTime(Date.now() + 30_000)
    h.env.setVisible(true)
    await settle()
    expect(h.status().lastError?.code).toBe('idle-timeout')
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.requests).toHaveLength(2)
    h.connection.close()
  })

  it('retries at once when the page becomes visible during backoff', async () => {
    const h = connectHarness()
    h.server.respond(status(500), status(500), status(500))
    await settle()
    await vi.advanceTimersByTimeAsync(999)
    await vi.advanceTimersByTimeAsync(10)
    expect(h.status().state).toBe('backoff')
    const before = h.server.requests.length
    h.env.setVisible(true)
    await settle()
    expect(h.server.requests.length).toBe(before + 1)
    h.connection.close()
  })
})

describe('Retry-After and token providers', () => {
  it('waits for a server Retry-After even when the page becomes visible or the device comes online', async () => {
    const h = connectHarness({}, () => 0)
    h.server.respond(status(503, { 'retry-after': '120' }))
    await settle()
    h.env.setVisible(false)
    h.env.setVisible(true)
    h.env.setOnline(true)
    await settle()
    expect(h.server.requests).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(h.server.requests).toHaveLength(2)
    h.connection.close()
  })

  it('gives up on a token provider that never answers, and close() does not wait for it', async () => {
    const h = connectHarness({ connectTimeoutMs: 9000, token: () => new Promise<string>(() => {}) })
    await settle()
    await vi.advanceTimersByTimeAsync(12_000)
    expect(h.status().lastError?.code).toBe('connect-timeout')
    expect(h.server.requests).toHaveLength(0)
    h.connection.close()
    await h.connection.done
    expect(vi.getTimerCount()).toBe(0)
    expect(h.env.listenerCount()).toBe(0)
  })
})

describe('close()', () => {
  it('is idempotent and leaves no timer, listener or open request behind', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(row(1), activity('idle', 1))
    await settle()
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    expect(h.env.listenerCount()).toBe(2)
    h.connection.close()
    h.connection.close()
    await h.connection.done
    expect(vi.getTimerCount()).toBe(0)
    expect(h.env.listenerCount()).toBe(0)
    expect(h.server.requests.every((r) => r.signal.aborted)).toBe(true)
    expect(h.status().state).toBe('closed')
    expect(h.ends).toEqual([undefined])
  })

  it('cancels a pending retry', async () => {
    const h = connectHarness()
    h.server.respond(status(503, { 'retry-after': '60' }))
    await settle()
    expect(vi.getTimerCount()).toBe(1)
    h.connection.close()
    await h.connection.done
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(h.server.requests).toHaveLength(1)
  })
})
