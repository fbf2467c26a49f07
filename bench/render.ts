import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type * as ReactTypes from 'react'
import type * as VueTypes from 'vue'
import type { FlushScheduler, Message, SessionHandle } from '../src/index.js'
import type * as ReactBindings from '../src/react/index.js'
import type * as VueBindings from '../src/vue/index.js'
import { createFeed, type Feed } from './lib/feed.js'
import { createSessionClient } from './lib/sdk.js'
import { median, nextTask, now, pairedRatio, percentile, ratio } from './lib/stats.js'
import type { Row } from './lib/table.js'
import { chunked, encode, openStep, prose, Recording, seeded, textDelta, type WireEvent } from './lib/wire.js'

/*
 * 9. What a streaming flush costs a UI: production React 19 (react-dom/client) and Vue 3 on
 * happy-dom, the built SDK (dist/), one process. Each pattern is mounted on a session
 * prefilled with 200, 2,000 and 10,000 messages (replayed rows, then the activity snapshot),
 * then a new turn streams text deltas of 3–20 characters. The store's flush scheduler is
 * driven by hand, so each flush holds exactly one delta and is one measured step: React's
 * `flushSync` around the store's flush makes the render and the commit happen inside it (the
 * DOM is checked after every step); Vue's scheduler runs in a microtask, so a step is the
 * flush plus `await nextTick()`. Every component counts its renders by component + id; a
 * render of anything but the streaming part's Part and its Message is an untouched render.
 * The nine mounted trees are stepped in interleaved rounds (same deltas for each), so drift
 * on a shared machine hits every size alike.
 */

// Before anything loads React or Vue: their index files pick the build by NODE_ENV.
process.env.NODE_ENV = 'production'

const SIZES = [200, 2_000, 10_000] as const
type Size = (typeof SIZES)[number]
const ROUNDS = 20
const PER_ROUND = 10
const WARMUP = 2
const SESSION = 'ses_bench0000000000000001'
const ASSISTANT = 'msg_render_streaming'
const PART = 'text:text-0'

const dist = process.env.BENCH_DIST === undefined ? new URL('../dist/', import.meta.url) : pathToFileURL(`${process.env.BENCH_DIST}/`)

type React = typeof ReactTypes.default
type Vue = typeof VueTypes

interface Frameworks {
  readonly React: React
  readonly flushSync: (run: () => void) => void
  readonly createRoot: typeof import('react-dom/client').createRoot
  readonly Vue: Vue
  readonly reactHooks: typeof ReactBindings
  readonly vueHooks: typeof VueBindings
  readonly close: () => Promise<void>
}

/** happy-dom as the page (no global registrator installed: its window's DOM globals by hand), then the frameworks. */
async function load(): Promise<Frameworks> {
  const { Window } = await import('happy-dom')
  const window = new Window({ url: 'http://localhost/' })
  const globals: Record<string, unknown> = {
    window,
    document: window.document,
    navigator: window.navigator,
    location: window.location,
    requestAnimationFrame: window.requestAnimationFrame.bind(window),
    cancelAnimationFrame: window.cancelAnimationFrame.bind(window),
    getComputedStyle: window.getComputedStyle.bind(window),
    Node: window.Node,
    Element: window.Element,
    HTMLElement: window.HTMLElement,
    SVGElement: window.SVGElement,
    HTMLIFrameElement: window.HTMLIFrameElement,
    Text: window.Text,
    Comment: window.Comment,
    DocumentFragment: window.DocumentFragment,
    MutationObserver: window.MutationObserver,
  }
  // Node's own fetch, streams, events and timers stay: the SDK talks to the fake feed with them.
  for (const [key, value] of Object.entries(globals)) Object.defineProperty(globalThis, key, { value, configurable: true, writable: true })

  // CommonJS packages: Node's `default` is their module.exports.
  const React = (await import('react')).default
  const { flushSync } = (await import('react-dom')).default
  const { createRoot } = (await import('react-dom/client')).default
  const Vue: Vue = await import('vue')
  const reactHooks = (await import(new URL('react/index.js', dist).href)) as typeof ReactBindings
  const vueHooks = (await import(new URL('vue/index.js', dist).href)) as typeof VueBindings

  // The production builds, not the development ones (which check and warn on every render).
  // Node's ESM import of a CommonJS file also caches, unloaded, the files its re-exports name.
  const loaded = Object.entries(createRequire(import.meta.url).cache).flatMap(([path, module]) => (module?.loaded === true ? [path] : []))
  const has = (file: string) => loaded.some((path) => path.endsWith(`/${file}`))
  for (const file of ['react.production.js', 'react-dom.production.js', 'react-dom-client.production.js', 'vue.cjs.prod.js', 'runtime-core.cjs.prod.js']) {
    if (!has(file)) throw new Error(`${file} did not load: not the production build`)
  }
  for (const file of ['react.development.js', 'react-dom-client.development.js', 'vue.cjs.js', 'runtime-core.cjs.js']) {
    if (has(file)) throw new Error(`${file} loaded: a development build is in use`)
  }
  return {
    React,
    flushSync: (run) => flushSync(run),
    createRoot,
    Vue,
    reactHooks,
    vueHooks,
    close: () => window.happyDOM.close(),
  }
}

