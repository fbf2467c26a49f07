import type { Page } from 'playwright-core'

/** How long a browser test waits for a condition: it only bounds how long a broken build takes to fail. */
export const WAIT = 15_000

/** Waits until `selector`'s text is `expected`; on timeout, fails with a diff of what is there. */
export async function waitForText(page: Page, selector: string, expected: string, timeout = WAIT): Promise<void> {
  try {
    await page.waitForFunction(
      ([target, text]) => document.querySelector(target)?.textContent === text,
      [selector, expected] as const,
      { timeout },
    )
  } catch (cause) {
    const actual = await page.evaluate((target) => document.querySelector(target)?.textContent ?? null, selector)
    throw new Error(`text of ${selector}:\n  expected ${JSON.stringify(expected)}\n  shown    ${JSON.stringify(actual)}`, { cause })
  }
}

/** Waits until `selector`'s `name` attribute is `expected`; on timeout, fails saying what is there. */
export async function waitForAttribute(page: Page, selector: string, name: string, expected: string, timeout = WAIT): Promise<void> {
  try {
    await page.waitForFunction(
      ([target, attribute, value]) => document.querySelector(target)?.getAttribute(attribute) === value,
      [selector, name, expected] as const,
      { timeout },
    )
  } catch (cause) {
    const actual = await page.evaluate(([target, attribute]) => document.querySelector(target)?.getAttribute(attribute) ?? null, [selector, name] as const)
    throw new Error(`${name} of ${selector}: expected ${JSON.stringify(expected)}, shown ${JSON.stringify(actual)}`, { cause })
  }
}
