import { rm } from 'node:fs/promises'
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { launchChromium } from './browser.js'
import { buildDemo } from './demo-build.js'
import { serveStatic, type StaticServer } from './static-server.js'

export interface DemoRig {
  /** The built demo, served on loopback. */
  siteUrl(): string
  /** A fresh context of the one browser, closed after the test; throws why Chromium could not start. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>
}

export interface RigHooks {
  /** Starts the file's servers, beside the demo's build. */
  start(): Promise<void>
  stop(): Promise<void>
  /** After each test, once its contexts are closed (e.g. clear the servers' faults). */
  afterEach?(): void
}

/**
 * The browser tests' shared setup: Chromium first (so a machine without it fails at once,
 * each test saying what to install), then the demo built by Vite and served, beside the
 * file's own servers; every context is closed after its test, everything after the file.
 */
export function demoRig(hooks: RigHooks): DemoRig {
  let browser: Browser | undefined
  let launchError: unknown
  let site: StaticServer | undefined
  let outDir: string | undefined
  const contexts: BrowserContext[] = []
  beforeAll(async () => {
    try {
      browser = await launchChromium()
    } catch (cause) {
      launchError = cause
      return
    }
    ;[outDir] = await Promise.all([buildDemo(), hooks.start()])
    site = await serveStatic(outDir)
  }, 90_000)
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()))
    hooks.afterEach?.()
  })
  afterAll(async () => {
    await browser?.close()
    await site?.close()
    await hooks.stop()
    if (outDir !== undefined) await rm(outDir, { recursive: true, force: true })
  })
  return {
    siteUrl: () => site!.url,
    async newContext(options) {
      if (launchError !== undefined) throw launchError
      const context = await browser!.newContext(options)
      contexts.push(context)
      return context
    },
  }
}