/** Renders per component and id; `total` counts all of them. */
class Renders {
  total = 0
  readonly #by = new Map<string, Map<string, number>>()

  bump(component: string, id: string): void {
    this.total++
    let ids = this.#by.get(component)
    if (ids === undefined) this.#by.set(component, (ids = new Map()))
    ids.set(id, (ids.get(id) ?? 0) + 1)
  }

  of(component: string, id: string): number {
    return this.#by.get(component)?.get(id) ?? 0
  }
}

interface Pattern {
  readonly label: string
  /** The README's examples carry goals; the naive pattern is a reference. */
  readonly readme: boolean
  /** Mounts on `container`; resolves once it has rendered, with a function that unmounts. */
  mount(container: HTMLElement, session: SessionHandle, renders: Renders): Promise<() => void>
  /** Runs the store's flush so the framework renders and commits within the returned step. */
  flush(run: () => void): Promise<void> | undefined
  /** The components a delta to the streaming part may render: the part's own and its message's. */
  readonly streaming: readonly (readonly [component: string, id: string])[]
}

type Props = { session: SessionHandle; messageID: string }

/** README "React and Vue", the React example as written (createElement for JSX), plus a render counter in each component. */
function readmeReact(f: Frameworks): Pattern {
  const { createElement: h, Fragment, memo } = f.React
  const { SessionMessages, useSessionHealth, useSessionMessage, useSessionPart } = f.reactHooks
  return {
    label: 'React, README pattern',
    readme: true,
    streaming: [
      ['Part', `${ASSISTANT} ${PART}`],
      ['Message', ASSISTANT],
    ],
    flush: (run) => void f.flushSync(run),
    mount(container, session, renders) {
      const Part = memo(function Part({ session, messageID, partKey }: Props & { partKey: string }) {
        const part = useSessionPart(session, messageID, partKey) // re-renders only for this part
        renders.bump('Part', `${messageID} ${partKey}`)
        if (part?.type === 'tool') return h('code', null, part.name, ': ', part.status)
        return h('p', null, part?.text)
      })
      const Message = memo(function Message({ session, messageID }: Props) {
        const message = useSessionMessage(session, messageID) // re-renders when a part is added or it ends
        renders.bump('Message', messageID)
        if (message?.role === 'user') return h('h3', null, message.text)
        if (message?.role !== 'assistant') return null
        return message.parts.map((p) => h(Part, { key: p.key, session, messageID, partKey: p.key }))
      })
      function Status({ session }: { session: SessionHandle }) {
        const { state } = useSessionHealth(session) // re-renders only when health changes, not for counters
        renders.bump('Status', '')
        return state === 'open' ? null : h('small', null, state)
      }
      function Transcript({ session }: { session: SessionHandle }) {
        renders.bump('Transcript', '')
        return h(Fragment, null, h(Status, { session }), h(SessionMessages, { session, children: (id: string) => h(Message, { session, messageID: id }) }))
      }
      const root = f.createRoot(container)
      f.flushSync(() => root.render(h(Transcript, { session })))
      return Promise.resolve(() => root.unmount())
    },
  }
}

/** The pattern the README warns against: the whole view in the parent, rows that are not memo. */
function naiveReact(f: Frameworks): Pattern {
  const { createElement: h, Fragment } = f.React
  const { useSessionView } = f.reactHooks
  return {
    label: 'React, naive useSessionView list (reference)',
    readme: false,
    streaming: [['Row', ASSISTANT]],
    flush: (run) => void f.flushSync(run),
    mount(container, session, renders) {
      function Row({ message }: { message: Message }) {
        renders.bump('Row', message.id)
        if (message.role === 'user') return h('h3', null, message.text)
        if (message.role !== 'assistant') return null
        return message.parts.map((part) => (part.type === 'tool' ? h('code', { key: part.key }, part.name, ': ', part.status) : h('p', { key: part.key }, part.text)))
      }
      function View({ session }: { session: SessionHandle }) {
        const view = useSessionView(session)
        renders.bump('View', '')
        return h(Fragment, null, view.messages.map((message) => h(Row, { key: message.id, message })))
      }
      const root = f.createRoot(container)
      f.flushSync(() => root.render(h(View, { session })))
      return Promise.resolve(() => root.unmount())
    },
  }
}

