import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import type { DurableEventType } from '../src/index.js'
import { startMockServer, type MockServer } from '../mock-server/node.js'
import { launchChromium } from '../test/e2e/support/browser.js'
import { serveStatic, type StaticServer } from '../test/e2e/support/static-server.js'
import { serverFold } from '../test/support/convergence.js'
import { count, interleave, median, ms, pairedRatio, percentile, ratio } from './lib/stats.js'
import type { Row } from './lib/table.js'
import { writeDurableTurns } from './lib/workload.js'

/*
 * 11. Reload → first rendered transcript, with and without `cache: indexedDBCache()`, in
 * Debian's Chromium (playwright-core). A 1,000-message session of the realistic workload
 * (bench/lib/workload.ts, durable rows, no 1 MiB read) is committed to the mock server, which
 * runs in this process. The page is a minimal one bundled by esbuild from the built `dist/`:
 * one client, one handle, a list that adds a row per message and sets its text (textContent)
 * when the message changes. A round navigates the same tab to the page again (a reload: same
 * origin, same IndexedDB) and reads, in the new document, `performance.now()` (from navigation
 * start) when the subscriber has put every message in the DOM, and once the next frame has
 * been rendered (a message posted from its animation-frame callback is handled after its
 * layout and paint): the transcript on screen. Uncached it comes from replaying the whole log;
 * cached from IndexedDB, before the stream (`after=cursor`) answers. The two variants run
 * interleaved; figures are medians (min–max), the ratio the median of per-round ratios.
 */

const MESSAGES = 1_000
const ROUNDS = 8
const WARMUP = 1
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = process.env.BENCH_DIST ?? join(ROOT, 'dist')

/** The page, plain JavaScript (esbuild bundles it with the SDK and idb-keyval). No HTML sink: text only. */
const PAGE_SOURCE = `
import { createSessionClient } from ${JSON.stringify(join(DIST, 'index.js'))}
import { indexedDBCache } from ${JSON.stringify(join(DIST, 'persist', 'index.js'))}

const params = new URLSearchParams(location.search)
const baseUrl = params.get('server')
const sessionID = params.get('session')
const expected = Number(params.get('messages'))
const cache = params.get('cache') === '1' ? indexedDBCache({ name: 'bench-reload' }) : undefined
const client = createSessionClient({ baseUrl, cache })
const handle = client.session(sessionID)
const list = document.getElementById('transcript')
const rows = new Map()
const result = { inDomAt: undefined, shownAt: undefined, syncedAt: undefined, messages: 0, cursorWhenShown: undefined }
window.__bench = {
  result,
  cachedCursor: async () => (await cache?.load(baseUrl, sessionID))?.cursor,
}
const textOf = (message) => {
  if (message.role === 'user') return message.text
  if (message.role !== 'assistant') return message.role
  let text = ''
  for (const part of message.parts) text += part.type === 'tool' ? part.name + ' ' + part.status + '\\n' : part.text + '\\n'
  return text
}
handle.$view.subscribe((view) => {
  for (const message of view.messages) {
    const row = rows.get(message.id)
    if (row === undefined) {
      const element = document.createElement('div')
      element.textContent = textOf(message)
      list.append(element)
      rows.set(message.id, { element, message })
    } else if (row.message !== message) {
      row.element.textContent = textOf(message)
      row.message = message
    }
  }
  result.messages = rows.size
  if (result.shownAt === undefined && rows.size >= expected) {
    result.cursorWhenShown = view.cursor
    result.inDomAt = performance.now()
    result.shownAt = -1
    // The frame's callbacks run before its style, layout and paint; a message posted from one
    // is handled once that frame has been rendered.
    requestAnimationFrame(() => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => (result.shownAt = performance.now())
      channel.port2.postMessage(0)
    })
  }
})
handle.$connection.subscribe((status) => {
  if (status.synced && result.syncedAt === undefined) result.syncedAt = performance.now()
})
`

const HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>reload bench</title></head><body><main id="transcript"></main><script type="module" src="./page.js"></script></body></html>'

interface Seeded {
  readonly sessionID: string
  readonly lastSeq: number
  readonly messages: number
  readonly bytes: number
}

/** A session whose fold holds MESSAGES messages: whole turns of the workload, the last one cut where the count is reached. */
function seed(mock: MockServer): Seeded {
  const { engine } = mock
  const sessionID = engine.createSession({ title: 'reload' })
  let messages = 0
  let bytes = 0
  writeDurableTurns(
    {
      durable: (type, data) => {
        const starts = type === 'session.next.prompt.admitted' || type === 'session.next.step.started'
        if (starts && messages >= MESSAGES) return
        if (starts) messages++
        const row = engine.commit(sessionID, type as DurableEventType, data as never)
        bytes += Buffer.byteLength(JSON.stringify(row)) + 8
      },
    },
    () => messages >= MESSAGES,
    { seed: 11, bigTurn: -1 },
  )
  return { sessionID, lastSeq: engine.latestSeq(sessionID), messages: serverFold(engine, sessionID).messages.length, bytes }
}

