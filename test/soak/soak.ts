import type { Fault, TurnInput } from '../../mock-server/index.js'
import { startMockServer } from '../../mock-server/node.js'
import { createSessionClient } from '../../src/client/client.js'
import type { SessionEvent } from '../../src/protocol/events.js'
import type { SessionHandle } from '../../src/store/session-store.js'
import type { Message } from '../../src/view/types.js'
import { comparable, publicSeqs, serverFold } from '../support/convergence.js'
import { seededRandom } from '../support/random.js'

/*
 * A fault-injection soak: many sessions streaming scripted turns through the real Node
 * mock server on 127.0.0.1 while a fault schedule drops, stalls, splits, duplicates,
 * restarts and sheds. Bounded by a turn count and a deadline; loopback only. It runs one
 * phase per server shape: `unified` (the seed's session stream) and `split` (the released
 * opencode server: rows on the session stream, fragments on the one `/api/event`, activity
 * from `/api/session/active`), where drops also hit one kind of stream at a time.
 */

export type SoakShape = 'unified' | 'split'

export interface SoakOptions {
  readonly sessions: number
  readonly turnsPerSession: number
  /** Hard stop for the turn phase, ms. */
  readonly deadlineMs: number
  readonly seed: number
  /** Upper bound of the pause between deltas, ms: longer turns meet more faults. @default 6 */
  readonly maxIntervalMs?: number
  /** One phase per shape, in this order, each with `sessions` sessions and its own deadline. @default ['unified', 'split'] */
  readonly shapes?: readonly SoakShape[]
  readonly log?: (line: string) => void
}

/** Totals over every phase, and each phase on its own in `byShape`. */
export interface SoakReport extends PhaseReport {
  readonly byShape: Readonly<Partial<Record<SoakShape, PhaseReport>>>
}

