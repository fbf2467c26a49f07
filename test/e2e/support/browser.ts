import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/*
 * The browser tests drive Debian's Chromium through playwright-core; they never download a
 * browser. Without it they fail (not skip) with a message that says what to install.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing: the browser end-to-end tests need it at ${CHROMIUM_PATH}. ` +
        'Install it with `apt-get update && apt-get install -y chromium` ' +
        '(or point CHROMIUM_PATH at a Chromium binary). Never `npx playwright install`.',
    )
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true })
}
