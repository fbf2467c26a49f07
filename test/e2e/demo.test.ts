import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it, vi } from 'vitest'
import { scriptedTurn } from '../../demo/lib/scripted-reply.js'
import { startMockServer, type MockServer } from '../../mock-server/node.js'
import { demoRig } from './support/rig.js'
import { WAIT, waitForAttribute, waitForText } from './support/waits.js'
import { readTurn, type TurnRecord } from './support/turns.js'

/*
 * The demo page, built by Vite and driven in Debian's Chromium against the Node mock
 * server: the SDK end to end in a real browser. Every wait is for a condition; the
 * timeouts only bound how long a broken build takes to fail.
 */

const ROOT = join(import.meta.dirname, '..', '..')
const SCREENSHOT = join(ROOT, 'test-results', 'demo.png')
const TOOL_SCREENSHOT = join(ROOT, 'test-results', 'demo-tool-turn.png')

let mock: MockServer | undefined

const rig = demoRig({
  start: async () => {
    mock = await startMockServer({ heartbeatMs: 1000 })
  },
  stop: async () => {
    await mock?.close()
  },
  afterEach: () => mock?.engine.applyFault({ type: 'clear' }),
})

interface DemoPage {
  readonly page: Page
  readonly sessionID: string
  /** Uncaught exceptions in the page. */
  readonly errors: string[]
}

