import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createMemoryLogStore, createMockEngine, PRIVATE_ROW_TYPE, type Fault, type MockEngine } from '../../mock-server/index.js'
import { setupMockServer } from '../../mock-server/msw-node.js'
import { createSessionClient } from '../../src/client/client.js'
import type { DurableEvent } from '../../src/protocol/events.js'
import { foldEvents } from '../../src/view/fold.js'
import { comparable } from '../support/convergence.js'

/*
 * The session the released opencode server recorded (test/fixtures/opencode-1.18.34), replayed
 * by the mock server from its log, with faults: a client that follows it, through every fault,
 * ends with the view the recorded rows fold to.
 */

const BASE = 'http://recorded.test'
const rows = readFileSync(new URL('../fixtures/opencode-1.18.34/session-stream.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as DurableEvent)
const sessionID = rows[0]?.durable.aggregateID ?? ''
const lastSeq = rows.at(-1)?.durable.seq ?? 0

let engine: MockEngine
let server: ReturnType<typeof setupMockServer>

beforeAll(() => {
  const logStore = createMemoryLogStore()
  // opencode's seq 0 is private: the recording starts at 1, so the log does too.
  logStore.append(sessionID, {
    id: 'evt_private0',
    type: PRIVATE_ROW_TYPE,
    durable: { aggregateID: sessionID, seq: 0, version: 1 },
    data: { timestamp: 0, sessionID },
  })
  for (const row of rows) logStore.append(sessionID, row)
  engine = createMockEngine({ logStore, heartbeatMs: 100 })
  server = setupMockServer(engine, { baseUrl: BASE })
  server.listen({ onUnhandledRequest: 'error' })
})
afterAll(() => {
  server.close()
  engine.close()
})

const expected = foldEvents([...rows, { id: 'final', type: 'session.activity', data: { timestamp: 0, sessionID, status: 'idle', cutoff: lastSeq } }])

describe('the recorded opencode session, replayed by the mock server', () => {
  it.each<[string, Fault[]]>([
    ['no fault', []],
    ['frames split into 1–7 byte writes', [{ type: 'split', on: true }]],
    ['every durable frame written twice', [{ type: 'duplicate', on: true }]],
    ['streams cut after every 4 frames', [{ type: 'drop-after', frames: 4 }]],
    ['all of them at once', [{ type: 'split', on: true, bytes: 3 }, { type: 'duplicate', on: true }, { type: 'drop-after', frames: 5 }]],
  ])('folds to the view its rows fold to, with %s', async (_name, faults) => {
    for (const fault of faults) engine.applyFault(fault)
    const client = createSessionClient({ baseUrl: BASE, backoff: { initialDelay: 5, maxDelay: 20 }, maxProtocolRetries: 1000 })
    try {
      const session = client.session(sessionID)
      session.$view.listen(() => {})
      await vi.waitFor(
        () => {
          expect(session.$view.get()).toMatchObject({ cursor: lastSeq, activity: 'idle' })
        },
        { timeout: 10_000, interval: 10 },
      )
      const view = session.$view.get()
      expect(comparable(view)).toEqual(comparable(expected))
      expect(view.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'assistant', 'user', 'assistant'])
      expect(session.$connection.get().counters).toMatchObject({ invalid: 0, protocolErrors: 0, unknown: 0 })
    } finally {
      client.close()
      engine.applyFault({ type: 'clear' })
    }
  })
})
