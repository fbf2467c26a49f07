import type { Decoded, SessionEvent, SessionView, ToolPart } from '../../src/index.js'
import type { Feed } from './feed.js'
import { chunked, encode, seeded, type WireEvent } from './wire.js'

/*
 * A realistic opencode session stream, generated from a seed: the shapes of the recorded
 * opencode 1.18.34 session (test/fixtures/opencode-1.18.34/: the envelope `id, type,
 * durable?{aggregateID, seq, version}, data{timestamp, sessionID, …}`, `step.ended` at
 * version 2, a prompt as `prompt.admitted` + `prompted`, each model step a new assistant
 * message with `reasoning-0` / `text-0`, tool input streamed as JSON fragments, then
 * `tool.called` and `tool.success`), scaled up the way a working session looks: many turns,
 * deltas of 3–20 characters (varied, some non-ASCII), tool calls with real-sized outputs and
 * one 1 MiB tool output mid-session. Live fragments and `session.activity` snapshots are
 * framed as the mock server's unified session stream frames them (mock-server/engine).
 */

/** The recorded model reference's shape (`id`, `providerID`, `variant`). */
const MODEL = { id: 'claude-sonnet-4-5', providerID: 'anthropic', variant: 'default' } as const
const AGENT = 'build'
const PROVIDER = { executed: false } as const
/** The recorded session's first timestamp. */
const STARTED_AT = 1_796_190_468_532
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const HEX = '0123456789abcdef'
export const MIB = 1024 * 1024

const WORDS = (
  'the a an to of in and for with is this that it we you can will should now then first next ' +
  'function const let return await async import export type interface class module test file ' +
  'stream event session client server cursor delta frame view message part tool input output ' +
  'reasoning parser buffer chunk state store render hook component error retry backoff request ' +
  'response handler config option value array object string number promise callback update'
).split(' ')
/** Some of the text is not Latin-1: accents, punctuation, symbols, CJK, Cyrillic, emoji. */
const RARE = ['café', 'naïve', 'über', 'façade', '—', '→', '✓', '…', '€', 'ß', '日本語', '中文', 'привет', '🚀', '✨', 'Ünïcödé']
const IDENTS = ['session', 'view', 'cursor', 'events', 'frame', 'handle', 'store', 'parser', 'chunk', 'message', 'part', 'result', 'options', 'state']
const DIRS = ['src/transport', 'src/view', 'src/store', 'src/protocol', 'src/client', 'test/store', 'test/view', 'mock-server/engine']

type Random = () => number
type Data = Readonly<Record<string, unknown>>

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1))
const characters = (alphabet: string) => (random: Random, length: number): string => {
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet.charAt(Math.floor(random() * alphabet.length))
  return out
}
const base62 = characters(BASE62)
const hex = characters(HEX)

function sentence(random: Random): string {
  const words = Array.from({ length: between(random, 6, 18) }, () => {
    const roll = random()
    if (roll < 0.06) return pick(random, RARE)
    if (roll < 0.1) return `\`${pick(random, IDENTS)}\``
    return pick(random, WORDS)
  })
  const text = words.join(' ')
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`
}

function codeLine(random: Random): string {
  const a = pick(random, IDENTS)
  const b = pick(random, IDENTS)
  switch (between(random, 0, 4)) {
    case 0:
      return `  const ${a} = await ${b}.next(${between(random, 0, 999)})`
    case 1:
      return `  if (${a}.${b} === undefined) return ${a}`
    case 2:
      return `export function ${a}${b.charAt(0).toUpperCase()}${b.slice(1)}(${a}: ${b}): void {`
    case 3:
      return `  // ${sentence(random)}`
    default:
      return `  ${a}.push({ ${b}, seq: ${between(random, 0, 99_999)} })`
  }
}

/** Markdown of about `length` characters: paragraphs, a list, sometimes a code block. */
function markdown(random: Random, length: number): string {
  const blocks: string[] = []
  let size = 0
  while (size < length) {
    const roll = random()
    let block: string
    if (roll < 0.15) block = ['```ts', ...Array.from({ length: between(random, 2, 8) }, () => codeLine(random)), '```'].join('\n')
    else if (roll < 0.3) block = Array.from({ length: between(random, 2, 5) }, () => `- ${sentence(random)}`).join('\n')
    else if (roll < 0.35) block = `## ${sentence(random).slice(0, -1)}`
    else block = Array.from({ length: between(random, 1, 4) }, () => sentence(random)).join(' ')
    blocks.push(block)
    size += block.length + 2
  }
  return blocks.join('\n\n')
}