/** Opens the built demo against the mock server and creates a session from the page. */
async function openDemo(intervalMs: number): Promise<DemoPage> {
  const context = await rig.newContext({ viewport: { width: 1440, height: 940 } })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${rig.siteUrl()}/?mock=${encodeURIComponent(mock!.url)}&interval=${intervalMs}&idle=4000`)
  await page.getByTestId('new-session').click()
  const id = page.getByTestId('session-id')
  await id.waitFor({ timeout: WAIT })
  const sessionID = await id.getAttribute('data-session-id')
  expect(sessionID).toMatch(/^ses_/)
  await waitForText(page, '[data-testid="connection-state"]', 'open')
  return { page, sessionID: sessionID!, errors }
}

async function ask(page: Page, prompt: string): Promise<void> {
  await page.getByTestId('prompt').fill(prompt)
  await page.getByTestId('send').click()
}

async function waitForPage(page: Page, what: string, predicate: () => boolean, timeout = WAIT): Promise<void> {
  try {
    await page.waitForFunction(predicate, undefined, { timeout })
  } catch (cause) {
    throw new Error(`timed out waiting for ${what}`, { cause })
  }
}

/** Polls the server's log until the turn started with `prompt` satisfies `done`. */
async function serverTurn(sessionID: string, prompt: string, done: (turn: TurnRecord) => boolean): Promise<TurnRecord> {
  return vi.waitFor(
    () => {
      const turn = readTurn(mock!.engine, sessionID, prompt)
      if (!done(turn)) throw new Error(`turn not there yet: ${JSON.stringify(turn)}`)
      return turn
    },
    { timeout: WAIT, interval: 20 },
  )
}

/** The step of the turn that holds the answer text, in the React transcript. */
const messageSelector = (turn: TurnRecord) => `[data-testid="conversation"] [data-message-id="${turn.answerID}"]`
const textSelector = (turn: TurnRecord) => `${messageSelector(turn)} [data-part-key="${turn.textKey}"] [data-testid="part-text"]`

/** Waits until the answer text has streamed in at least partly: a fault then lands mid-turn. */
async function waitForStreamingText(page: Page, turn: TurnRecord): Promise<void> {
  const selector = textSelector(turn)
  await page.waitForFunction((target) => (document.querySelector(target)?.textContent?.length ?? 0) >= 12, selector, {
    timeout: WAIT,
  })
}

/** The turn is over on the page: answer step status, activity idle, cursor caught up with the server's log. */
async function expectSettled(demo: DemoPage, turn: TurnRecord, status: string): Promise<void> {
  await waitForText(demo.page, '[data-testid="activity"]', 'idle')
  await waitForAttribute(demo.page, messageSelector(turn), 'data-status', status)
  await waitForText(demo.page, '[data-testid="cursor"]', String(mock!.engine.latestSeq(demo.sessionID)))
}

/** Waits for the server to finish the turn, then for the page to show exactly its text. */
async function completedTurn(demo: DemoPage, prompt: string): Promise<TurnRecord> {
  const turn = await serverTurn(demo.sessionID, prompt, (t) => t.outcome !== undefined)
  expect(turn.outcome).toBe('succeeded')
  await waitForText(demo.page, textSelector(turn), turn.text!)
  await expectSettled(demo, turn, 'completed')
  return turn
}

describe('the demo page in Chromium', () => {
  it('streams a turn to completion: the page shows exactly the server text, then idle', async () => {
    const demo = await openDemo(6)
    const prompt = 'How does the reducer avoid re-rendering everything?'
    await ask(demo.page, prompt)
    const turn = await completedTurn(demo, prompt)

    expect(turn.tools).toEqual(['search.code', 'fs.read'])
    const reply = demo.page.getByTestId('conversation').getByTestId('assistant-turn').last()
    expect(await reply.getByTestId('tool-output').count()).toBe(2)
    expect(await reply.getByTestId('incomplete').count()).toBe(0)
    expect(await demo.page.getByTestId('user-text').last().textContent()).toBe(prompt)
    expect(demo.errors).toEqual([])

    // Tall enough for the whole conversation, prompt included.
    await demo.page.setViewportSize({ width: 1440, height: 1080 })
    await mkdir(join(ROOT, 'test-results'), { recursive: true })
    await demo.page.screenshot({ path: SCREENSHOT })
  }, 40_000)

  it('recovers from a dropped stream mid-turn: the final text is exact and activity returns to idle', async () => {
    const demo = await openDemo(12)
    const prompt = 'How do resumable streams survive a dropped connection?'
    await ask(demo.page, prompt)
    const started = await serverTurn(demo.sessionID, prompt, (t) => t.textKey !== undefined)
    await waitForStreamingText(demo.page, started)

    await demo.page.getByTestId('fault-drop').click()
    await waitForPage(demo.page, 'a reconnect', () => document.querySelector('[data-testid="counter-reconnects"] .counter-value')?.textContent !== '0')

    const turn = await completedTurn(demo, prompt)
    await waitForAttribute(demo.page, `${messageSelector(turn)} [data-part-key="${turn.textKey}"]`, 'data-incomplete', 'false')
    expect(demo.errors).toEqual([])
  }, 40_000)

  it('recovers from a server restart mid-turn: interrupted, idle, nothing missing, and the next turn is exact', async () => {
    const demo = await openDemo(20)
    const prompt = 'How do resumable streams survive a dropped connection?'
    await ask(demo.page, prompt)
    const started = await serverTurn(demo.sessionID, prompt, (t) => t.textKey !== undefined)
    await waitForStreamingText(demo.page, started)

    await waitForText(demo.page, '[data-testid="activity"]', 'running')

    await demo.page.getByTestId('fault-restart').click()
    await waitForPage(demo.page, 'a reconnect', () => document.querySelector('[data-testid="counter-reconnects"] .counter-value')?.textContent !== '0')
    // A restart cancels the turn without writing: only the activity snapshot of the new
    // connection says it stopped, and the page settles the cut step as interrupted.
    await expectSettled(demo, started, 'interrupted')
    const cut = readTurn(mock!.engine, demo.sessionID, prompt)
    expect(cut.outcome).toBeUndefined()

    // Cut while streaming (the usual case): what arrived is the start of the answer, and the
    // part is marked incomplete. Had the text ended before the restart, it is exact and unmarked.
    const streamedWhenCut = cut.text === undefined
    const shown = (await demo.page.locator(textSelector(cut)).textContent()) ?? ''
    expect(shown.length).toBeGreaterThanOrEqual(12)
    expect(scriptedTurn(prompt).text.startsWith(shown)).toBe(true)
    expect(streamedWhenCut || shown === cut.text).toBe(true)
    expect(await demo.page.locator(textSelector(cut)).locator('xpath=..').getAttribute('data-incomplete')).toBe(String(streamedWhenCut))
    expect(await demo.page.locator(textSelector(cut)).locator('xpath=..').getByTestId('incomplete').count()).toBe(streamedWhenCut ? 1 : 0)

    const next = '2,500 at 7 % for 10 years?'
    await ask(demo.page, next)
    await completedTurn(demo, next)
    expect(demo.errors).toEqual([])
  }, 40_000)

  it('shows a tool turn as one assistant reply: the tool card, then the answer', async () => {
    const demo = await openDemo(4)
    const prompt = 'Weather in Lisbon?'
    await ask(demo.page, prompt)
    const turn = await completedTurn(demo, prompt)
    expect(turn.stepIDs).toHaveLength(2)
    expect(turn.tools).toEqual(['weather.forecast'])

    // One block for the turn, holding both steps: the tool call first, the answer after it.
    const replies = demo.page.getByTestId('conversation').getByTestId('assistant-turn')
    expect(await replies.count()).toBe(1)
    const reply = replies.first()
    expect(await reply.getAttribute('data-steps')).toBe('2')
    const steps = reply.locator('section.step')
    expect(await steps.evaluateAll((sections) => sections.map((section) => section.getAttribute('data-message-id')))).toEqual(turn.stepIDs)
    expect(await steps.first().getAttribute('data-finish')).toBe('tool-calls')
    expect(await steps.last().getAttribute('data-finish')).toBe('stop')

    const tool = steps.first().locator('.tool')
    expect(await tool.getByTestId('tool-name').textContent()).toBe('weather.forecast')
    expect(await tool.getAttribute('data-status')).toBe('success')
    expect(await tool.getByTestId('tool-input').textContent()).toContain('"city": "Lisbon"')
    expect(await tool.getByTestId('tool-output').textContent()).toContain('"sky": "light rain"')
    expect(await steps.first().getByTestId('part-text').count()).toBe(0)
    expect(await steps.last().getByTestId('part-text').textContent()).toBe(turn.text)
    // Agent and model are named once, in the reply's header.
    expect(await reply.locator('.message-head').count()).toBe(1)
    expect(demo.errors).toEqual([])

    await demo.page.setViewportSize({ width: 1440, height: 1080 })
    await mkdir(join(ROOT, 'test-results'), { recursive: true })
    await demo.page.screenshot({ path: TOOL_SCREENSHOT })
  }, 40_000)

  it('shows a prompt with HTML in it as text and runs none of it, in the React and the Vue view', async () => {
    const demo = await openDemo(3)
    const prompt = '<img src=x onerror="window.__xss=1">'
    await ask(demo.page, prompt)
    const turn = await completedTurn(demo, prompt)
    expect(turn.text).toContain(prompt)
    expect(await demo.page.getByTestId('user-text').last().textContent()).toBe(prompt)

    await demo.page.getByTestId('renderer-both').click()
    await waitForText(demo.page, '[data-testid="vue-view"] .message.user .bubble', prompt)
    await waitForText(demo.page, `[data-testid="vue-view"] [data-message-id="${turn.answerID}"] [data-part-key="${turn.textKey}"] .part-text`, turn.text!)

    expect(await demo.page.evaluate(() => Reflect.get(window, '__xss'))).toBeUndefined()
    expect(await demo.page.locator('img').count()).toBe(0)
    expect(demo.errors).toEqual([])
  }, 40_000)

  it('never hands server text to an HTML sink in the demo sources', async () => {
    const sinks = /dangerouslySetInnerHTML|innerHTML|outerHTML|insertAdjacentHTML|v-html|document\.write/
    const files = (await readdir(join(ROOT, 'demo'), { recursive: true })).filter((file) => /\.(ts|tsx|html)$/.test(file))
    expect(files.length).toBeGreaterThan(5)
    const offenders: string[] = []
    for (const file of files) if (sinks.test(await readFile(join(ROOT, 'demo', file), 'utf8'))) offenders.push(file)
    expect(offenders).toEqual([])
  })
})
