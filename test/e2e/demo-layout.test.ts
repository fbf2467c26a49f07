import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { startMockServer, type MockServer } from '../../mock-server/node.js'
import { seriousViolations } from './support/axe.js'
import { demoRig } from './support/rig.js'
import { WAIT, waitForAttribute } from './support/waits.js'

/*
 * The demo page as a person meets it: usable from a 390 px phone to a wide screen, with no
 * serious accessibility violation (axe-core) in its main states, a health panel that does
 * not flatter the connection, and a wrong server address said in words. Built by Vite,
 * driven in Debian's Chromium against the Node mock server. Screenshots of a finished tool
 * turn at each width go to test-results/demo-<width>.png.
 */

const ROOT = join(import.meta.dirname, '..', '..')
const RESULTS = join(ROOT, 'test-results')
/** A phone, a tablet (or a narrow window), a laptop. */
const WIDTHS = [
  { width: 390, height: 844 },
  { width: 768, height: 1024 },
  { width: 1280, height: 800 },
] as const

let mock: MockServer | undefined
/** A mock in the released opencode server's split shape: the page's opencode mode. */
let split: MockServer | undefined

const rig = demoRig({
  start: async () => {
    ;[mock, split] = await Promise.all([startMockServer({ heartbeatMs: 1000 }), startMockServer({ shape: 'split' })])
    await mkdir(RESULTS, { recursive: true })
  },
  stop: async () => {
    await mock?.close()
    await split?.close()
  },
  afterEach: () => mock?.engine.applyFault({ type: 'clear' }),
})

interface Opened {
  readonly page: Page
  /** Uncaught exceptions in the page. */
  readonly errors: string[]
}

async function openPage(query: string, viewport: { readonly width: number; readonly height: number } = { width: 1280, height: 800 }): Promise<Opened> {
  const context = await rig.newContext({ viewport })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${rig.siteUrl()}/${query}`)
  return { page, errors }
}

/** The demo against the mock: 4 s idle timeout, so a stall is called one after 2 s without a byte. */
const mockQuery = (intervalMs = 3) => `?mock=${encodeURIComponent(mock!.url)}&interval=${intervalMs}&idle=4000`

/** Waits until `selector`'s text is `expected` (or matches it); on timeout, fails saying what is there. */
async function waitForText(page: Page, selector: string, expected: string | RegExp, timeout = WAIT): Promise<void> {
  const pattern = typeof expected === 'string' ? { source: `^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, flags: '' } : expected
  try {
    await page.waitForFunction(
      ([target, source, flags]) => new RegExp(source, flags).test(document.querySelector(target)?.textContent ?? '\u0000'),
      [selector, pattern.source, pattern.flags] as const,
      { timeout },
    )
  } catch (cause) {
    const actual = await page.evaluate((target) => document.querySelector(target)?.textContent ?? null, selector)
    throw new Error(`text of ${selector}:\n  expected ${String(expected)}\n  shown    ${JSON.stringify(actual)}`, { cause })
  }
}

/** Creates a session from the page and waits for its stream to open. */
async function newSession(page: Page): Promise<string> {
  await page.getByTestId('new-session').click()
  const before = await page.getByTestId('session-id').getAttribute('data-session-id', { timeout: WAIT })
  await waitForText(page, '[data-testid="connection-state"]', 'open')
  return before!
}

/** Sends the weather prompt (a tool call, then the answer) and waits for the turn to finish on the page. */
async function toolTurn(page: Page): Promise<void> {
  await page.getByLabel('Prompt').fill('Weather in Lisbon?')
  await page.getByTestId('send').click()
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="activity"]')?.textContent === 'idle' &&
      document.querySelector('[data-testid="conversation"] .tool[data-status="success"]') !== null &&
      document.querySelector('[data-testid="conversation"] .message-head[data-status="completed"]') !== null,
    undefined,
    { timeout: WAIT },
  )
}

