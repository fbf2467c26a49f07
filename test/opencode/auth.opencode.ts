import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { basicAuth, createSessionClient, type SessionClient, type SessionView } from '../../src/index.js'
import { turn, turnDone, waitFor } from './support/helpers.js'
import { DEFAULT_SCRIPT, startModel, type ScriptedModel } from './support/model.js'
import { startOpencode, type OpencodeServer } from './support/server.js'

/* The released server with `OPENCODE_SERVER_PASSWORD`: HTTP Basic `opencode:<password>` on every route. */

const PASSWORD = 'correct horse battery staple'

let model: ScriptedModel
let server: OpencodeServer
const clients: SessionClient[] = []

const client = (headers?: Record<string, string>) => {
  const made = createSessionClient({ baseUrl: server.url, backoff: { initialDelay: 200, maxDelay: 1_000 }, ...(headers === undefined ? {} : { headers }) })
  clients.push(made)
  return made
}

const explain = (view: SessionView) => `${JSON.stringify(view, null, 1).slice(0, 6000)}\n--- opencode output ---\n${server.log().slice(-3000)}`

beforeAll(async () => {
  model = await startModel()
  server = await startOpencode({ model, password: PASSWORD })
}, 120_000)

afterEach(() => {
  for (const made of clients.splice(0)) made.close()
})

afterAll(async () => {
  await server?.stop()
  await model?.close()
})

describe('a password-protected server', () => {
  it('serves a whole tool turn to a client with headers: basicAuth(password)', async () => {
    const sdk = client(basicAuth(PASSWORD))
    const { id } = await sdk.sessions.create()
    const handle = sdk.session(id)
    const unlisten = handle.$view.listen(() => {})
    await waitFor(handle.$connection, (status) => status.shape === 'split', 10_000)

    await sdk.sessions.prompt(id, 'Please use a tool to read the readme')
    const view = await waitFor(handle.$view, turnDone(0), 30_000, explain)
    const { user, steps } = turn(view, 0)
    expect(user).toMatchObject({ role: 'user', text: 'Please use a tool to read the readme' })
    expect(steps.map((step) => step.finish)).toEqual(['tool-calls', 'stop'])
    expect(steps[0]!.parts.find((part) => part.type === 'tool')).toMatchObject({ name: 'read', status: 'success', input: { path: 'README.md' } })
    expect(steps[1]!.parts).toEqual([expect.objectContaining({ type: 'text', text: DEFAULT_SCRIPT.answer })])
    const status = handle.$connection.get()
    expect(status).toMatchObject({ state: 'open', shape: 'split', lastError: null })
    // Live fragments came through the server-wide stream, which needs the password too.
    expect(status.counters.liveApplied).toBeGreaterThan(0)
    unlisten()
  })

  it("ends 'unauthorized' with a wrong password, and the API calls reject with the same code", async () => {
    const { id } = await client(basicAuth(PASSWORD)).sessions.create()

    const wrong = client(basicAuth('not the password'))
    await expect(wrong.sessions.create()).rejects.toMatchObject({ name: 'SessionStreamError', code: 'unauthorized' })
    await expect(wrong.sessions.prompt(id, 'hello')).rejects.toMatchObject({ code: 'unauthorized' })
    const handle = wrong.session(id)
    const unlisten = handle.$connection.listen(() => {})
    const status = await waitFor(handle.$connection, (current) => current.state === 'unauthorized' || current.state === 'failed', 15_000)
    expect(status.state).toBe('unauthorized')
    expect(status.lastError?.code).toBe('unauthorized')
    expect(handle.$view.get().messages).toEqual([])
    unlisten()

    // No credentials at all: the same.
    const anonymous = client().session(id)
    const stop = anonymous.$connection.listen(() => {})
    expect((await waitFor(anonymous.$connection, (current) => current.state === 'unauthorized' || current.state === 'failed', 15_000)).state).toBe('unauthorized')
    stop()
  })
})
