import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openConnection } from '../../src/transport/connection.js'
import { createTestEnvironment } from '../support/environment.js'
import { activity, durable, row, rows, SESSION, textDelta } from '../support/events.js'
import { createFakeServer } from '../support/fake-server.js'
import { connectHarness, settle } from './harness.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('cursor and ordering', () => {
  it('asks for the whole log without an after parameter, then resumes after the last durable seq', async () => {
    const h = connectHarness()
    await settle()
    expect(h.server.afterOf(0)).toBeNull()
    h.server.last.send(...rows(1, 3), activity('idle', 3), textDelta('x'))
    await settle()
    expect(h.status().cursor).toBe(3)
    h.server.last.end()
    await settle()
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.afterOf(1)).toBe('3')
    h.connection.close()
  })

  it('resumes from a given after, and takes -1 to mean no cursor', async () => {
    const h = connectHarness({ after: 41 })
    await settle()
    expect(h.server.afterOf(0)).toBe('41')
    h.connection.close()
    const none = connectHarness({ after: -1 })
    await settle()
    expect(none.server.afterOf(0)).toBeNull()
    none.connection.close()
  })

  it('refuses a cursor that is not an integer ≥ 0 and a session id that would escape the path, sending nothing', () => {
    const fetch = vi.fn<typeof globalThis.fetch>()
    const open = (sessionID: string, after?: number) => () =>
      openConnection({ baseUrl: 'http://server.test', sessionID, after, fetch }, { event: () => {} })
    expect(open(SESSION, 1.5)).toThrow(expect.objectContaining({ code: 'invalid-cursor' }))
    expect(open(SESSION, -2)).toThrow(expect.objectContaining({ code: 'invalid-cursor' }))
    expect(open(SESSION, Number.NaN)).toThrow(expect.objectContaining({ code: 'invalid-cursor' }))
    for (const id of ['', '.', '..']) expect(open(id)).toThrow(expect.objectContaining({ code: 'invalid-session-id' }))
    expect(fetch).not.toHaveBeenCalled()
  })

  it('moves the cursor only on durable events', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(row(1), activity('running', 1), textDelta('a'), textDelta('b'))
    await settle()
    expect(h.status().cursor).toBe(1)
    expect(h.events.map((e) => e.type)).toEqual([
      'session.next.prompted',
      'session.activity',
      'session.next.text.delta',
      'session.next.text.delta',
    ])
    expect(h.status().counters.live).toBe(2)
    h.connection.close()
  })

  it('drops and counts duplicates', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(...rows(1, 3), ...rows(2, 4))
    await settle()
    expect(h.durableSeqs()).toEqual([1, 2, 3, 4])
    expect(h.status().counters.duplicates).toBe(2)
    h.connection.close()
  })

  it('applies a seq that skips private rows, counts the skip, and never resubscribes for it', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(row(3), row(4), row(7), activity('idle', 9), row(12))
    await settle()
    expect(h.durableSeqs()).toEqual([3, 4, 7, 12])
    expect(h.status().cursor).toBe(12)
    // The first row may start anywhere: only jumps after a cursor are skips.
    expect(h.status().counters.skips).toBe(2)
    expect(h.status().lastError).toBeNull()
    expect(h.server.requests).toHaveLength(1)
    h.connection.close()
  })

  it('rebuilds from the whole log when the snapshot cutoff is behind the cursor', async () => {
    const h = connectHarness({ after: 10 })
    await settle()
    h.server.last.send(activity('idle', 3))
    await settle()
    expect(h.resets).toBe(1)
    expect(h.status().counters.resets).toBe(1)
    await settle()
    expect(h.server.afterOf(1)).toBeNull()
    h.server.last.send(...rows(1, 3), activity('idle', 3))
    await settle()
    expect(h.status().cursor).toBe(3)
    expect(h.status().synced).toBe(true)
    h.connection.close()
  })

  it('reads a history reset only from an attempt’s first activity: later ones are transitions', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(...rows(1, 3), activity('idle', 3), row(4), row(5))
    // A server that repeats its first cutoff on later transitions has not lost anything.
    h.server.last.send(activity('running', 3), row(6), activity('idle', 3))
    await settle()
    expect(h.resets).toBe(0)
    expect(h.status()).toMatchObject({ cursor: 6, state: 'open' })
    expect(h.server.requests).toHaveLength(1)
    h.connection.close()
  })

  it('surfaces a reset that repeats forever instead of looping', async () => {
    const h = connectHarness({ after: 10 })
    for (let i = 0; i < 10 && h.status().state !== 'failed'; i++) {
      await settle()
      h.server.last.send(...rows(1, 11), activity('idle', 11))
      await settle()
      h.server.last.end()
      await vi.advanceTimersByTimeAsync(1000)
      await settle()
      h.server.last.send(activity('idle', 2))
      await settle()
      await vi.advanceTimersByTimeAsync(30_000)
    }
    expect(h.status().state).toBe('failed')
    expect(h.status().lastError?.code).toBe('history-reset-loop')
    expect(h.server.requests.length).toBeLessThan(12)
  })

  it('ends with history-reset when the consumer asked for errors instead of rebuilds', async () => {
    const h = connectHarness({ after: 10, onHistoryReset: 'error' })
    await settle()
    h.server.last.send(activity('idle', 3))
    await settle()
    expect(h.status().state).toBe('failed')
    expect(h.ends[0]?.code).toBe('history-reset')
    expect(h.resets).toBe(0)
  })
})

