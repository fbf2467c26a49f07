// README "Without a UI: an async iterable", for a Node program (tsconfig.node16.json).
import { createSessionClient, isDurable } from 'session-stream'

export interface IterableExampleResult {
  readonly seqs: readonly number[]
  readonly deltas: string
  readonly resumed: readonly number[]
}

/** Follows a fresh session while a prompt runs, then replays it from a saved cursor. */
export async function iterableExample(baseUrl: string): Promise<IterableExampleResult> {
  const client = createSessionClient({ baseUrl })
  const { id: sessionID } = await client.sessions.create()
  const saved: number[] = []
  const save = (seq: number) => saved.push(seq)
  let deltas = ''
  let prompted = false

  const controller = new AbortController()
  const signal = controller.signal
  let after: number | undefined
  for await (const event of client.sessions.events({ sessionID, after, signal })) {
    if (isDurable(event)) save(event.durable.seq)
    switch (event.type) {
      case 'session.next.text.delta':
        deltas += event.data.delta // `data` is narrowed by `type` (the README writes it to stdout)
    }
    if (!prompted) {
      prompted = true // the stream is open (its first event arrived): now ask
      void client.sessions.prompt(sessionID, 'hello')
    }
    if (event.type === 'session.next.step.ended') controller.abort() // aborting `signal` ends the loop
  }

  // Resume from a saved cursor: only the rows after it, exactly once, in order.
  after = saved[1]
  const resumed: number[] = []
  for await (const event of client.sessions.events({ sessionID, after })) {
    if (isDurable(event)) resumed.push(event.durable.seq)
    if (event.type === 'session.next.step.ended') break // `break` closes the request and every timer
  }
  client.close()
  return { seqs: saved, deltas, resumed }
}
