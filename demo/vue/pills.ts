import { h, type VNode } from 'vue'
import { INCOMPLETE_HELP } from '../lib/format.js'
import { STATUS_TONE, type Status } from '../lib/tones.js'

/** The small pills of the Vue view, the same markup as the React badges. */

export const statusPill = (status: Status): VNode => h('span', { class: 'pill pill-small', 'data-tone': STATUS_TONE[status] }, status)

export const incompletePill = (): VNode =>
  h('span', { class: 'pill pill-small tip', 'data-tone': 'warn', 'data-testid': 'incomplete', 'data-tip': INCOMPLETE_HELP, tabindex: 0 }, 'incomplete')

/** `[vnode]` when `condition` holds, else nothing: for optional children. */
export const when = (condition: boolean, make: () => VNode | VNode[]): VNode[] => {
  if (!condition) return []
  const made = make()
  return Array.isArray(made) ? made : [made]
}
