// README "Using it": createSessionClient + client.sessions + client.session + $view.subscribe,
// as a browser app would write it (this file sees no Node types under tsconfig.bundler.json).
import { basicAuth, createSessionClient, type SessionConnection, type SessionView } from 'session-stream'

export interface ClientExampleResult {
  readonly sessionID: string
  readonly views: number
  readonly answer: string | undefined
  readonly connection: SessionConnection
}

/** The README's example against `baseUrl`; resolves once the echo reply is in the view and the run is idle. */
export async function clientExample(baseUrl: string, password: string): Promise<ClientExampleResult> {
  const client = createSessionClient({
    baseUrl, // an opencode server, or anything speaking its session API
    headers: basicAuth(password), // opencode's `opencode:<password>`
    backoff: { initialDelay: 1000, maxDelay: 30_000, multiplier: 2 },
    connectTimeoutMs: 10_000,
    idleTimeoutMs: 45_000,
  })

  let views = 0
  let answer: string | undefined
  let done!: () => void
  const answered = new Promise<void>((resolve) => (done = resolve))
  const render = (view: SessionView) => {
    views++
    const last = view.messages.at(-1)
    const text = last?.role === 'assistant' ? last.parts.find((part) => part.type === 'text') : undefined
    if (text?.type === 'text' && last?.role === 'assistant' && last.status === 'completed' && view.activity === 'idle') {
      answer = text.text
      done()
    }
  }

  const { id } = await client.sessions.create() // also: list(), prompt(id, text), interrupt(id), delete(id)
  const session = client.session(id) // one handle per id; { after } resumes from a saved cursor
  const stop = session.$view.subscribe((view) => {
    // view.activity: 'unknown' | 'idle' | 'running'
    render(view)
  })
  await client.sessions.prompt(id, 'Please read the README')
  await answered
  const connection = session.$connection.get() // { state, shape, synced, attempt, nextRetryAt, lastError, lastByteAt, cursor, counters, … }

  stop() // the stream closes when the last subscriber leaves
  session.reconnect() // e.g. after `unauthorized`, once the user signed in again
  client.close() // or close everything now
  return { sessionID: id, views, answer, connection }
}
