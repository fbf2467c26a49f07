import { startMockServer } from '../../mock-server/node.js'
import type { TurnSink } from '../../mock-server/index.js'
import { buildTurnScript, MOCK_MODEL } from '../../mock-server/index.js'
import { sleep } from './stats.js'
import { stamp, type ServerRequest } from './server.js'
import { realisticTurn, seeded, seededIds } from './wire.js'

// mock-server/node.ts's writable() leaves a 'close' (and an 'error') listener behind per
// backpressure wait, so a long replay trips Node's MaxListeners warning on every stream.
// Reported; said once here rather than dozens of times per run.
let warned = false
process.removeAllListeners('warning')
process.on('warning', (warning) => {
  if (warning.name !== 'MaxListenersExceededWarning') return console.warn(warning)
  if (!warned) console.warn('mock server: listeners pile up on a ServerResponse under backpressure (MaxListenersExceededWarning)')
  warned = true
})

const server = await startMockServer({ queueLimit: 100_000 })
const { engine } = server
const random = seeded(9)
const ids = seededIds(random)

/**
 * Commits durable-only turns (the rows a replay sends) until the log holds `durable` public
 * rows. Seq 0 is the session's private row, never sent, so they are seqs 1..`durable`.
 */
function seed(durable: number): { sessionID: string; lastSeq: number; messages: number; bytes: number } {
  const sessionID = engine.createSession({ title: 'replay' })
  let messages = 0
  let bytes = 0
  const sink: TurnSink = {
    commit: (type, data) => {
      if (engine.latestSeq(sessionID) >= durable) return
      bytes += JSON.stringify(engine.commit(sessionID, type, data)).length + 8
    },
    publish: () => {},
    beginRun: () => {},
    endRun: () => {},
  }
  while (engine.latestSeq(sessionID) < durable) {
    const script = buildTurnScript(realisticTurn(random, 1500), ids)
    for (const step of script.steps) step.run(sink)
    messages += 1 + script.assistantMessageIDs.length
  }
  return { sessionID, lastSeq: engine.latestSeq(sessionID), messages, bytes }
}

/** A session mid-turn, its text part open, for deltas to stream into. */
function live(): { sessionID: string; assistantMessageID: string } {
  const sessionID = engine.createSession({ title: 'latency' })
  const assistantMessageID = ids.next('msg')
  const prompt = { messageID: ids.next('msg'), prompt: { text: 'go' }, delivery: 'steer' } as const
  engine.commit(sessionID, 'session.next.prompt.admitted', prompt)
  engine.commit(sessionID, 'session.next.prompted', prompt)
  engine.beginRun(sessionID)
  engine.commit(sessionID, 'session.next.step.started', { assistantMessageID, agent: 'build', model: MOCK_MODEL })
  engine.commit(sessionID, 'session.next.text.started', { assistantMessageID, textID: 'text-0' })
  return { sessionID, assistantMessageID }
}

/** Publishes `count` deltas at `rate` per second, each stamped with the time it was published. */
async function deltas(sessionID: string, assistantMessageID: string, count: number, rate: number): Promise<void> {
  const started = performance.now()
  for (let sent = 0; sent < count; ) {
    const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1)
    for (; sent < due; sent++) {
      engine.publish(sessionID, 'session.next.text.delta', { assistantMessageID, textID: 'text-0', delta: stamp() })
    }
    await sleep(1)
  }
}

async function handle(request: ServerRequest): Promise<unknown> {
  switch (request.type) {
    case 'seed':
      return seed(request.durable)
    case 'live':
      return live()
    case 'deltas':
      return deltas(request.sessionID, request.assistantMessageID, request.count, request.rate)
    case 'drop':
      return engine.applyFault({ type: 'drop' })
    case 'stats':
      return engine.stats()
  }
}

process.on('message', (message: { id: number; request: ServerRequest }) => {
  handle(message.request).then(
    (value) => process.send?.({ id: message.id, value }),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  )
})
process.on('disconnect', () => void server.close().then(() => process.exit(0)))
process.send?.(server.url)
