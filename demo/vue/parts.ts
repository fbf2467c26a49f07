import { defineComponent, h, type PropType, type VNode } from 'vue'
import type { SessionHandle, TextPart } from '../../src/index.js'
import { useSessionPart } from '../../src/vue/index.js'
import { wordCount } from '../lib/transcript.js'
import { incompletePill, when } from './pills.js'
import { toolCard } from './tool.js'

/*
 * The Vue rendering of one part, with render functions (no SFC compiler needed). Text is
 * passed as children strings, which Vue sets as text nodes: never parsed as HTML.
 */

function textBody(part: TextPart): VNode[] {
  return [
    ...when(part.incomplete, incompletePill),
    h('div', { class: part.streaming ? 'part-text streaming' : 'part-text', 'data-testid': 'part-text' }, part.text),
  ]
}

function reasoning(part: TextPart): VNode {
  return h('details', { open: part.streaming }, [
    h('summary', [
      h('span', { class: part.streaming ? 'thinking' : '' }, part.streaming ? 'Thinking' : 'Reasoning'),
      h('span', { class: 'muted' }, ` · ${wordCount(part.text)} words`),
      ...when(part.incomplete, incompletePill),
    ]),
    h('div', { class: part.streaming ? 'reasoning-text streaming' : 'reasoning-text' }, part.text),
  ])
}

/** Re-renders only when its own part changes: `useSessionPart` is a computed over the view. */
export const VuePart = defineComponent({
  name: 'VuePart',
  props: {
    session: { type: Object as PropType<SessionHandle>, required: true },
    messageID: { type: String, required: true },
    partKey: { type: String, required: true },
  },
  setup(props) {
    const part = useSessionPart(props.session, () => props.messageID, () => props.partKey)
    return () => {
      const current = part.value
      if (current === undefined) return null
      const body = current.type === 'tool' ? [toolCard(current)] : current.type === 'reasoning' ? [reasoning(current)] : textBody(current)
      return h(
        'div',
        {
          class: `part part-${current.type}`,
          'data-part-key': current.key,
          'data-streaming': String(current.streaming),
          'data-incomplete': String(current.incomplete),
        },
        body,
      )
    }
  },
})
