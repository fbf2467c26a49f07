import { once } from 'node:events'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { describe, expect, it, vi } from 'vitest'
import { startMockServer, type MockServer } from '../../mock-server/node.js'
import { demoRig } from './support/rig.js'
import { WAIT, waitForAttribute, waitForText } from './support/waits.js'
import { readTurn, type TurnRecord } from './support/turns.js'

/*
 * The demo page in "opencode mode" (`?opencode=<url>`), built by Vite and driven in
 * Chromium against the mock server in its split shape: the shape of a released opencode
 * server (session streams with durable rows only and no headers until the first one,
 * fragments on GET /api/event, activity from GET /api/session/active). The page may use
 * only the SDK's API there, never the mock's control surface, and must say in words when
 * the address or the password is wrong. The real opencode server is not used: CI has none.
 */

const PASSWORD = 'correct horse battery'

/** Split shape, open: the page's server. Paced so a turn can be stopped mid-way. */
let mock: MockServer | undefined
/** Split shape, with a password. */
let locked: MockServer | undefined

const rig = demoRig({
  start: async () => {
    ;[mock, locked] = await Promise.all([startMockServer({ shape: 'split', intervalMs: 40 }), startMockServer({ shape: 'split', password: PASSWORD })])
  },
  stop: async () => {
    await mock?.close()
    await locked?.close()
  },
})

interface OpencodePage {
  readonly page: Page
  /** Uncaught exceptions in the page. */
  readonly errors: string[]
  /** Every URL the page requested. */
  readonly requests: string[]
  /** Everything the page wrote to its console. */
  readonly console: string[]
}

async function openPage(serverUrl: string): Promise<OpencodePage> {
  const context = await rig.newContext({ viewport: { width: 1440, height: 940 } })
  const page = await context.newPage()
  const errors: string[] = []
  const requests: string[] = []
  const lines: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('request', (request) => requests.push(request.url()))
  page.on('console', (message) => lines.push(message.text()))
  await page.goto(`${rig.siteUrl()}/?opencode=${encodeURIComponent(serverUrl)}`)
  return { page, errors, requests, console: lines }
}

/** The server line next to the field, once it says anything but "connecting". */
async function serverLine(page: Page): Promise<{ readonly state: string; readonly code: string | null; readonly text: string }> {
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="server-error"]') !== null ||
      ['ok', 'no-list'].includes(document.querySelector('[data-testid="server-status"]')?.getAttribute('data-state') ?? ''),
    undefined,
    { timeout: WAIT },
  )
  return page.evaluate(() => {
    const error = document.querySelector('[data-testid="server-error"]')
    if (error !== null) return { state: 'error', code: error.getAttribute('data-code'), text: error.textContent ?? '' }
    const status = document.querySelector('[data-testid="server-status"]')!
    return { state: status.getAttribute('data-state') ?? '', code: null, text: status.textContent ?? '' }
  })
}

/**
 * Fills the server form and connects; unless the address is expected to be refused as it
 * is typed, resolves once the page made its new client (the form counts them).
 */
async function connect(page: Page, url: string, password: string, refused = false): Promise<void> {
  const generation = Number(await page.getByTestId('server-form').getAttribute('data-generation'))
  await page.getByTestId('server-url').fill(url)
  await page.getByTestId('server-password').fill(password)
  await page.getByTestId('server-connect').click()
  if (refused) return
  await page.waitForFunction(
    (before) => Number(document.querySelector('[data-testid="server-form"]')?.getAttribute('data-generation')) > before,
    generation,
    { timeout: WAIT },
  )
}

/** Whether the server answers GET /api/session (the released opencode does; the mock may not). */
async function listsSessions(server: MockServer): Promise<boolean> {
  const response = await fetch(`${server.url}/api/session`)
  await response.body?.cancel()
  return response.ok
}

async function createFromPage(page: Page): Promise<string> {
  await page.getByTestId('new-session').click()
  const id = page.getByTestId('session-id')
  await id.waitFor({ timeout: WAIT })
  const sessionID = await id.getAttribute('data-session-id')
  expect(sessionID).toMatch(/^ses_/)
  return sessionID!
}

