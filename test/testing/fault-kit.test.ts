// @vitest-environment happy-dom
import { setupServer } from 'msw/node'
import { afterEach, expect, it, vi } from 'vitest'
import { createMockEngine, createMockHandlers, faultControls, releaseResponseClones, startTurn } from '../../mock-server/testing.js'
import { createSessionClient } from '../../src/index.js'

// The README's example, as an application team would write it against its own UI state.
const engine = createMockEngine()
const server = setupServer(...createMockHandlers(engine, { baseUrl: 'https://api.example.test' }))
releaseResponseClones(server.events)
server.listen()
afterEach(() => faultControls(engine).clear())

const client = createSessionClient({ baseUrl: 'https://api.example.test', backoff: { initialDelay: 10, maxDelay: 100 } })

const finalText = (sessionID: string) => {
  const view = client.session(sessionID).$view.get()
  const answer = view.messages.at(-1)
  const part = answer?.role === 'assistant' ? answer.parts.find((p) => p.type === 'text') : undefined
  return { text: part?.type === 'text' ? part.text : undefined, activity: view.activity }
}

type Controls = ReturnType<typeof faultControls>

/** Starts a turn, injects a fault once it is running, and waits until the UI shows idle. */
async function turnThrough(inject: (faults: Controls) => void) {
  const sessionID = engine.createSession()
  const session = client.session(sessionID)
  const stop = session.$view.listen(() => {})
  const turn = startTurn(engine, sessionID, { prompt: 'hi', text: 'hello from the mock', chunk: 2, intervalMs: 10 })
  await vi.waitFor(() => expect(finalText(sessionID).activity).toBe('running'))
  inject(faultControls(engine))
  const outcome = await turn.done
  await vi.waitFor(() => expect(finalText(sessionID).activity).toBe('idle'), { timeout: 5000 })
  stop()
  const last = session.$view.get().messages.at(-1)
  return { outcome, status: last?.role === 'assistant' ? last.status : undefined, text: finalText(sessionID).text }
}

it.each([
  ['a dropped stream', (f: Controls) => f.drop('reset')],
  ['frames split into tiny writes', (f: Controls) => f.split()],
  ['duplicated frames', (f: Controls) => f.duplicate()],
  ['a stall that lifts', (f: Controls) => (f.stall(), setTimeout(() => f.resume(), 300))],
])('the UI shows the exact answer after %s', async (_name, inject) => {
  expect(await turnThrough(inject)).toEqual({ outcome: 'completed', status: 'completed', text: 'hello from the mock' })
})

it('the UI shows an interrupted answer, not a spinner, after a server restart', async () => {
  expect(await turnThrough((f) => f.restart())).toMatchObject({ outcome: 'cancelled', status: 'interrupted' })
})
