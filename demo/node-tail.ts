import { parseArgs } from 'node:util'
import { createSessionClient, isSessionStreamError, type SessionEvent } from '../src/index.js'
import { createMockApi } from './lib/mock-api.js'
import { scriptedTurn } from './lib/scripted-reply.js'

/*
 * `npm run tail -- [--url <mock>] [--session <id>] [--after <seq>] [--exit-after-turn] [--interval <ms>]`
 *
 * Follows one session in a terminal with the SDK's async iterator: durable events print as
 * `seq type`, text deltas stream inline. Without --session it creates a session on the mock
 * server and starts a scripted turn, so there is something to watch. --exit-after-turn
 * stops once the turn's answer step ends. Ctrl-C stops cleanly.
 */

const USAGE =
  'usage: npm run tail -- [--url <mock url>] [--session <id>] [--after <seq>] [--exit-after-turn] [--interval <ms per delta of the scripted turn>]'

interface Args {
  readonly url: string
  readonly session: string | undefined
  readonly after: number | undefined
  readonly exitAfterTurn: boolean
  readonly intervalMs: number
}

function readArgs(): Args {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:4010' },
      session: { type: 'string' },
      after: { type: 'string' },
      'exit-after-turn': { type: 'boolean', default: false },
      interval: { type: 'string', default: '15' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  if (values.after !== undefined && !/^\d+$/.test(values.after)) throw new Error('--after must be an integer >= 0')
  if (!/^\d+$/.test(values.interval)) throw new Error('--interval must be a non-negative integer')
  return {
    url: values.url,
    session: values.session,
    after: values.after === undefined ? undefined : Number(values.after),
    exitAfterTurn: values['exit-after-turn'],
    intervalMs: Number(values.interval),
  }
}

/** Writes the stream: one line per durable event, text deltas inline between them. */
function createPrinter(out: NodeJS.WriteStream) {
  let midLine = false
  // What the deltas of each open text part spelled, to notice fragments lost to a reconnect.
  const streamed = new Map<string, string>()
  const line = (text: string) => {
    out.write(`${midLine ? '\n' : ''}${text}\n`)
    midLine = false
  }
  return (event: SessionEvent) => {
    switch (event.type) {
      case 'session.next.text.delta': {
        const key = `${event.data.assistantMessageID}/${event.data.textID}`
        streamed.set(key, (streamed.get(key) ?? '') + event.data.delta)
        out.write(event.data.delta)
        midLine = true
        return
      }
      case 'session.next.text.ended': {
        const key = `${event.data.assistantMessageID}/${event.data.textID}`
        const seen = streamed.get(key)
        streamed.delete(key)
        line(`${event.durable.seq} ${event.type}`)
        // A reconnect mid-part loses live fragments: the ended event has the full text.
        if (seen !== event.data.text) line(`  (full text) ${event.data.text}`)
        return
      }
      case 'session.activity':
        line(`   activity ${event.data.status}`)
        return
      default:
        if (event.durable !== undefined) line(`${event.durable.seq} ${event.type}`)
    }
  }
}

/**
 * Notices the end of a turn. A tool turn is two steps, so a `step.ended` with
 * `finish: 'tool-calls'` is not it; the answer step's end (any other finish), a failed step,
 * or the activity going idle after running is. Ends replayed before the activity snapshot
 * belong to a finished turn only if the snapshot then says idle: otherwise a turn runs now.
 */
function createTurnWatch() {
  let synced = false
  let running = false
  let endedInReplay = false
  return (event: SessionEvent): boolean => {
    switch (event.type) {
      case 'session.next.step.ended':
      case 'session.next.step.failed': {
        const end = event.type === 'session.next.step.failed' || event.data.finish !== 'tool-calls'
        if (end && synced) return true
        if (end) endedInReplay = true
        return false
      }
      case 'session.next.step.started':
        endedInReplay = false
        return false
      case 'session.activity': {
        const first = !synced
        synced = true
        const wasRunning = running
        running = event.data.status === 'running'
        return event.data.status === 'idle' && (first ? endedInReplay : wasRunning)
      }
      default:
        return false
    }
  }
}

/** Fails with what to do when nothing answers at `url`: the tail needs a running server. */
async function probe(url: string): Promise<void> {
  try {
    await fetch(`${url.replace(/\/+$/, '')}/api/session/active`, { signal: AbortSignal.timeout(5000) })
  } catch {
    throw new Error(
      `nothing answered at ${url}. Start the mock server first (npm run mock-server -- --port 4010), ` +
        'or point --url at a running one (an opencode server: --url http://127.0.0.1:4096 --session <id>).',
    )
  }
}

async function main(): Promise<number> {
  const args = readArgs()
  await probe(args.url)
  const api = createMockApi(args.url)
  let sessionID = args.session
  if (sessionID === undefined) {
    sessionID = await api.createSession('node-tail')
    const prompt = 'How do resumable streams survive a dropped connection?'
    await api.startTurn(sessionID, scriptedTurn(prompt, args.intervalMs))
    console.log(`created ${sessionID} and started a scripted turn`)
  }
  console.log(`tailing ${sessionID} on ${args.url}${args.after === undefined ? '' : ` after seq ${args.after}`} (Ctrl-C stops)`)

  const controller = new AbortController()
  const onSignal = () => controller.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  const client = createSessionClient({ baseUrl: args.url, backoff: { initialDelay: 250, maxDelay: 5000 } })
  const print = createPrinter(process.stdout)
  const turnEnded = createTurnWatch()
  try {
    for await (const event of client.sessions.events({ sessionID, after: args.after, signal: controller.signal })) {
      print(event)
      if (turnEnded(event) && args.exitAfterTurn) break
    }
    if (controller.signal.aborted) console.log('\nstopped')
    return 0
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    client.close()
  }
}

// Exit codes are set, not forced: the client releases every timer and socket on close,
// so the process ends by itself once the output is flushed.
main().then(
  (code) => {
    process.exitCode = code
  },
  (cause: unknown) => {
    const message = isSessionStreamError(cause) ? `${cause.code}: ${cause.message}` : cause instanceof Error ? cause.message : String(cause)
    console.error(`node-tail: ${message}`)
    process.exitCode = 1
  },
)