async function bundlePage(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'session-stream-reload-'))
  const out = await build({
    stdin: { contents: PAGE_SOURCE, resolveDir: ROOT, loader: 'js', sourcefile: 'reload-page.js' },
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    logLevel: 'error',
  })
  await writeFile(join(dir, 'page.js'), out.outputFiles[0]!.contents)
  await writeFile(join(dir, 'index.html'), HTML)
  return dir
}

interface Result {
  readonly inDomAt: number | undefined
  readonly shownAt: number | undefined
  readonly syncedAt: number | undefined
  readonly messages: number
  readonly cursorWhenShown: number | undefined
}

const readResult = (page: Page): Promise<Result> => page.evaluate(() => (Reflect.get(window, '__bench') as { result: Result }).result)

/** Navigates `page` to `url` (a reload of the same page) and waits until the transcript is shown and the stream caught up. */
async function load(page: Page, url: string, seeded: Seeded): Promise<Result> {
  await page.goto(url, { waitUntil: 'commit' })
  await page.waitForFunction(
    () => {
      const result = (Reflect.get(window, '__bench') as { result: Result } | undefined)?.result
      return result !== undefined && result.shownAt !== undefined && result.shownAt >= 0 && result.syncedAt !== undefined
    },
    undefined,
    { timeout: 20_000, polling: 20 },
  )
  const result = await readResult(page)
  if (result.messages !== seeded.messages) throw new Error(`the page shows ${result.messages} messages, the server's fold ${seeded.messages}`)
  return result
}

const spread = (values: readonly number[]): string => `${ms(median(values))} (${ms(percentile(values, 0))}–${ms(percentile(values, 100))})`

export async function run(): Promise<Row[]> {
  let browser: Browser | undefined
  let site: StaticServer | undefined
  let mock: MockServer | undefined
  let dir: string | undefined
  try {
    ;[browser, mock, dir] = await Promise.all([launchChromium(), startMockServer({ queueLimit: 100_000 }), bundlePage()])
    site = await serveStatic(dir)
    const seeded = seed(mock)
    const page = await (await browser.newContext()).newPage()
    const url = (cached: boolean) =>
      `${site!.url}/?server=${encodeURIComponent(mock!.url)}&session=${seeded.sessionID}&messages=${seeded.messages}&cache=${cached ? 1 : 0}`

    // Fills the cache: the whole log once, then the view saved after a quiet second.
    await load(page, url(true), seeded)
    const started = performance.now()
    while ((await page.evaluate(() => (Reflect.get(window, '__bench') as { cachedCursor(): Promise<number | undefined> }).cachedCursor())) !== seeded.lastSeq) {
      if (performance.now() - started > 10_000) throw new Error('the view was not cached (larger than the cache bound?)')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    const cursors: number[] = []
    const synced = { uncached: [] as number[], cached: [] as number[] }
    const inDom = { uncached: [] as number[], cached: [] as number[] }
    const shown = await interleave(
      {
        uncached: async () => {
          const result = await load(page, url(false), seeded)
          synced.uncached.push(result.syncedAt!)
          inDom.uncached.push(result.inDomAt!)
          return result.shownAt!
        },
        cached: async () => {
          const result = await load(page, url(true), seeded)
          synced.cached.push(result.syncedAt!)
          inDom.cached.push(result.inDomAt!)
          cursors.push(result.cursorWhenShown ?? -1)
          return result.shownAt!
        },
      },
      ROUNDS,
      WARMUP,
    )
    // Shown from the cache means shown at the cached cursor, before the stream (after=cursor) said anything.
    if (cursors.some((cursor) => cursor !== seeded.lastSeq)) throw new Error(`a cached round showed cursors ${cursors.join(', ')}`)
    const shownRatio = pairedRatio(shown.cached, shown.uncached)
    const [syncedCached, syncedUncached, inDomCached, inDomUncached] = [synced.cached, synced.uncached, inDom.cached, inDom.uncached].map((values) =>
      values.slice(WARMUP),
    ) as [number[], number[], number[], number[]]
    const what = `${count(seeded.messages)} messages, ${count(seeded.lastSeq)} rows, ${(seeded.bytes / 1e6).toFixed(1)} MB`
    return [
      {
        name: `11. reload → first rendered transcript, Chromium (${what}): cached (IndexedDB) vs uncached (replay)`,
        figure: spread(shown.cached),
        baseline: `${spread(shown.uncached)} uncached`,
        ratio: ratio(shownRatio),
        goal: '< 1×',
        pass: shownRatio < 1,
      },
      {
        name: '11. the same reloads → every message in the DOM (before that frame\'s layout and paint)',
        figure: spread(inDomCached),
        baseline: `${spread(inDomUncached)} uncached`,
        ratio: ratio(pairedRatio(inDomCached, inDomUncached)),
        goal: '(reference)',
        pass: undefined,
      },
      {
        name: '11. the same reloads → synced (the stream caught up: after=cursor vs the whole log)',
        figure: spread(syncedCached),
        baseline: `${spread(syncedUncached)} uncached`,
        ratio: ratio(pairedRatio(syncedCached, syncedUncached)),
        goal: '(reference)',
        pass: undefined,
      },
    ]
  } finally {
    await browser?.close()
    await site?.close()
    await mock?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  }
}
