import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { activity, created, durable, renames, textDelta } from '../support/events.js'
import { connectHarness, settle } from './harness.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('cursor and ordering', () => {
  it('asks for after=-1 first, then resumes after the last durable seq', async () => {
    const h = connectHarness()
    await settle()
    expect(h.server.afterOf(0)).toBe('-1')
    h.server.last.send(...renames(0, 2), activity('idle', 2), textDelta('x'))
    await settle()
    expect(h.status().cursor).toBe(2)
    h.server.last.end()
    await settle()
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.afterOf(1)).toBe('2')
    h.connection.close()
  })

  it('resumes from a given after', async () => {
    const h = connectHarness({ after: 41 })
    await settle()
    expect(h.server.afterOf(0)).toBe('41')
    h.connection.close()
  })

  it('moves the cursor only on durable events', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(created(0), activity('running', 0), textDelta('a'), textDelta('b'))
    await settle()
    expect(h.status().cursor).toBe(0)
    expect(h.events.map((e) => e.type)).toEqual([
      'session.created',
      'session.activity',
      'session.text.delta',
      'session.text.delta',
    ])
    expect(h.status().counters.live).toBe(2)
    h.connection.close()
  })

  it('drops and counts duplicates', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(...renames(0, 2), ...renames(1, 3))
    await settle()
    expect(h.durableSeqs()).toEqual([0, 1, 2, 3])
    expect(h.status().counters.duplicates).toBe(2)
    h.connection.close()
  })

  it('applies nothing after a gap and resubscribes from the cursor', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(...renames(0, 1), ...renames(3, 4))
    await settle()
    expect(h.durableSeqs()).toEqual([0, 1])
    expect(h.status().counters.gaps).toBe(1)
    expect(h.status().lastError?.code).toBe('sequence-gap')
    expect(h.server.streams[0]?.aborted).toBe(true)
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.afterOf(1)).toBe('1')
    h.server.last.send(...renames(2, 4))
    await settle()
    expect(h.durableSeqs()).toEqual([0, 1, 2, 3, 4])
    h.connection.close()
  })

  it('surfaces a gap that repeats as a failure, with growing delays, not a tight loop', async () => {
    const h = connectHarness({ maxProtocolRetries: 3 })
    await settle()
    const attemptsAt: number[] = []
    for (let i = 0; i < 5 && h.status().state !== 'failed'; i++) {
      attemptsAt.push(Date.now())
      h.server.last.send(...renames(0, 0), ...renames(2, 2))
      await settle()
      await vi.advanceTimersByTimeAsync(h.status().nextRetryAt === null ? 0 : h.status().nextRetryAt! - Date.now())
      await settle()
    }
    expect(h.status().state).toBe('failed')
    expect(h.status().lastError?.code).toBe('sequence-gap')
    expect(h.ends.map((e) => e?.code)).toEqual(['sequence-gap'])
    const gaps = attemptsAt.slice(1).map((at, i) => at - attemptsAt[i]!)
    expect(gaps).toEqual([999, 1999, 3999])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('rebuilds from after=-1 when the snapshot cutoff is behind the cursor', async () => {
    const h = connectHarness({ after: 10 })
    await settle()
    h.server.last.send(activity('idle', 3))
    await settle()
    expect(h.resets).toBe(1)
    expect(h.status().counters.resets).toBe(1)
    await settle()
    expect(h.server.afterOf(1)).toBe('-1')
    h.server.last.send(...renames(0, 3), activity('idle', 3))
    await settle()
    expect(h.status().cursor).toBe(3)
    expect(h.status().synced).toBe(true)
    h.connection.close()
  })

  it('surfaces a reset that repeats forever instead of looping', async () => {
    const h = connectHarness({ after: 10 })
    for (let i = 0; i < 10 && h.status().state !== 'failed'; i++) {
      await settle()
      h.server.last.send(...renames(0, 11), activity('idle', 11))
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

  it('stops after session.deleted, marks closed and does not reconnect', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(created(0), activity('idle', 0), durable('session.deleted', 1, {}))
    await settle()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(h.status().state).toBe('closed')
    expect(h.status().lastError?.code).toBe('session-deleted')
    expect(h.server.requests).toHaveLength(1)
    expect(h.events.at(-1)?.type).toBe('session.deleted')
  })
})

describe('bad frames', () => {
  it('skips and counts malformed JSON without dropping the connection', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.raw('data: {not json\n\n')
    h.server.last.send(created(0))
    await settle()
    expect(h.status().counters.invalid).toBe(1)
    expect(h.status().lastError?.code).toBe('malformed-json')
    expect(h.durableSeqs()).toEqual([0])
    expect(h.server.requests).toHaveLength(1)
    h.connection.close()
  })

  it('resubscribes when a durable row fails validation, never skipping it', async () => {
    const h = connectHarness()
    await settle()
    h.server.last.send(created(0), { ...durable('session.renamed', 1, { title: 'x' }), data: { sessionID: 's' } })
    await settle()
    expect(h.status().cursor).toBe(0)
    expect(h.status().lastError?.code).toBe('invalid-event')
    await vi.advanceTimersByTimeAsync(1000)
    expect(h.server.afterOf(1)).toBe('0')
    h.connection.close()
  })

  it('fails the connection on an oversized event and reconnects', async () => {
    const h = connectHarness({ maxEventBytes: 1024 })
    await settle()
    h.server.last.send(durable('session.renamed', 0, { title: 'x'.repeat(4096) }))
    await settle()
    expect(h.status().lastError?.code).toBe('event-too-large')
    expect(h.status().state).toBe('backoff')
    expect(h.events).toHaveLength(0)
    h.connection.close()
  })

  it('keeps unknown types out of the stream but advances the cursor for durable ones', async () => {
    const unknown: string[] = []
    const h = connectHarness()
    await settle()
    h.server.last.send(created(0), { id: 'e', created: 1, type: 'session.future', durable: { aggregateID: 's', seq: 1, version: 1 }, data: {} })
    h.server.last.send(...renames(2, 2))
    await settle()
    expect(h.durableSeqs()).toEqual([0, 2])
    expect(h.status().counters.unknown).toBe(1)
    expect(h.status().counters.gaps).toBe(0)
    void unknown
    h.connection.close()
  })
})
