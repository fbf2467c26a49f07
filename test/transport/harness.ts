import { vi } from 'vitest'
import type { SessionStreamError } from '../../src/errors.js'
import type { SessionEvent, UnknownEvent } from '../../src/protocol/events.js'
import { openConnection, type ConnectionOptions } from '../../src/transport/connection.js'
import { createTestEnvironment } from '../support/environment.js'
import { createFakeServer } from '../support/fake-server.js'
import { SESSION } from '../support/events.js'

/** Lets promise chains (fetch → body → parser → sink) run to quiescence under fake timers. */
export const settle = async () => {
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0)
}

/** An open connection on a fake server and a fake environment, with everything it delivered. */
export function connectHarness(options: Partial<ConnectionOptions> = {}, random?: () => number) {
  const server = createFakeServer()
  const env = createTestEnvironment(random)
  const events: SessionEvent[] = []
  const invalid: { event: UnknownEvent; error: SessionStreamError }[] = []
  const unknown: UnknownEvent[] = []
  const ends: (SessionStreamError | undefined)[] = []
  let resets = 0
  const connection = openConnection(
    {
      baseUrl: 'http://server.test',
      sessionID: SESSION,
      fetch: server.fetch,
      environment: env.environment,
      backoff: { initialDelay: 1000, maxDelay: 30_000, multiplier: 2 },
      // The seed's contract; the split shape of a released opencode server has tests of its own.
      shape: 'unified',
      ...options,
    },
    {
      event: (event) => {
        events.push(event)
      },
      invalid: (event, error) => {
        invalid.push({ event, error })
      },
      unknown: (event) => {
        unknown.push(event)
      },
      reset: () => {
        resets++
      },
      end: (error) => {
        ends.push(error)
      },
    },
  )
  return {
    server,
    env,
    connection,
    events,
    invalid,
    unknown,
    ends,
    get resets() {
      return resets
    },
    status: () => connection.status(),
    durableSeqs: () => events.flatMap((event) => (event.durable === undefined ? [] : [event.durable.seq])),
  }
}