/** Fails listing every serious or critical axe violation on the page as it is. */
async function expectNoSeriousViolations(page: Page, state: string): Promise<void> {
  const found = await seriousViolations(page)
  const report = found.map((item) => `[${item.impact}] ${item.id}: ${item.help}\n    ${item.targets.join('\n    ')}`)
  // The state in the comparison, so a failure says where.
  expect({ state, violations: report }).toEqual({ state, violations: [] })
}

interface Box {
  readonly top: number
  readonly bottom: number
  readonly left: number
  readonly right: number
  readonly height: number
}

/** Where an element sits on the page (document coordinates, so scrolling does not matter). */
async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.evaluate((target) => {
    const element = document.querySelector(target)
    if (element === null) return null
    const rect = element.getBoundingClientRect()
    return { top: rect.top + scrollY, bottom: rect.bottom + scrollY, left: rect.left + scrollX, right: rect.right + scrollX, height: rect.height }
  }, selector)
  if (found === null) throw new Error(`${selector} is not on the page`)
  return found
}

const overlaps = (a: Box, b: Box): boolean => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom

describe('the demo page at every width', () => {
  for (const viewport of WIDTHS) {
    it(`${viewport.width} px: no sideways scroll, the conversation has room and nothing covers it, no serious axe violation`, async () => {
      const { page, errors } = await openPage(mockQuery(), viewport)
      await page.getByTestId('new-session').waitFor({ timeout: WAIT })
      await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="new-session"]')?.disabled, undefined, { timeout: WAIT })
      await expectNoSeriousViolations(page, `${viewport.width} px, no session`)

      await newSession(page)
      await toolTurn(page)

      const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }))
      const conversation = await box(page, '[data-testid="conversation"]')
      const composer = await box(page, '.composer')
      const side = await box(page, '.side')
      expect({
        scrollsSideways: width.scroll > width.client,
        conversationUnder280px: conversation.height < 280,
        conversationPastTheRightEdge: conversation.right > viewport.width,
        panelsCoverTheConversation: overlaps(side, conversation),
        panelsCoverThePromptBox: overlaps(side, composer),
      }).toEqual({
        scrollsSideways: false,
        conversationUnder280px: false,
        conversationPastTheRightEdge: false,
        panelsCoverTheConversation: false,
        panelsCoverThePromptBox: false,
      })
      // The prompt box takes a click: nothing lies on top of it.
      await page.getByLabel('Prompt').click({ trial: true, timeout: 2000 })
      await page.getByTestId('fault-drop').click({ trial: true, timeout: 2000 })

      await expectNoSeriousViolations(page, `${viewport.width} px, a finished tool turn`)
      await page.evaluate(() => window.scrollTo(0, 0))
      await page.screenshot({ path: join(RESULTS, `demo-${viewport.width}.png`), fullPage: true })
      expect(errors).toEqual([])
    }, 60_000)
  }

  it('opencode mode: the server form, connected and with a bad address, has no serious axe violation and no sideways scroll at 390 px', async () => {
    const { page, errors } = await openPage(`?opencode=${encodeURIComponent(split!.url)}`, { width: 390, height: 844 })
    await waitForAttribute(page, '[data-testid="server-status"]', 'data-state', 'ok')
    await expectNoSeriousViolations(page, 'opencode mode, connected')

    await page.getByTestId('server-url').fill('http://127.0.0.1:1')
    await page.getByTestId('server-connect').click()
    await page.getByTestId('server-error').waitFor({ timeout: WAIT })
    expect(await page.getByTestId('server-error').textContent()).toContain('Nothing answered at http://127.0.0.1:1')
    await expectNoSeriousViolations(page, 'opencode mode, nothing at the address')
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }))
    expect(width.scroll).toBeLessThanOrEqual(width.client)
    expect(errors).toEqual([])
  }, 40_000)
})

