import { AxeBuilder } from '@axe-core/playwright'
import type { Page } from 'playwright-core'

/*
 * axe-core on a page, through @axe-core/playwright (it works with playwright-core). Every
 * rule runs; the tests fail on violations of serious or critical impact and name each
 * element, so a failure says what to fix.
 */

export interface AxeFinding {
  readonly id: string
  readonly impact: string
  readonly help: string
  readonly targets: readonly string[]
}

const BLOCKING = new Set(['serious', 'critical'])

/** The serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  const result = await new AxeBuilder({ page }).analyze()
  return result.violations
    .filter((violation) => BLOCKING.has(violation.impact ?? ''))
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? '',
      help: violation.help,
      targets: violation.nodes.map((node) => `${node.target.join(' ')} — ${(node.failureSummary ?? '').replaceAll('\n', ' ')}`),
    }))
}