/** Source-file-like text of exactly `length` characters (ASCII, so also `length` bytes). */
function fileText(random: Random, length: number): string {
  const lines: string[] = []
  let size = 0
  while (size < length) {
    const line = codeLine(random)
    lines.push(line)
    size += line.length + 1
  }
  return lines.join('\n').slice(0, length)
}

/** Splits by code point into deltas of 3–20 characters, so no delta carries half a surrogate pair. */
function deltas(random: Random, text: string): string[] {
  const points = Array.from(text)
  const out: string[] = []
  for (let at = 0; at < points.length; ) {
    const rest = points.length - at
    let size = between(random, 3, 20)
    // No tail shorter than 3 (unless the whole text is).
    if (rest - size < 3) size = rest <= 20 ? rest : rest - 3
    out.push(points.slice(at, at + size).join(''))
    at += size
  }
  return out
}

/** Where a generated stream goes: a recording of wire events, or a mock server's log. */
export interface WorkloadSink {
  /** `data` without `timestamp` and `sessionID`, which the sink stamps. */
  durable(type: string, data: Data, timestamp: number): void
  live(type: string, data: Data, timestamp: number): void
  activity(status: 'idle' | 'running', timestamp: number): void
}

/** Clock, ids and randomness of one generated session: opencode's id layout, reproducible. */
class Generator {
  readonly random: Random
  #clock = STARTED_AT
  #counter = 0
  #snapshot: string

  constructor(seed: number) {
    this.random = seeded(seed)
    this.#snapshot = hex(this.random, 40)
  }

  get now(): number {
    return this.#clock
  }

  tick(low: number, high: number): number {
    this.#clock += between(this.random, low, high)
    return this.#clock
  }