describe('accessibility of the controls', () => {
  it('labels the prompt field, and makes the renderer switch real tabs that arrow keys move', async () => {
    const { page, errors } = await openPage(mockQuery())
    await newSession(page)

    const prompt = page.getByLabel('Prompt', { exact: true })
    expect(await prompt.getAttribute('data-testid')).toBe('prompt')

    const tablist = page.getByRole('tablist', { name: 'Renderer' })
    const tabs = tablist.getByRole('tab')
    expect(await tabs.allTextContents()).toEqual(['React', 'Vue', 'Side by side'])
    const selected = () => tablist.locator('[role="tab"][aria-selected="true"]').textContent()
    const panel = page.getByRole('tabpanel')
    expect(await panel.count()).toBe(1)
    expect(await selected()).toBe('React')
    expect(await panel.getAttribute('aria-labelledby')).toBe(await tabs.nth(0).getAttribute('id'))
    expect(await tabs.nth(0).getAttribute('aria-controls')).toBe(await panel.getAttribute('id'))
    // One tab stop: the selected tab.
    expect(await tabs.evaluateAll((elements) => elements.map((element) => element.getAttribute('tabindex')))).toEqual(['0', '-1', '-1'])

    await tabs.nth(0).focus()
    await page.keyboard.press('ArrowRight')
    expect(await selected()).toBe('Vue')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Vue')
    await page.getByTestId('vue-view').waitFor({ timeout: WAIT })
    expect(await page.getByTestId('conversation').count()).toBe(0)
    expect(await panel.getAttribute('aria-labelledby')).toBe(await tabs.nth(1).getAttribute('id'))

    await page.keyboard.press('ArrowRight')
    expect(await selected()).toBe('Side by side')
    await page.keyboard.press('ArrowRight')
    expect(await selected()).toBe('React')
    await page.keyboard.press('ArrowLeft')
    expect(await selected()).toBe('Side by side')
    await page.keyboard.press('Home')
    expect(await selected()).toBe('React')
    await page.keyboard.press('End')
    expect(await selected()).toBe('Side by side')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('tab')
    await expectNoSeriousViolations(page, 'both renderers side by side')
    expect(errors).toEqual([])
  }, 40_000)
})