export interface PhaseReport {
  readonly seed: number
  readonly sessions: number
  readonly turns: number
  readonly eventsDelivered: number
  readonly durableDelivered: number
  readonly reconnects: number
  readonly faults: Readonly<Record<string, number>>
  readonly durableLost: number
  readonly appliedTwice: number
  readonly deltasBeforeStart: number
  /** Live fragments folded into views (in `split`, they came on `/api/event`). */
  readonly liveApplied: number
  readonly viewsEqualToServerFold: number
  /** Sessions left looking busy after they settled: activity not idle, or a message or part still streaming. */
  readonly staleSpinners: number
  /** Sessions whose connection ended on another shape than its server's. */
  readonly wrongShape: number
  readonly textsExact: number
  readonly completedTurns: number
  readonly heapStartMB: number
  readonly heapEndMB: number
  readonly elapsedMs: number
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const heapMB = () => {
  ;(globalThis as { gc?: () => void }).gc?.()
  return Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10
}

/** Whether a message still shows as in progress. */
const spinning = (m: Message): boolean =>
  m.role === 'assistant'
    ? m.status === 'streaming' || m.parts.some((p) => p.streaming || (p.type === 'tool' && (p.status === 'pending' || p.status === 'running')))
    : (m.role === 'shell' && m.status === 'running') || (m.role === 'compaction' && m.status === 'streaming')

const WORDS = ['stream', 'cursor', 'replay', 'snapshot', 'delta', 'durable', 'spinner', 'résumé', '🚀', 'idle']

function randomTurn(random: () => number, index: number, maxIntervalMs: number): TurnInput {
  const words = Array.from({ length: 8 + Math.floor(random() * (maxIntervalMs > 6 ? 120 : 30)) }, () => WORDS[Math.floor(random() * WORDS.length)])
  return {
    prompt: `question ${index}`,
    text: words.join(' '),
    ...(random() < 0.5 ? { reasoning: `thinking about ${index}` } : {}),
    ...(random() < 0.5 ? { tools: [{ name: 'read', input: { file: `f${index}.ts` }, output: 'contents' }] } : {}),
    chunk: 1 + Math.floor(random() * 5),
    intervalMs: Math.floor(random() * maxIntervalMs),
  }
}

/** One fault and, for switches, the action that lifts it later. Split drops and stalls may aim at one kind of stream. */
function randomFault(random: () => number, shape: SoakShape): { fault: Fault; lift?: Fault; holdMs: number } {
  const holdMs = 100 + Math.floor(random() * 500)
  const pick = Math.floor(random() * 10)
  const target = shape === 'unified' ? {} : { target: (['all', 'session', 'server'] as const)[Math.floor(random() * 3)] ?? 'all' }
  switch (pick) {
    case 0:
      return { fault: { type: 'drop', mode: 'end', ...target }, holdMs }
    case 1:
      return { fault: { type: 'drop', mode: 'reset', ...target }, holdMs }
    case 2:
      return { fault: { type: 'drop-after', frames: 1 + Math.floor(random() * 30) }, lift: { type: 'clear' }, holdMs }
    case 3:
      return { fault: { type: 'stall', on: true, ...target }, lift: { type: 'stall', on: false }, holdMs }
    case 4:
      return { fault: { type: 'split', on: true }, lift: { type: 'split', on: false }, holdMs }
    case 5:
      return { fault: { type: 'duplicate', on: true }, lift: { type: 'duplicate', on: false }, holdMs }
    case 6:
      return { fault: { type: 'restart' }, holdMs }
    case 7:
      return { fault: { type: 'private-rows', on: true }, lift: { type: 'private-rows', on: false }, holdMs }
    default:
      return { fault: { type: 'shed', on: true, retryAfterSeconds: random() < 0.5 ? 0 : 1 }, lift: { type: 'shed', on: false }, holdMs }
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const random = seededRandom(options.seed)
  const byShape: Partial<Record<SoakShape, PhaseReport>> = {}
  for (const shape of options.shapes ?? ['unified', 'split']) {
    options.log?.(`phase ${shape}`)
    byShape[shape] = await runPhase(options, shape, random)
  }
  const phases = Object.values(byShape)
  const first = phases[0]
  if (first === undefined) throw new Error('no soak phase ran')
  const sum = (key: keyof PhaseReport) => phases.reduce((total, phase) => total + (phase[key] as number), 0)
  const faults: Record<string, number> = {}
  for (const phase of phases) for (const [name, count] of Object.entries(phase.faults)) faults[name] = (faults[name] ?? 0) + count
  return {
    seed: options.seed,
    sessions: sum('sessions'),
    turns: sum('turns'),
    eventsDelivered: sum('eventsDelivered'),
    durableDelivered: sum('durableDelivered'),
    reconnects: sum('reconnects'),
    faults,
    durableLost: sum('durableLost'),
    appliedTwice: sum('appliedTwice'),
    deltasBeforeStart: sum('deltasBeforeStart'),
    liveApplied: sum('liveApplied'),
    viewsEqualToServerFold: sum('viewsEqualToServerFold'),
    staleSpinners: sum('staleSpinners'),
    wrongShape: sum('wrongShape'),
    textsExact: sum('textsExact'),
    completedTurns: sum('completedTurns'),
    heapStartMB: first.heapStartMB,
    heapEndMB: phases.at(-1)?.heapEndMB ?? first.heapEndMB,
    elapsedMs: sum('elapsedMs'),
    byShape,
  }
}

async function runPhase(options: SoakOptions, shape: SoakShape, random: () => number): Promise<PhaseReport> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const heapStartMB = heapMB()
  const server = await startMockServer({ heartbeatMs: 250, shape })
  const engine = server.engine
  const seen = new Map<string, { seqs: number[]; events: number }>()
  const client = createSessionClient({
    baseUrl: server.url,
    backoff: { initialDelay: 20, maxDelay: 300, multiplier: 2 },
    idleTimeoutMs: 750,
    maxProtocolRetries: 1000,
    onEvent: (event: SessionEvent, sessionID) => {
      const record = seen.get(sessionID)
      if (record === undefined) return
      record.events++
      if (event.durable !== undefined) record.seqs.push(event.durable.seq)
    },
  })
  const faults: Record<string, number> = {}
  const handles: { id: string; handle: SessionHandle; stop: () => void; turns: { id: string; text: string; completed: boolean }[] }[] = []
  try {
    for (let i = 0; i < options.sessions; i++) {
      const id = engine.createSession({ title: `soak ${i}` })
      seen.set(id, { seqs: [], events: 0 })
      const handle = client.session(id)
      handles.push({ id, handle, stop: handle.$view.listen(() => {}), turns: [] })
    }
    // Each client tells the shape first, as an app that opens a session before prompting it:
    // in auto, live rows re-arm the split detector, so a turn already under way delays it.
    const detectBy = Date.now() + 10_000
    while (Date.now() < detectBy && handles.some((s) => s.handle.$connection.get().shape !== shape)) await sleep(20)

    const phase = { running: true }
    const deadline = started + options.deadlineMs
    const chaos = (async () => {
      while (phase.running && Date.now() < deadline) {
        await sleep(50 + Math.floor(random() * 250))
        if (!phase.running) break
        const { fault, lift, holdMs } = randomFault(random, shape)
        const aim = 'target' in fault && fault.target !== undefined && fault.target !== 'all' ? `@${fault.target}` : ''
        const name = `${fault.type === 'drop' ? `drop-${fault.mode}` : fault.type}${aim}`
        faults[name] = (faults[name] ?? 0) + 1
        engine.applyFault(fault)
        if (lift !== undefined) {
          await sleep(holdMs)
          engine.applyFault(lift)
        }
      }
    })()

    await Promise.all(
      handles.map(async (session, index) => {
        for (let t = 0; t < options.turnsPerSession && Date.now() < deadline; t++) {
          const turn = randomTurn(random, index * 1000 + t, options.maxIntervalMs ?? 6)
          const run = engine.startTurn(session.id, turn)
          if (run === undefined) throw new Error('turn refused')
          const outcome = await run.done
          session.turns.push({ id: run.assistantMessageID, text: turn.text, completed: outcome === 'completed' })
        }
      }),
    )
    phase.running = false
    await chaos
    engine.applyFault({ type: 'clear' })
    log(`${shape}: turns done after ${Date.now() - started} ms; waiting for every client to converge`)

    const settleBy = Date.now() + 20_000
    for (const session of handles) {
      const latest = engine.latestSeq(session.id)
      while (Date.now() < settleBy) {
        const view = session.handle.$view.get()
        if (view.cursor === latest && view.activity === 'idle') break
        await sleep(20)
      }
    }

    let durableLost = 0
    let appliedTwice = 0
    let viewsEqual = 0
    let staleSpinners = 0
    let wrongShape = 0
    let textsExact = 0
    let completedTurns = 0
    for (const session of handles) {
      const { seqs } = seen.get(session.id) ?? { seqs: [] }
      const unique = new Set(seqs)
      appliedTwice += seqs.length - unique.size
      for (const seq of publicSeqs(engine, session.id)) if (!unique.has(seq)) durableLost++
      const view = session.handle.$view.get()
      if (view.activity !== 'idle' || view.messages.some(spinning)) staleSpinners++
      if (session.handle.$connection.get().shape !== shape) wrongShape++
      if (JSON.stringify(comparable(view)) === JSON.stringify(comparable(serverFold(engine, session.id)))) viewsEqual++
      for (const turn of session.turns.filter((t) => t.completed)) {
        completedTurns++
        const message = view.messages.find((m) => m.id === turn.id)
        const text = message?.role === 'assistant' ? message.parts.find((p) => p.type === 'text') : undefined
        if (text?.type === 'text' && text.text === turn.text) textsExact++
      }
    }
    const totals = handles.map((s) => s.handle.$connection.get().counters)
    return {
      seed: options.seed,
      sessions: handles.length,
      turns: handles.reduce((sum, s) => sum + s.turns.length, 0),
      eventsDelivered: [...seen.values()].reduce((sum, s) => sum + s.events, 0),
      durableDelivered: [...seen.values()].reduce((sum, s) => sum + s.seqs.length, 0),
      reconnects: totals.reduce((sum, c) => sum + c.reconnects, 0),
      faults,
      durableLost,
      appliedTwice,
      deltasBeforeStart: totals.reduce((sum, c) => sum + c.orphans, 0),
      liveApplied: totals.reduce((sum, c) => sum + c.liveApplied, 0),
      viewsEqualToServerFold: viewsEqual,
      staleSpinners,
      wrongShape,
      textsExact,
      completedTurns,
      heapStartMB,
      heapEndMB: heapMB(),
      elapsedMs: Date.now() - started,
    }
  } finally {
    for (const session of handles) session.stop()
    client.close()
    await server.close()
  }
}