/** README "React and Vue", the two Vue components as test/consumer/src/readme-vue.ts compiles them, plus render counters. */
function readmeVue(f: Frameworks): Pattern {
  const { computed, createApp, defineComponent, h, nextTick } = f.Vue
  const { useSessionHealth, useSessionMessage, useSessionMessageIDs } = f.vueHooks
  return {
    label: 'Vue, README pattern',
    readme: true,
    streaming: [['Message', ASSISTANT]],
    flush: (run) => {
      run()
      return nextTick()
    },
    async mount(container, session, renders) {
      const MessageView = defineComponent({
        props: {
          session: { type: Object as VueTypes.PropType<SessionHandle>, required: true },
          messageID: { type: String, required: true },
        },
        setup(props) {
          const message = useSessionMessage(props.session, () => props.messageID)
          return () => {
            renders.bump('Message', props.messageID)
            const m = message.value
            if (m?.role === 'user') return h('h3', m.text)
            if (m?.role !== 'assistant') return null
            return m.parts.map((part) => h('p', { key: part.key }, part.type === 'tool' ? part.name : part.text))
          }
        },
      })
      const Transcript = defineComponent({
        props: { session: { type: Object as VueTypes.PropType<SessionHandle>, required: true } },
        setup(props) {
          const ids = useSessionMessageIDs(props.session)
          const health = useSessionHealth(props.session)
          const state = computed(() => health.value.state)
          return () => {
            renders.bump('Transcript', '')
            return [state.value !== 'open' ? h('small', state.value) : null, ...ids.value.map((id) => h(MessageView, { key: id, session: props.session, messageID: id }))]
          }
        },
      })
      const app = createApp(Transcript, { session })
      app.mount(container)
      await nextTick()
      return () => app.unmount()
    },
  }
}

/** A flush scheduler driven by hand: the store hands its flush over, the bench runs it. */
class ManualFlush {
  pending: (() => void) | undefined
  readonly scheduler: FlushScheduler = (flush) => {
    this.pending = flush
    return () => {
      if (this.pending === flush) this.pending = undefined
    }
  }

  take(): (() => void) | undefined {
    const flush = this.pending
    this.pending = undefined
    return flush
  }
}

interface History {
  readonly size: Size
  /** Replayed rows, then the idle snapshot, in 64 KiB chunks. */
  readonly chunks: Uint8Array[]
  readonly lastSeq: number
  /** The text the last history message ends with: what the DOM shows last once mounted. */
  readonly lastText: string
  /** The new turn's head: its prompt, activity running, the step and its text part started. */
  readonly head: WireEvent[]
}

/** `size` settled messages: turns of a prompt, a step with reasoning and a tool call, a step with the answer (3 messages); 2-message turns (no tool) make up the rest. */
function history(size: Size): History {
  const recording = new Recording(SESSION, seeded(3))
  const random = seeded(5)
  let withTool = Math.floor(size / 3)
  let plain = 0
  if (size % 3 === 2) plain = 1
  if (size % 3 === 1) {
    withTool--
    plain = 2
  }
  let lastText = ''
  const turn = (tool: boolean) => {
    lastText = prose(random, 80)
    const tools = tool ? [{ name: 'read', input: { filePath: `src/${prose(random, 12).replaceAll(' ', '-')}.ts` }, output: prose(random, 200) }] : []
    recording.turn({ prompt: prose(random, 40), reasoning: prose(random, 60), text: lastText, tools, chunk: 40 }, false)
  }
  for (let i = 0; i < withTool; i++) turn(true)
  for (let i = 0; i < plain; i++) turn(false)
  recording.activity('idle')
  const replay = recording.events.splice(0)
  const lastSeq = recording.lastSeq
  openStep(recording, ASSISTANT, prose(random, 40))
  recording.activity('running')
  return { size, chunks: chunked(encode(replay), 64 * 1024), lastSeq, lastText, head: recording.events.splice(0) }
}