describe('the health panel tells the truth', () => {
  it('shows an error as current while the stream is down, then as past, with its age, once it recovered', async () => {
    const { page, errors } = await openPage(mockQuery())
    await newSession(page)
    expect(await page.getByTestId('last-error').count()).toBe(0)

    // Shed load: the stream is dropped and every new request answered 503 (Retry-After 2 s).
    await page.getByRole('button', { name: 'Shed load' }).click()
    await waitForAttribute(page, '[data-testid="last-error"]', 'data-past', 'false')
    await waitForText(page, '[data-testid="last-error"]', /^error [\d.]+ (ms|s) ago: /)
    expect(await page.getByTestId('connection-state').textContent()).not.toBe('open')

    await page.getByRole('button', { name: 'Shed load' }).click()
    await waitForText(page, '[data-testid="connection-state"]', 'open')
    await waitForAttribute(page, '[data-testid="last-error"]', 'data-past', 'true')
    await waitForText(page, '[data-testid="last-error"]', /^last error [\d.]+ (ms|s) ago, recovered: \S+/)
    // The age keeps counting: it says when, not just that.
    await waitForText(page, '[data-testid="last-error"]', /^last error ([2-9](\.\d)?|\d{2,}) s ago, recovered/)
    expect(errors).toEqual([])
  }, 40_000)

  it('shows a stall as stalled, with the time since the last byte, not as a green open', async () => {
    const { page, errors } = await openPage(mockQuery())
    await newSession(page)

    await page.getByRole('button', { name: 'Stall' }).click()
    await waitForText(page, '[data-testid="connection-state"]', 'stalled')
    expect(await page.getByTestId('connection-state').getAttribute('data-tone')).not.toBe('ok')
    await waitForText(page, '[data-testid="stall"]', /no byte for [\d.]+ s/)
    // Past the idle timeout the client gives up on the socket and retries; still no byte, still stalled.
    await waitForText(page, '[data-testid="stall"]', /no byte for ([5-9](\.\d)?|\d{2,}) s/)
    expect(await page.getByTestId('connection-state').textContent()).toBe('stalled')
    expect(await page.getByTestId('last-byte').getAttribute('class')).toBe('stale')

    await page.getByRole('button', { name: 'Stall' }).click()
    await waitForText(page, '[data-testid="connection-state"]', 'open')
    expect(await page.getByTestId('stall').count()).toBe(0)
    await waitForAttribute(page, '[data-testid="last-error"]', 'data-past', 'true')
    expect(errors).toEqual([])
  }, 40_000)

  it('keeps an alive but quiet stream open: heartbeats count as bytes', async () => {
    const { page, errors } = await openPage(mockQuery())
    await newSession(page)
    // Three times the 2 s stall threshold with nothing but 1 s heartbeats on the stream.
    const started = Date.now()
    while (Date.now() - started < 6000) {
      expect(await page.getByTestId('connection-state').textContent()).toBe('open')
      expect(await page.getByTestId('stall').count()).toBe(0)
      await page.waitForTimeout(500)
    }
    expect(await page.getByTestId('last-byte').textContent()).toMatch(/^(\d+ ms|1\.\d s) ago$/)
    expect(errors).toEqual([])
  }, 40_000)

  it('keeps a fault note with the session it was made in', async () => {
    const { page, errors } = await openPage(mockQuery())
    const first = await newSession(page)
    const fallback = 'Break something and watch the client recover.'
    expect(await page.getByTestId('fault-note').textContent()).toBe(fallback)

    await page.getByTestId('fault-drop').click()
    await waitForText(page, '[data-testid="fault-note"]', /dropped every open stream$/)

    // A second session: no note of its own yet.
    await page.getByTestId('new-session').click()
    await page.waitForFunction((id) => document.querySelector('[data-testid="session-id"]')?.getAttribute('data-session-id') !== id, first, { timeout: WAIT })
    await waitForText(page, '[data-testid="fault-note"]', fallback)

    // Back to the first: its note again.
    await page.locator(`[data-session-id="${first}"]`).first().click()
    await waitForAttribute(page, '[data-testid="session-id"]', 'data-session-id', first)
    await waitForText(page, '[data-testid="fault-note"]', /dropped every open stream$/)
    expect(errors).toEqual([])
  }, 40_000)
})

describe('a bad mock server address', () => {
  it('says so in words at the top, and nothing else pretends to work', async () => {
    const { page, errors } = await openPage(`?mock=${encodeURIComponent('http://127.0.0.1:1')}`, { width: 390, height: 844 })
    const alert = page.getByTestId('server-error')
    await alert.waitFor({ timeout: WAIT })
    expect(await alert.getAttribute('role')).toBe('alert')
    expect(await alert.textContent()).toContain('Nothing answered at http://127.0.0.1:1')
    // Near the top: inside the top bar, above the sessions and the pane.
    expect(await alert.evaluate((element) => element.closest('header')?.className)).toBe('topbar')
    expect(await page.getByTestId('new-session').isDisabled()).toBe(true)
    expect(await page.getByTestId('not-connected').textContent()).toContain('Not connected')
    expect(await page.getByTestId('connection-state').count()).toBe(0)
    await expectNoSeriousViolations(page, 'mock mode, nothing at the address')

    const unusable = await openPage('?mock=notaurl')
    await unusable.page.getByTestId('server-error').waitFor({ timeout: WAIT })
    expect(await unusable.page.getByTestId('server-error').textContent()).toContain('is not usable')
    expect(errors).toEqual([])
    expect(unusable.errors).toEqual([])
  }, 40_000)
})
