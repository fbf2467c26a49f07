import { h, type VNode } from 'vue'
import type { ToolPart } from '../../src/index.js'
import { outputItems, structuredText, toolInput, type OutputItem } from '../lib/transcript.js'
import { incompletePill, statusPill, when } from './pills.js'

/** A tool call as a card, the Vue twin of demo/react/tool.tsx. */

const section = (label: string, body: VNode): VNode =>
  h('div', { class: 'tool-section' }, [h('div', { class: 'tool-label' }, label), body])

function otherItem(item: Exclude<OutputItem, { kind: 'text' }>, index: number): VNode {
  if (item.kind === 'file') {
    return h('li', { key: index, title: item.uri }, [`${item.label} `, h('span', { class: 'muted' }, item.mime)])
  }
  return h('li', { key: index }, [h('code', item.type), ' ', h('pre', item.text)])
}

export function toolCard(part: ToolPart): VNode {
  const items = outputItems(part.content)
  const texts = items.filter((item) => item.kind === 'text')
  const others = items.filter((item) => item.kind !== 'text')
  const structured = structuredText(part)
  const paths = part.outputPaths ?? []
  return h('div', { class: 'tool', 'data-status': part.status }, [
    h('div', { class: 'tool-head' }, [
      h('span', { class: 'tool-icon', 'aria-hidden': 'true' }, '⚙'),
      h('code', { class: 'tool-name', 'data-testid': 'tool-name' }, part.name),
      statusPill(part.status),
      ...when(part.incomplete, incompletePill),
      ...when(part.provider?.executed === true, () => h('span', { class: 'muted' }, 'run by the provider')),
    ]),
    section('input', h('pre', { class: part.streaming ? 'streaming' : '', 'data-testid': 'tool-input', tabindex: 0 }, toolInput(part))),
    ...when(texts.length > 0, () => section('output', h('pre', { 'data-testid': 'tool-output', tabindex: 0 }, texts.map((item) => item.text).join('\n')))),
    ...when(others.length > 0, () =>
      section(others.every((item) => item.kind === 'file') ? 'files' : 'content', h('ul', { class: 'tool-items' }, others.map(otherItem))),
    ),
    ...when(structured !== undefined, () => section(texts.length > 0 ? 'data' : 'output', h('pre', { 'data-testid': 'tool-structured', tabindex: 0 }, structured))),
    ...when(paths.length > 0, () => section('wrote', h('code', paths.join(', ')))),
    ...when(part.error !== undefined, () =>
      h('div', { class: 'tool-error', 'data-testid': 'tool-error' }, [h('code', part.error?.type), ` ${part.error?.message ?? ''}`]),
    ),
  ])
}
