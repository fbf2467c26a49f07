// README "Testing your UI against a bad network": the setup, verbatim, and the test's body
// without vitest: a client stands in for the rendered component.
import { setupServer } from 'msw/node'
import { createSessionClient } from 'session-stream'
import { createMockEngine, createMockHandlers, faultControls, releaseResponseClones, startTurn } from 'session-stream/testing'

export const baseUrl = 'https://api.example.test'
export const engine = createMockEngine()
export const server = setupServer(...createMockHandlers(engine, { baseUrl }))
releaseResponseClones(server.events) // lets a cancelled stream reach the engine at once

/** Starts a turn, drops every stream mid-turn, and returns what the UI would show once idle. */
export async function faultExample(): Promise<{ outcome: string; text: string | undefined }> {
  const client = createSessionClient({ baseUrl, backoff: { initialDelay: 10, maxDelay: 100 } })
  const sessionID = engine.createSession()
  const session = client.session(sessionID)
  let running!: () => void
  let idle!: () => void
  const isRunning = new Promise<void>((resolve) => (running = resolve))
  const isIdle = new Promise<void>((resolve) => (idle = resolve))
  let sawRunning = false
  const stop = session.$view.subscribe((view) => {
    if (view.activity === 'running') {
      sawRunning = true
      running()
    }
    if (sawRunning && view.activity === 'idle') idle()
  })
  const turn = startTurn(engine, sessionID, { prompt: 'hi', text: 'hello from the mock', chunk: 2, intervalMs: 10 })
  await isRunning // (the README drops at once; waiting for the run makes sure the drop hits a live stream)
  faultControls(engine).drop('reset') // also: dropAfter(n), stall()/resume(), split(), duplicate(), restart(), shed(s), clear()
  const outcome = await turn.done
  await isIdle
  const last = session.$view.get().messages.at(-1)
  const part = last?.role === 'assistant' ? last.parts.find((p) => p.type === 'text') : undefined
  stop()
  client.close()
  return { outcome, text: part?.type === 'text' ? part.text : undefined }
}
