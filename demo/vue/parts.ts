import { defineComponent, h, type PropType, type VNode } from 'vue'
import type { SessionHandle, TextPart, ToolPart } from '../../src/index.js'
import { useSessionPart } from '../../src/vue/index.js'
import { INCOMPLETE_HELP, prettyJson } from '../lib/format.js'

/*
 * The Vue rendering of one part, with render functions (no SFC compiler needed). Text is
 * passed as children strings, which Vue sets as text nodes: never parsed as HTML.
 */

const pill = (tone: string, text: string): VNode => h('span', { class: 'pill pill-small', 'data-tone': tone }, text)

const incomplete = (): VNode =>
  h('span', { class: 'pill pill-small tip', 'data-tone': 'warn', 'data-tip': INCOMPLETE_HELP, tabindex: 0 }, 'incomplete')

const TOOL_TONE: Record<ToolPart['status'], string> = {
  pending: 'muted',
  running: 'busy',
  success: 'ok',
  failed: 'bad',
  interrupted: 'warn',
}

function textBody(part: TextPart): VNode[] {
  return [
    ...(part.incomplete ? [incomplete()] : []),
    h('div', { class: part.streaming ? 'part-text streaming' : 'part-text' }, part.text),
  ]
}

function reasoning(part: TextPart): VNode {
  const words = part.text.trim() === '' ? 0 : part.text.trim().split(/\s+/).length
  return h('details', { open: part.streaming }, [
    h('summary', [
      h('span', { class: part.streaming ? 'thinking' : '' }, part.streaming ? 'Thinking' : 'Reasoning'),
      h('span', { class: 'muted' }, ` · ${words} words`),
      ...(part.incomplete ? [incomplete()] : []),
    ]),
    h('div', { class: part.streaming ? 'reasoning-text streaming' : 'reasoning-text' }, part.text),
  ])
}

function tool(part: ToolPart): VNode {
  const output = (part.output ?? []).map((content) => prettyJson(content.text ?? JSON.stringify(content))).join('\n')
  return h('div', { class: 'tool' }, [
    h('div', { class: 'tool-head' }, [
      h('span', { class: 'tool-icon', 'aria-hidden': 'true' }, '⚙'),
      h('code', { class: 'tool-name' }, part.name),
      pill(TOOL_TONE[part.status], part.status),
      ...(part.incomplete ? [incomplete()] : []),
    ]),
    h('div', { class: 'tool-section' }, [
      h('div', { class: 'tool-label' }, 'input'),
      h('pre', { class: part.streaming ? 'streaming' : '' }, part.streaming ? part.inputText : prettyJson(part.inputText)),
    ]),
    ...(part.output === undefined
      ? []
      : [h('div', { class: 'tool-section' }, [h('div', { class: 'tool-label' }, 'result'), h('pre', output)])]),
    ...(part.error === undefined ? [] : [h('div', { class: 'tool-error' }, part.error.message)]),
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
      const body = current.type === 'tool' ? [tool(current)] : current.type === 'reasoning' ? [reasoning(current)] : textBody(current)
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