/** Deltas of 3–20 characters (whole code points, some outside ASCII), the same for every tree. */
function deltas(count: number): string[] {
  const random = seeded(11)
  const points = Array.from(prose(random, count * 25))
  const out: string[] = []
  for (let at = 0; out.length < count; ) {
    const size = 3 + Math.floor(random() * 18)
    out.push(points.slice(at, at + size).join(''))
    at += size
  }
  return out
}

interface Tree {
  readonly pattern: Pattern
  readonly size: Size
  readonly feed: Feed
  readonly manual: ManualFlush
  readonly container: HTMLElement
  readonly renders: Renders
  readonly close: () => void
  readonly mountMs: number
  text: string
  sent: number
  readonly samples: number[]
  /** Of each step, the store's flush alone (fold, notifications); the rest is the framework's render and commit. */
  readonly store: number[]
  /** Median of each measured round, for paired ratios across sizes. */
  readonly rounds: number[]
  flushes: number
  untouched: number
  streaming: number
}

const lastShown = (container: HTMLElement): string | null => container.lastElementChild?.textContent ?? null

/** Runs the store's pending flushes (through the pattern, once mounted) until `done`. */
async function pump(tree: Pick<Tree, 'manual'>, done: () => boolean, flush: (run: () => void) => Promise<void> | undefined = (run) => void run()): Promise<void> {
  const started = now()
  while (!done()) {
    await nextTask()
    const pending = tree.manual.take()
    if (pending !== undefined) await flush(pending)
    if (now() - started > 30_000) throw new Error('timed out waiting for the stream')
  }
}

async function mountTree(pattern: Pattern, prefill: History): Promise<Tree> {
  const feed = createFeed()
  const manual = new ManualFlush()
  const client = createSessionClient({ baseUrl: 'http://bench.invalid', fetch: feed.fetch, scheduler: manual.scheduler, backoff: { initialDelay: 1, maxDelay: 2 } })
  const session = client.session(SESSION)
  // Fills the store first (replay, then the snapshot), so the mount measures the framework alone.
  const stopFilling = session.$view.listen(() => {})
  void feed.push(prefill.chunks)
  await pump({ manual }, () => {
    const view = session.$view.get()
    return view.cursor === prefill.lastSeq && view.activity === 'idle'
  })
  const messages = session.$view.get().messages.length
  if (messages !== prefill.size) throw new Error(`prefill gave ${messages} messages, not ${prefill.size}`)

  const container = document.createElement('div')
  document.body.append(container)
  const renders = new Renders()
  const started = now()
  const unmount = await pattern.mount(container, session, renders)
  const mountMs = now() - started
  if (lastShown(container) !== prefill.lastText) throw new Error(`${pattern.label}: the mounted DOM does not end with the last message`)
  stopFilling()

  // The new turn's head; then the DOM ends with its (empty) streaming text part.
  void feed.push([encode(prefill.head)])
  await pump(
    { manual },
    () => {
      const last = session.$view.get().messages.at(-1)
      return last?.id === ASSISTANT && last.role === 'assistant' && last.parts.length === 1 && container.lastElementChild?.tagName === 'P' && lastShown(container) === ''
    },
    pattern.flush,
  )
  return {
    pattern,
    size: prefill.size,
    feed,
    manual,
    container,
    renders,
    close: () => {
      unmount()
      client.close()
    },
    mountMs,
    text: '',
    sent: 0,
    samples: [],
    store: [],
    rounds: [],
    flushes: 0,
    untouched: 0,
    streaming: 0,
  }
}

/** One delta down the stream, then its flush as one measured step; returns the step's time in ms. */
async function step(tree: Tree, delta: string, measure: boolean): Promise<number> {
  await tree.feed.push([encode([textDelta(SESSION, ASSISTANT, delta, `evt_render_${tree.sent++}`)])])
  await nextTask()
  let flush = tree.manual.take()
  for (let tries = 0; flush === undefined; tries++) {
    if (tries > 1_000) throw new Error('no flush was scheduled for a delta')
    await nextTask()
    flush = tree.manual.take()
  }
  const streamingOf = () => tree.pattern.streaming.reduce((sum, [component, id]) => sum + tree.renders.of(component, id), 0)
  const total = tree.renders.total
  const streaming = streamingOf()

  // React's flushSync renders after its callback returns, Vue in the microtask after: `folded`
  // marks the end of the store's own part (fold, then listeners that only schedule a render).
  let folded = 0
  const started = now()
  const done = tree.pattern.flush(() => {
    flush()
    folded = now()
  })
  if (done !== undefined) await done
  const ms = now() - started

  tree.text += delta
  const shown = lastShown(tree.container)
  if (shown !== tree.text) throw new Error(`${tree.pattern.label}, ${tree.size}: after a flush the DOM shows ${JSON.stringify(shown?.slice(-40))}, not the streamed text`)
  if (measure) {
    const own = streamingOf() - streaming
    tree.streaming += own
    tree.untouched += tree.renders.total - total - own
    tree.flushes++
    tree.samples.push(ms)
    tree.store.push(folded - started)
  }
  return ms
}