async function ask(page: Page, prompt: string): Promise<void> {
  await page.getByTestId('prompt').fill(prompt)
  await page.getByTestId('send').click()
}

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

const messageSelector = (turn: TurnRecord) => `[data-testid="conversation"] [data-message-id="${turn.answerID}"]`
const textSelector = (turn: TurnRecord) => `${messageSelector(turn)} [data-part-key="${turn.textKey}"] [data-testid="part-text"]`

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('the demo page against a split-shape (released opencode) server', () => {
  it('lists and creates sessions, prompts and shows the answer through the SDK API only, with no fault buttons', async () => {
    const lists = await listsSessions(mock!)
    const before = mock!.engine.createSession({ title: 'made before the page opened' })
    const demo = await openPage(mock!.url)
    const { page } = demo

    const line = await serverLine(page)
    expect(line.state).toBe(lists ? 'ok' : 'no-list')
    // A server that lists its sessions shows them, the one made before the page included;
    // one that answers GET /api/session with 405 (the mock may) gets a notice instead.
    if (lists) await page.locator(`[data-testid="session-list"] [data-session-id="${before}"]`).waitFor({ timeout: WAIT })
    expect(await page.getByTestId('list-notice').count()).toBe(lists ? 0 : 1)

    const sessionID = await createFromPage(page)
    await page.locator(`[data-testid="session-list"] [data-session-id="${sessionID}"]`).waitFor({ timeout: WAIT })
    expect(mock!.engine.sessions().some((session) => session.sessionID === sessionID)).toBe(true)
    // The page learns the shape from the server itself.
    await waitForText(page, '[data-testid="shape"]', 'split')

    const prompt = 'Hello from the page in opencode mode'
    await ask(page, prompt)
    const turn = await serverTurn(sessionID, prompt, (t) => t.outcome !== undefined)
    expect(turn.outcome).toBe('succeeded')
    expect(turn.text).toBe(`Echo: ${prompt}`)
    await waitForText(page, textSelector(turn), turn.text!)
    await waitForText(page, '[data-testid="activity"]', 'idle')
    await waitForAttribute(page, messageSelector(turn), 'data-status', 'completed')
    expect(await page.getByTestId('user-text').last().textContent()).toBe(prompt)

    // The mock-only fault switches are not offered; Delete (the session API's DELETE) is.
    for (const id of ['fault-drop', 'fault-restart']) expect(await page.getByTestId(id).count()).toBe(0)
    expect(await page.locator('section[aria-label="Faults"]').count()).toBe(0)
    for (const name of ['Stall', 'Split frames', 'Shed load', 'Drop stream', 'Restart server']) {
      expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0)
    }
    await page.getByTestId('fault-delete').click()
    await page.getByTestId('deleted').waitFor({ timeout: WAIT }).catch(async (cause: unknown) => {
      const health = await page.locator('section[aria-label="Connection health"]').textContent()
      const note = await page.locator('.fault-note').textContent()
      throw new Error(`the page never marked the deleted session deleted; health: ${health}; note: ${note}`, { cause })
    })
    expect(mock!.engine.sessions().some((session) => session.sessionID === sessionID)).toBe(false)

    // Only the session API: never the mock's control surface.
    const paths = demo.requests.filter((url) => url.startsWith(mock!.url)).map((url) => new URL(url).pathname)
    // opencode's API, including its one older route (deletion); never /__mock.
    expect(paths.filter((path) => !path.startsWith('/api/'))).toEqual([`/session/${sessionID}`])
    expect(paths).toContain('/api/event')
    expect(paths).toContain(`/api/session/${sessionID}/prompt`)
    expect(demo.errors).toEqual([])
  }, 45_000)

  it('stops a running turn with Stop (POST /api/session/:id/interrupt)', async () => {
    const demo = await openPage(mock!.url)
    const { page } = demo
    await serverLine(page)
    const sessionID = await createFromPage(page)
    await waitForText(page, '[data-testid="shape"]', 'split')
    const prompt = `Tell me a very long story. ${'Once upon a time there was a stream that never ended. '.repeat(6)}`.trim()
    await ask(page, prompt)
    const started = await serverTurn(sessionID, prompt, (t) => t.textKey !== undefined)
    await waitForText(page, '[data-testid="activity"]', 'running')
    await page.waitForFunction((target) => (document.querySelector(target)?.textContent?.length ?? 0) >= 12, textSelector(started), {
      timeout: WAIT,
    })

    await page.getByTestId('interrupt').click()
    await waitForText(page, '[data-testid="activity"]', 'idle')
    await waitForAttribute(page, messageSelector(started), 'data-status', 'interrupted')
    const cut = readTurn(mock!.engine, sessionID, prompt)
    expect(cut.outcome).toBeUndefined()
    expect(cut.text).toBeUndefined()
    expect(demo.requests).toContain(`${mock!.url}/api/session/${sessionID}/interrupt`)
    expect(await page.getByTestId('interrupt').count()).toBe(0)
    expect(demo.errors).toEqual([])
  }, 45_000)

  it('says next to the field when the password is missing or wrong, and keeps the password out of the URL and storage', async () => {
    const demo = await openPage(locked!.url)
    const { page } = demo

    const missing = await serverLine(page)
    expect(missing.state).toBe('error')
    expect(missing.code).toBe('unauthorized')
    expect(missing.text).toContain('needs a password')
    // Nothing pretends to work meanwhile.
    expect(await page.getByTestId('new-session').isDisabled()).toBe(true)
    expect(await page.getByTestId('not-connected').count()).toBe(1)
    expect(await page.getByTestId('session-id').count()).toBe(0)

    await connect(page, locked!.url, 'not the password')
    await waitForText(page, '[data-testid="server-error"] strong', 'Wrong password: the server refused it.')
    expect(await page.getByTestId('server-error').getAttribute('data-code')).toBe('unauthorized')
    expect(await page.getByTestId('new-session').isDisabled()).toBe(true)
    expect(await page.getByTestId('server-error').evaluate((element) => element.closest('form')?.getAttribute('data-testid'))).toBe('server-form')

    await connect(page, locked!.url, PASSWORD)
    const ok = await serverLine(page)
    expect(['ok', 'no-list']).toContain(ok.state)
    const sessionID = await createFromPage(page)
    await waitForText(page, '[data-testid="shape"]', 'split')
    expect(locked!.engine.sessions().some((session) => session.sessionID === sessionID)).toBe(true)

    // In memory only.
    const stored = await page.evaluate(() => ({
      url: location.href,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      cookie: document.cookie,
    }))
    for (const place of [stored.url, stored.local, stored.session, stored.cookie, ...demo.requests, ...demo.console]) {
      expect(place).not.toContain(PASSWORD)
      expect(place).not.toContain(encodeURIComponent(PASSWORD))
    }
    expect(demo.errors).toEqual([])
  }, 45_000)

  it('says next to the field when nothing answers at the address', async () => {
    const port = await closedPort()
    const demo = await openPage(`http://127.0.0.1:${port}`)
    const line = await serverLine(demo.page)
    expect(line.state).toBe('error')
    expect(line.code).toBe('network-error')
    expect(line.text).toContain(`Nothing answered at http://127.0.0.1:${port}`)
    expect(await demo.page.getByTestId('new-session').isDisabled()).toBe(true)

    // An address that is not a URL is refused before anything is asked.
    await connect(demo.page, 'opencode please', '', true)
    await waitForText(demo.page, '[data-testid="server-error"] strong', '"opencode please" is not a URL: try http://127.0.0.1:4096.')

    // Pointing the field at a working server brings the page up.
    await connect(demo.page, mock!.url, '')
    expect(['ok', 'no-list']).toContain((await serverLine(demo.page)).state)
    expect(await demo.page.getByTestId('new-session').isDisabled()).toBe(false)
    expect(new URL(demo.page.url()).searchParams.get('opencode')).toBe(mock!.url)
    expect(demo.errors).toEqual([])
  }, 45_000)
})