  /** `prefix_` + 12 hex digits of time and a counter + 14 base62 characters, as opencode's ascending ids. */
  id(prefix: string, at = this.#clock): string {
    const stamp = (at * 0x1000 + (++this.#counter % 0x1000)) % 2 ** 48
    return `${prefix}_${stamp.toString(16).padStart(12, '0')}${base62(this.random, 14)}`
  }

  /** The worktree snapshot a step starts and ends at; tools that write move it. */
  snapshot(moved = false): string {
    if (moved) this.#snapshot = hex(this.random, 40)
    return this.#snapshot
  }
}

interface ToolCall {
  readonly name: string
  readonly input: Data
  readonly structured: Data
  readonly writes: boolean
}

function toolCall(g: Generator, big: boolean): ToolCall {
  const random = g.random
  const path = `/workspace/app/${pick(random, DIRS)}/${pick(random, IDENTS)}-${pick(random, IDENTS)}.ts`
  const name = big ? 'read' : pick(random, ['read', 'read', 'read', 'grep', 'bash', 'bash', 'edit', 'glob'])
  switch (name) {
    case 'read': {
      const content = fileText(random, big ? MIB : between(random, 800, 8_000))
      const input = random() < 0.5 ? { filePath: path } : { filePath: path, offset: between(random, 0, 400), limit: 2000 }
      const file = path.slice(path.lastIndexOf('/') + 1)
      return { name, input, writes: false, structured: { uri: `file://${path}`, name: file, content, encoding: 'utf8', mime: 'text/typescript' } }
    }
    case 'grep': {
      const pattern = `${pick(random, IDENTS)}\\.${pick(random, IDENTS)}`
      const matches = Array.from({ length: between(random, 2, 30) }, () => `${path}:${between(random, 1, 900)}:${codeLine(random)}`)
      return { name, input: { pattern, path: '/workspace/app/src', include: '*.ts' }, writes: false, structured: { output: matches.join('\n'), matches: matches.length } }
    }
    case 'bash': {
      const command = pick(random, ['npm test -- --run', 'npx tsc --noEmit', 'git status --short', 'npm run lint', 'ls -la src'])
      const output = Array.from({ length: between(random, 3, 60) }, () => `${pick(random, ['✓', '·', ' ', ' '])} ${sentence(random)}`).join('\n')
      return { name, input: { command, description: sentence(random) }, writes: random() < 0.3, structured: { output, exit: 0, description: command } }
    }
    case 'edit': {
      const oldString = codeLine(random)
      const newString = codeLine(random)
      const diff = `--- ${path}\n+++ ${path}\n@@ -${between(random, 1, 400)},1 +${between(random, 1, 400)},1 @@\n-${oldString}\n+${newString}`
      return { name, input: { filePath: path, oldString, newString }, writes: true, structured: { diff, filePath: path, additions: 1, deletions: 1 } }
    }
    default: {
      const files = Array.from({ length: between(random, 3, 40) }, () => `${pick(random, DIRS)}/${pick(random, IDENTS)}.ts`)
      return { name, input: { pattern: '**/*.ts', path: '/workspace/app' }, writes: false, structured: { output: files.join('\n'), count: files.length } }
    }
  }
}

/** What one turn left behind, for the expected view. */
interface TurnSummary {
  /** The user message and one assistant message per model step. */
  readonly messages: number
  readonly lastMessageID: string
  readonly lastText: string
  readonly tools: number
  /** The call that carried the 1 MiB output, if this turn had it. */
  readonly bigCallID: string | undefined
}

/**
 * One turn, as opencode streams it: the prompt (`prompt.admitted`, `prompted`), activity
 * `running`, zero to three model steps that call tools (`finish: 'tool-calls'`, each a new
 * assistant message with reasoning, sometimes a short preamble, one to three calls), a last
 * step that reasons and answers (`finish: 'stop'`), activity `idle`.
 */
function writeTurn(g: Generator, sink: WorkloadSink, big: boolean): TurnSummary {
  const random = g.random
  const durable = (type: string, data: Data) => sink.durable(type, data, g.now)
  const live = (type: string, data: Data) => sink.live(type, data, g.now)

  g.tick(5_000, 60_000)
  const messageID = g.id('msg')
  const prompt = { messageID, prompt: { text: sentence(random) + (random() < 0.5 ? ` ${sentence(random)}` : '') }, delivery: 'steer' }
  durable('session.next.prompt.admitted', prompt)
  durable('session.next.prompted', prompt)
  sink.activity('running', g.tick(1, 5))

  /** A started row, its text as live deltas, an ended row with the whole text. */
  const streamed = (kind: 'reasoning' | 'text', part: Data, text: string) => {
    durable(`session.next.${kind}.started`, part)
    for (const delta of deltas(random, text)) {
      g.tick(1, 30)
      live(`session.next.${kind}.delta`, { ...part, delta })
    }
    g.tick(1, 10)
    durable(`session.next.${kind}.ended`, { ...part, text })
  }

  let messages = 1
  let tools = 0
  let bigCallID: string | undefined
  let lastText = ''
  let lastMessageID = messageID
  const roll = random()
  const rounds = big ? 1 : roll < 0.2 ? 0 : roll < 0.65 ? 1 : roll < 0.9 ? 2 : 3
  for (let round = 0; round <= rounds; round++) {
    const final = round === rounds
    const assistantMessageID = g.id('msg')
    messages++
    lastMessageID = assistantMessageID
    g.tick(800, 4_000)
    const snapshot = g.snapshot()
    durable('session.next.step.started', { assistantMessageID, agent: AGENT, model: MODEL, snapshot })
    g.tick(10, 40)
    const reasoning = markdown(random, final ? between(random, 200, 900) : between(random, 100, 400))
    streamed('reasoning', { assistantMessageID, reasoningID: 'reasoning-0' }, reasoning)
    let output = 0
    if (final || random() < 0.3) {
      lastText = markdown(random, final ? between(random, 600, 4_000) : between(random, 40, 200))
      streamed('text', { assistantMessageID, textID: 'text-0' }, lastText)
      output += lastText.length
    }
    let writes = false
    if (!final) {
      const calls = Array.from({ length: big && round === 0 ? 1 : random() < 0.7 ? 1 : between(random, 2, 3) }, () => ({
        callID: `toolu_01${base62(random, 22)}`,
        ...toolCall(g, big && round === 0),
      }))
      for (const call of calls) {
        const { callID, name, input } = call
        const text = JSON.stringify(input)
        output += text.length
        g.tick(5, 50)
        durable('session.next.tool.input.started', { assistantMessageID, callID, name })
        for (const delta of deltas(random, text)) {
          g.tick(1, 20)
          live('session.next.tool.input.delta', { assistantMessageID, callID, delta })
        }
        g.tick(1, 20)
        durable('session.next.tool.input.ended', { assistantMessageID, callID, text })
        g.tick(10, 60)
        durable('session.next.tool.called', { assistantMessageID, callID, tool: name, input, provider: PROVIDER })
      }
      // opencode runs a step's calls together; each reports when done, in the order called here.
      for (const call of calls) {
        g.tick(20, call.name === 'bash' ? 3_000 : 300)
        const { callID, structured } = call
        durable('session.next.tool.success', { assistantMessageID, callID, structured, content: [], outputPaths: [], provider: PROVIDER })
        writes ||= call.writes
        tools++
        if (big && structured.content !== undefined && bigCallID === undefined) bigCallID = callID
      }
    }
    const input = between(random, 2_000, 60_000)
    const tokens = { input, output: Math.ceil(output / 4), reasoning: Math.ceil(reasoning.length / 4), cache: { read: Math.floor(input * 0.8), write: between(random, 0, 2_000) } }
    g.tick(20, 200)
    const cost = Math.round(((tokens.input * 3 + tokens.output * 15) / 1e6) * 1e6) / 1e6
    durable('session.next.step.ended', {
      assistantMessageID,
      finish: final ? 'stop' : 'tool-calls',
      cost,
      tokens,
      snapshot: g.snapshot(writes),
      files: [],
    })
  }
  sink.activity('idle', g.tick(5, 50))
  return { messages, lastMessageID, lastText, tools, bigCallID }
}

/** opencode writes `step.ended` at schema version 2 and every other row at 1. */
const versionOf = (type: string): number => (type === 'session.next.step.ended' ? 2 : 1)

/**
 * Records wire events exactly as the session stream frames them; seqs continue after
 * `afterSeq`. Event ids come from `ids` (a generator of their own where the turns must not
 * depend on them, as in `createDurableLog`).
 */
class WireSink implements WorkloadSink {
  readonly events: WireEvent[] = []
  seq: number

  constructor(
    readonly sessionID: string,
    readonly ids: Generator,
    afterSeq: number,
    readonly keepLive: boolean,
  ) {
    this.seq = afterSeq
  }

  durable(type: string, data: Data, timestamp: number): void {
    const durable = { aggregateID: this.sessionID, seq: ++this.seq, version: versionOf(type) }
    this.events.push({ id: this.ids.id('evt', timestamp), type, durable, data: { timestamp, sessionID: this.sessionID, ...data } })
  }

  live(type: string, data: Data, timestamp: number): void {
    if (!this.keepLive) return
    this.events.push({ id: this.ids.id('evt', timestamp), type, data: { timestamp, sessionID: this.sessionID, ...data } })
  }

  /** As the mock's run coordinator: a transition carries the latest seq as its cutoff. */
  activity(status: 'idle' | 'running', timestamp: number): void {
    this.live('session.activity', { status, cutoff: this.seq }, timestamp)
  }
}

/** What a client that followed the whole stream must show. */
export interface ExpectedView {
  readonly sessionID: string
  readonly cursor: number
  readonly activity: 'idle'
  readonly messages: number
  readonly lastMessageID: string
  /** The final text of the last assistant message. */
  readonly lastText: string
  readonly toolParts: number
  /** The tool part that carries the 1 MiB output (its `structured.content`), if any. */
  readonly big: { readonly messageID: string; readonly callID: string; readonly length: number } | undefined
}

export interface WorkloadStats {
  readonly turns: number
  readonly events: number
  readonly durable: number
  /** Text, reasoning and tool-input deltas. */
  readonly deltas: number
  readonly textDeltas: number
  readonly reasoningDeltas: number
  readonly toolInputDeltas: number
  /** Characters (code points) per delta. */
  readonly deltaChars: { readonly min: number; readonly mean: number; readonly max: number }
  /** Deltas with a character outside ASCII. */
  readonly nonAsciiDeltas: number
  readonly activity: number
  readonly toolCalls: number
  readonly messages: number
  /** SSE-encoded size. */
  readonly bytes: number
  /** The largest frame (the 1 MiB tool output's). */
  readonly largestFrame: number
}

export interface Workload {
  readonly sessionID: string
  /** Wire events in stream order: the idle snapshot, then every turn. */
  readonly events: readonly WireEvent[]
  /** The SSE body (`data: <json>\n\n` per event), encoded once. */
  readonly bytes: Uint8Array
  /** The body cut into chunks of `size` bytes, as socket reads (memoized per size). */
  chunks(size: number): Uint8Array[]
  readonly lastSeq: number
  readonly expected: ExpectedView
  readonly stats: WorkloadStats
  /** One more whole turn (no big output), its seqs after this stream's: for folding onto a big view. */
  readonly turn: readonly WireEvent[]
}

export interface WorkloadOptions {
  /** @default 40 */
  readonly turns?: number
  /** @default 1 */
  readonly seed?: number
  /** @default an opencode-shaped id drawn from the seed */
  readonly sessionID?: string
  /** The turn whose first tool reads a 1 MiB file; -1 for none. @default the middle turn */
  readonly bigTurn?: number
}

/** The session id opencode would give (descending ids: `ses_` + 12 hex + 14 base62), from the seed. */
export const workloadSessionID = (seed = 1): string => {
  const random = seeded(seed ^ 0x5e55)
  return `ses_${hex(random, 12)}${base62(random, 14)}`
}

/** Generates the whole session stream: an idle snapshot (a fresh session, cutoff 0), then `turns` turns. */
export function createWorkload(options: WorkloadOptions = {}): Workload {
  const turns = options.turns ?? 40
  const seed = options.seed ?? 1
  const sessionID = options.sessionID ?? workloadSessionID(seed)
  const bigTurn = options.bigTurn ?? Math.floor(turns / 2)
  const g = new Generator(seed)
  const sink = new WireSink(sessionID, g, 0, true)
  sink.activity('idle', g.now)
  let messages = 0
  let toolParts = 0
  let last: TurnSummary | undefined
  let big: ExpectedView['big']
  for (let turn = 0; turn < turns; turn++) {
    last = writeTurn(g, sink, turn === bigTurn)
    messages += last.messages
    toolParts += last.tools
    if (last.bigCallID !== undefined) {
      const callID = last.bigCallID
      const called = sink.events.findLast((event) => event.type === 'session.next.tool.called' && event.data.callID === callID)
      big = { messageID: String(called?.data.assistantMessageID), callID, length: MIB }
    }
  }
  const events = sink.events
  const bytes = encode(events)
  const expected: ExpectedView = {
    sessionID,
    cursor: sink.seq,
    activity: 'idle',
    messages,
    lastMessageID: last?.lastMessageID ?? '',
    lastText: last?.lastText ?? '',
    toolParts,
    big,
  }
  const cuts = new Map<number, Uint8Array[]>()
  return {
    sessionID,
    events,
    bytes,
    chunks(size) {
      const cached = cuts.get(size)
      if (cached !== undefined) return cached
      const made = chunked(bytes, size)
      cuts.set(size, made)
      return made
    },
    lastSeq: sink.seq,
    expected,
    stats: statsOf(events, bytes.length, turns, messages, toolParts),
    turn: wholeTurn({ sessionID, afterSeq: sink.seq, seed: seed + 1_000_003 }).events,
  }
}

function statsOf(events: readonly WireEvent[], bytes: number, turns: number, messages: number, toolCalls: number): WorkloadStats {
  let textDeltas = 0
  let reasoningDeltas = 0
  let toolInputDeltas = 0
  let chars = 0
  let min = Infinity
  let max = 0
  let nonAscii = 0
  let activity = 0
  let largestFrame = 0
  for (const event of events) {
    if (event.type === 'session.activity') activity++
    const delta = event.data.delta
    if (typeof delta === 'string') {
      if (event.type === 'session.next.text.delta') textDeltas++
      else if (event.type === 'session.next.reasoning.delta') reasoningDeltas++
      else toolInputDeltas++
      const length = Array.from(delta).length
      chars += length
      min = Math.min(min, length)
      max = Math.max(max, length)
      // oxlint-disable-next-line no-control-regex
      if (/[^\u0000-\u007f]/.test(delta)) nonAscii++
    }
    if (event.type === 'session.next.tool.success') largestFrame = Math.max(largestFrame, JSON.stringify(event).length + 8)
  }
  const deltas = textDeltas + reasoningDeltas + toolInputDeltas
  return {
    turns,
    events: events.length,
    durable: events.filter((event) => event.durable !== undefined).length,
    deltas,
    textDeltas,
    reasoningDeltas,
    toolInputDeltas,
    deltaChars: { min, mean: chars / deltas, max },
    nonAsciiDeltas: nonAscii,
    activity,
    toolCalls,
    messages,
    bytes,
    largestFrame,
  }
}

/**
 * Queues `chunks` on `feed` a batch at a time; resolves once the reader took the last one.
 * One `push` of ~80,000 chunks (5 MB at 64 B) would cost the feed an `Array.shift` over the
 * whole queue per chunk (O(n) each, ~25 µs per chunk here): it would measure the queue.
 */
export async function pushChunks(feed: Feed, chunks: readonly Uint8Array[], batch = 256): Promise<void> {
  for (let at = 0; at < chunks.length; at += batch) await feed.push(chunks.slice(at, at + batch))
}

export interface WholeTurn {
  readonly events: readonly WireEvent[]
  readonly lastSeq: number
  readonly messages: number
  readonly lastMessageID: string
  readonly lastText: string
}

/**
 * One whole turn on its own (live fragments and activity transitions included, no 1 MiB
 * output), its seqs from `afterSeq + 1`: to fold onto a view of any size, e.g.
 * `foldEvents(asSessionEvents(turn.events), bigView)`. Fresh ids, so it never collides.
 */
export function wholeTurn(options: { readonly afterSeq: number; readonly sessionID?: string; readonly seed?: number }): WholeTurn {
  const seed = options.seed ?? 7
  const g = new Generator(seed)
  const sink = new WireSink(options.sessionID ?? workloadSessionID(1), g, options.afterSeq, true)
  const summary = writeTurn(g, sink, false)
  return { events: sink.events, lastSeq: sink.seq, messages: summary.messages, lastMessageID: summary.lastMessageID, lastText: summary.lastText }
}

/**
 * Durable rows only, as a server's log holds them: whole turns (the one at `bigTurn` with the
 * 1 MiB read) written to `sink` until `shouldStop()` says the log is full. Returns the turns begun.
 */
export function writeDurableTurns(sink: Pick<WorkloadSink, 'durable'>, shouldStop: () => boolean, options: { readonly seed?: number; readonly bigTurn?: number } = {}): number {
  return durableTurns(new Generator(options.seed ?? 1), sink, shouldStop, options.bigTurn ?? -1)
}

function durableTurns(g: Generator, sink: Pick<WorkloadSink, 'durable'>, shouldStop: () => boolean, bigTurn: number): number {
  const full: WorkloadSink = { durable: (type, data, at) => sink.durable(type, data, at), live: () => {}, activity: () => {} }
  let turns = 0
  while (!shouldStop()) writeTurn(g, full, turns++ === bigTurn)
  return turns
}

export interface DurableLog {
  readonly sessionID: string
  /** Exactly `durable` rows, then the idle activity snapshot a replay ends with. */
  readonly events: readonly WireEvent[]
  readonly lastSeq: number
  /** User and assistant messages the rows create. */
  readonly messages: number
  readonly turns: number
}

/**
 * What a replay of a long session sends: the workload's durable rows (whole turns, the last
 * one cut at `durable` rows), then the activity snapshot. Rows as `writeDurableTurns` writes
 * them into a server's log, with this module's envelope.
 */
export function createDurableLog(options: { readonly durable: number; readonly seed?: number; readonly bigTurn?: number; readonly sessionID?: string }): DurableLog {
  const seed = options.seed ?? 1
  const sessionID = options.sessionID ?? workloadSessionID(seed)
  const g = new Generator(seed)
  // Ids from a generator of their own, so the turns are the ones `writeDurableTurns` writes for this seed.
  const sink = new WireSink(sessionID, new Generator(seed ^ 0x1d5), 0, true)
  let messages = 0
  const full = () => sink.seq >= options.durable
  const rows: Pick<WorkloadSink, 'durable'> = {
    durable(type, data, at) {
      if (full()) return
      sink.durable(type, data, at)
      if (type === 'session.next.prompt.admitted' || type === 'session.next.step.started') messages++
    },
  }
  const turns = durableTurns(g, rows, full, options.bigTurn ?? -1)
  sink.activity('idle', g.now)
  return { sessionID, events: sink.events, lastSeq: sink.seq, messages, turns }
}

/**
 * The workload's events as the SDK's types. The generator writes the catalogue's shapes;
 * `verifyWorkload` proves it frame by frame with the SDK's own decoder and reducer.
 */
export const asSessionEvents = (events: readonly WireEvent[]): SessionEvent[] => events as unknown as SessionEvent[]

/** Differences between a view and what the workload says it must show; empty when right. */
export function checkView(view: SessionView, expected: ExpectedView): string[] {
  const problems: string[] = []
  if (view.cursor !== expected.cursor) problems.push(`cursor ${view.cursor}, expected ${expected.cursor}`)
  if (view.activity !== expected.activity) problems.push(`activity ${view.activity}`)
  if (view.messages.length !== expected.messages) problems.push(`${view.messages.length} messages, expected ${expected.messages}`)
  const last = view.messages.at(-1)
  if (last?.id !== expected.lastMessageID) problems.push(`last message ${last?.id}, expected ${expected.lastMessageID}`)
  const text = last?.role === 'assistant' ? last.parts.find((part) => part.type === 'text') : undefined
  if (text?.type !== 'text' || text.text !== expected.lastText) problems.push('the last message does not end with the expected text')
  if (last?.role === 'assistant' && last.status !== 'completed') problems.push(`last message ${last.status}`)
  let tools = 0
  let bigPart: ToolPart | undefined
  for (const message of view.messages) {
    if (message.role !== 'assistant') continue
    for (const part of message.parts) {
      if (part.type !== 'tool') continue
      tools++
      if (part.status !== 'success') problems.push(`tool ${part.id} ${part.status}`)
      if (part.id === expected.big?.callID) bigPart = part
    }
  }
  if (tools !== expected.toolParts) problems.push(`${tools} tool parts, expected ${expected.toolParts}`)
  const content = bigPart?.structured?.content
  if (expected.big !== undefined && (typeof content !== 'string' || content.length !== expected.big.length)) problems.push('the 1 MiB tool output is missing')
  return problems
}

export interface Verification {
  /** Frames by decode outcome: all must be `event`. */
  readonly decoded: Readonly<Record<Decoded['kind'], number>>
  /** Fold outcomes of the decoded events: `orphan` must be 0. */
  readonly outcomes: Readonly<Record<'applied' | 'orphan' | 'ignored', number>>
  readonly problems: readonly string[]
}

/**
 * Decodes every frame of the body with the SDK's `decodeEvent` (as the client does: the
 * `data` string, this session) and folds the events with `foldEvents`, then checks the view.
 * Pass the SDK (the built `dist/`) in, so this module stays free of it.
 */
export function verifyWorkload(
  workload: Workload,
  sdk: {
    readonly decodeEvent: (data: string, sessionID?: string) => Decoded
    readonly foldEvents: (events: Iterable<SessionEvent>, state?: SessionView, onOutcome?: (event: SessionEvent, outcome: 'applied' | 'orphan' | 'ignored') => void) => SessionView
  },
): Verification {
  const decoded = { event: 0, unknown: 0, invalid: 0, error: 0 }
  const outcomes = { applied: 0, orphan: 0, ignored: 0 }
  const problems: string[] = []
  const events: SessionEvent[] = []
  const body = new TextDecoder().decode(workload.bytes)
  const frames = body.split('\n\n')
  if (frames.pop() !== '') problems.push('the body does not end with a blank line')
  for (const frame of frames) {
    if (!frame.startsWith('data: ')) problems.push(`a frame without data: ${frame.slice(0, 40)}`)
    const result = sdk.decodeEvent(frame.slice(6), workload.sessionID)
    decoded[result.kind]++
    if (result.kind === 'event') events.push(result.event)
    else if (problems.length < 10) problems.push(`${result.kind}: ${'error' in result ? result.error.message : result.event.type}`)
  }
  const view = sdk.foldEvents(events, undefined, (_event, outcome) => void outcomes[outcome]++)
  if (outcomes.orphan > 0) problems.push(`${outcomes.orphan} orphan events`)
  problems.push(...checkView(view, workload.expected))
  return { decoded, outcomes, problems }
}