const fmt = (value: number): string => (value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(2)} ms`)
const spread = (samples: readonly number[]): string => `${fmt(median(samples))} (p25–p75 ${fmt(percentile(samples, 25))}–${fmt(percentile(samples, 75))})`
const n = (value: number): string => value.toLocaleString('en-US')
const perFlush = (value: number, flushes: number): string => {
  const mean = value / flushes
  return Number.isInteger(mean) ? n(mean) : mean.toFixed(2)
}

function rows(pattern: Pattern, trees: readonly Tree[]): Row[] {
  const bySize = new Map(trees.map((tree) => [tree.size, tree]))
  const small = bySize.get(200)!
  const mid = bySize.get(2_000)!
  const large = bySize.get(10_000)!
  const flushes = small.flushes
  const name = (what: string) => `9. ${pattern.label}: ${what}`
  const midRatio = pairedRatio(mid.rounds, small.rounds)
  const largeRatio = pairedRatio(large.rounds, small.rounds)
  const untouched = trees.map((tree) => tree.untouched)
  return [
    {
      name: name(`time per streaming flush (render + commit), 2,000 vs 200 messages, ${flushes} flushes`),
      figure: spread(mid.samples),
      baseline: spread(small.samples),
      ratio: ratio(midRatio),
      goal: pattern.readme ? '≤ 1.50×' : '(reference)',
      pass: pattern.readme ? midRatio <= 1.5 : undefined,
    },
    {
      name: name(`time per streaming flush, 10,000 vs 200 messages, ${flushes} flushes`),
      figure: spread(large.samples),
      baseline: spread(small.samples),
      ratio: ratio(largeRatio),
      goal: '(reference)',
      pass: undefined,
    },
    {
      name: name('untouched renders per flush at 200 / 2,000 / 10,000 messages (baseline: the streaming part and its message)'),
      figure: trees.map((tree) => perFlush(tree.untouched, tree.flushes)).join(' / '),
      baseline: trees.map((tree) => perFlush(tree.streaming, tree.flushes)).join(' / '),
      ratio: '–',
      goal: pattern.readme ? '0' : '(reference)',
      pass: pattern.readme ? untouched.every((value) => value === 0) : undefined,
    },
    {
      // Flat in Vue; in React it grows only because React's walk of the list leaves the caches cold
      // for the next flush (with the caches flushed before each step it is flat here too).
      name: name('of which the store\'s flush (fold, notify), median at 200 / 2,000 / 10,000 messages; ratio 10,000 vs 200'),
      figure: trees.map((tree) => fmt(median(tree.store))).join(' / '),
      baseline: '–',
      ratio: ratio(median(large.store) / median(small.store)),
      goal: '(reference)',
      pass: undefined,
    },
    {
      name: name('mount, store already filled, at 200 / 2,000 / 10,000 messages; ratio 10,000 vs 200'),
      figure: trees.map((tree) => fmt(tree.mountMs)).join(' / '),
      baseline: '–',
      ratio: ratio(large.mountMs / small.mountMs),
      goal: '(reference)',
      pass: undefined,
    },
  ]
}

export async function run(): Promise<Row[]> {
  const f = await load()
  const patterns = [readmeReact(f), naiveReact(f), readmeVue(f)]
  const trees: Tree[] = []
  for (const size of SIZES) {
    const prefill = history(size)
    for (const pattern of patterns) trees.push(await mountTree(pattern, prefill))
  }
  const script = deltas((WARMUP + ROUNDS) * PER_ROUND)
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    // Rotate who goes first, so no tree always follows the same one.
    for (let i = 0; i < trees.length; i++) {
      const tree = trees[(i + round) % trees.length]!
      const measure = round >= WARMUP
      const times: number[] = []
      for (let k = 0; k < PER_ROUND; k++) times.push(await step(tree, script[round * PER_ROUND + k]!, measure))
      if (measure) tree.rounds.push(median(times))
    }
  }
  for (const tree of trees) tree.close()
  await nextTask()
  await f.close()
  return patterns.flatMap((pattern) => rows(pattern, trees.filter((tree) => tree.pattern === pattern)))
}