describe('bad frames', () => {
  it('treats malformed JSON as a corrupt stream: resubscribes from the cursor at once, never skipping past it', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(row(1))
    h.server.last.raw('data: {not json\n\n')
    h.server.last.send(row(2))
    await settle()
    expect(h.durableSeqs()).toEqual([1])
    expect(h.status().counters.protocolErrors).toBe(1)
    expect(h.status().lastError?.code).toBe('malformed-json')
    expect(h.server.streams[0]?.aborted).toBe(true)
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.afterOf(1)).toBe('1')
    h.server.last.send(row(2))
    await settle()
    expect(h.durableSeqs()).toEqual([1, 2])
    h.connection.close()
  })

  it('orders a durable row whose data does not fit, moves the cursor, reports it, and keeps streaming', async () => {
    const h = connectHarness()
    await settle()
    const odd = { ...row(2), data: { ...row(2).data, prompt: { words: ['new', 'shape'] } } }
    h.server.last.send(row(1), odd, row(3), activity('idle', 3))
    await settle()
    expect(h.durableSeqs()).toEqual([1, 3])
    expect(h.status().cursor).toBe(3)
    expect(h.status().counters.invalid).toBe(1)
    expect(h.invalid.map(({ event, error }) => [event, error.code])).toEqual([[odd, 'invalid-event']])
    expect(h.invalid[0]?.error.message).toContain('prompt.text')
    expect(h.status().state).toBe('open')
    expect(h.server.requests).toHaveLength(1)
    h.server.last.end()
    await settle()
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.afterOf(1)).toBe('3')
    h.connection.close()
  })

  it('rejects an event of another session as a protocol error: not applied, cursor kept, resubscribed', async () => {
    const h = connectHarness({ maxProtocolRetries: 2 })
    await settle()
    const foreign = durable('session.next.prompted', 2, { messageID: 'x', prompt: { text: 'not yours' }, delivery: 'steer' }, 'ses_other')
    h.server.last.send(row(1), foreign)
    await settle()
    expect(h.durableSeqs()).toEqual([1])
    expect(h.status().cursor).toBe(1)
    expect(h.status().lastError?.code).toBe('wrong-session')
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.afterOf(1)).toBe('1')
    h.connection.close()
  })

  it('surfaces a protocol error that repeats at one cursor as a failure, with growing delays, not a tight loop', async () => {
    const h = connectHarness({ maxProtocolRetries: 3 })
    await settle()
    const attemptsAt: number[] = []
    for (let i = 0; i < 5 && h.status().state !== 'failed'; i++) {
      attemptsAt.push(Date.now())
      h.server.last.send(row(1))
      h.server.last.raw('data: {"torn\n\n')
      await settle()
      await vi.advanceTimersByTimeAsync(h.status().nextRetryAt === null ? 0 : h.status().nextRetryAt! - Date.now())
      await settle()
    }
    expect(h.status().state).toBe('failed')
    expect(h.status().lastError?.code).toBe('malformed-json')
    expect(h.ends.map((e) => e?.code)).toEqual(['malformed-json'])
    const delays = attemptsAt.slice(1).map((at, i) => at - attemptsAt[i]!)
    expect(delays).toEqual([999, 1999, 3999])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('counts protocol errors per cursor: errors after progress never add up to a failure', async () => {
    const h = connectHarness({ maxProtocolRetries: 2 })
    await settle()
    for (let seq = 1; seq <= 6; seq++) {
      // Each attempt moves the cursor, then meets a torn frame: a new position each time.
      h.server.last.send(row(seq))
      h.server.last.raw('data: {"torn\n\n')
      await settle()
      expect(h.status()).toMatchObject({ state: 'backoff', cursor: seq })
      await vi.advanceTimersByTimeAsync(h.status().nextRetryAt! - Date.now())
      await settle()
      expect(h.server.afterOf(seq)).toBe(String(seq))
    }
    expect(h.status().state).toBe('open')
    expect(h.status().counters.protocolErrors).toBe(6)
    expect(h.ends).toEqual([])
    h.connection.close()
  })

  it('an oversized event that repeats at one cursor fails the connection after maxProtocolRetries', async () => {
    const h = connectHarness({ maxEventBytes: 1024, maxProtocolRetries: 2 })
    for (let i = 0; i < 6 && h.status().state !== 'failed'; i++) {
      await settle()
      h.server.last.send(row(1, 'x'.repeat(4096)))
      await settle()
      if (h.status().nextRetryAt !== null) await vi.advanceTimersByTimeAsync(h.status().nextRetryAt! - Date.now())
    }
    expect(h.status().state).toBe('failed')
    expect(h.ends.map((e) => e?.code)).toEqual(['event-too-large'])
    expect(h.server.requests).toHaveLength(3)
    expect(h.events).toHaveLength(0)
  })

  it('fails the connection on an oversized event and reconnects', async () => {
    const h = connectHarness({ maxEventBytes: 1024 })
    await settle()
    h.server.last.send(row(1, 'x'.repeat(4096)))
    await settle()
    expect(h.status().lastError?.code).toBe('event-too-large')
    expect(h.status().state).toBe('backoff')
    expect(h.events).toHaveLength(0)
    h.connection.close()
  })

  it('keeps unknown types out of the stream but advances the cursor for durable ones', async () => {
    const h = connectHarness()
    await settle()
    const future = { id: 'e', type: 'session.next.future', durable: { aggregateID: SESSION, seq: 2, version: 1 }, data: { sessionID: SESSION } }
    h.server.last.send(row(1), future, row(3))
    await settle()
    expect(h.durableSeqs()).toEqual([1, 3])
    expect(h.status().cursor).toBe(3)
    expect(h.status().counters.unknown).toBe(1)
    expect(h.unknown).toEqual([future])
    expect(h.status().counters.skips).toBe(0)
    h.connection.close()
  })

  it('a consumer that rejects an event stops the stream with consumer-error and the cursor before that event', async () => {
    const server = createFakeServer()
    const env = createTestEnvironment()
    const seen: number[] = []
    let ends: unknown[] = []
    const connection = openConnection(
      { baseUrl: 'http://server.test', sessionID: SESSION, fetch: server.fetch, environment: env.environment, shape: 'unified' },
      {
        event: (event) => {
          if (event.durable === undefined) return undefined
          seen.push(event.durable.seq)
          return event.durable.seq === 2 ? Promise.reject(new Error('disk full')) : undefined
        },
        end: (error) => void (ends = [...ends, error?.code]),
      },
    )
    await settle()
    server.last.send(row(1), row(2), row(3))
    await settle()
    expect(seen).toEqual([1, 2])
    expect(connection.status()).toMatchObject({ state: 'failed', cursor: 1 })
    expect(connection.status().lastError?.code).toBe('consumer-error')
    expect(String((connection.status().lastError?.cause as Error | undefined)?.message)).toBe('disk full')
    expect(ends).toEqual(['consumer-error'])
  })
})
