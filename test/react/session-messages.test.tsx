// @vitest-environment happy-dom
import { act, cleanup, render } from '@testing-library/react'
import * as fc from 'fast-check'
import { atom } from 'nanostores'
import { afterEach, describe, expect, it } from 'vitest'
import type { SessionHandle } from '../../src/index.js'
import { SessionMessages } from '../../src/react/index.js'

/*
 * SessionMessages renders the ids in nested groups of 16. Whatever the list becomes (messages
 * appended, a revert cutting it short, ids replaced), the DOM shows exactly the ids in order,
 * and a group whose range is unchanged does not call the row renderer again.
 */

afterEach(cleanup)

function fakeSession(ids: readonly string[]) {
  const $messageIDs = atom<readonly string[]>(ids)
  // The component reads only `$messageIDs`.
  return { session: { $messageIDs } as unknown as SessionHandle, $messageIDs }
}

const shown = (container: HTMLElement) => [...container.querySelectorAll('li')].map((li) => li.textContent)

describe('SessionMessages', () => {
  it('shows exactly the ids, in order, through appends, cuts and replacements (property)', () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 300 }) }),
      fc.record({ kind: fc.constant('cut' as const), keep: fc.nat(600) }),
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(600) }),
    )
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), (edits) => {
        const { session, $messageIDs } = fakeSession([])
        const { container, unmount } = render(<SessionMessages session={session}>{(id) => <li>{id}</li>}</SessionMessages>)
        let next = 0
        for (const e of edits) {
          const ids = [...$messageIDs.get()]
          if (e.kind === 'append') for (let i = 0; i < e.count; i++) ids.push(`m${next++}`)
          else if (e.kind === 'cut') ids.length = Math.min(ids.length, e.keep)
          else if (ids.length > 0) ids[e.at % ids.length] = `m${next++}`
          act(() => $messageIDs.set(ids))
          expect(shown(container)).toEqual(ids)
        }
        unmount()
      }),
      { numRuns: 25 },
    )
  })

  it('renders only the rows of the group an append lands in, not the other 999', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `m${i}`)
    const { session, $messageIDs } = fakeSession(ids)
    const rendered: string[] = []
    const row = (id: string) => {
      rendered.push(id)
      return <li>{id}</li>
    }
    const { container } = render(<SessionMessages session={session}>{row}</SessionMessages>)
    expect(rendered).toHaveLength(1000)
    rendered.length = 0
    act(() => $messageIDs.set([...ids, 'm1000']))
    expect(shown(container)).toHaveLength(1001)
    // m1000 opens a new leaf group of its own (1000 = 62 × 16 + 8: the last group had 8 rows).
    expect(rendered.length).toBeLessThanOrEqual(16)
    expect(rendered).toContain('m1000')
  })
})
