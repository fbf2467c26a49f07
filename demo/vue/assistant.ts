import { defineComponent, h, type PropType } from 'vue'
import type { AssistantMessage, SessionHandle } from '../../src/index.js'
import { useSessionMessage } from '../../src/vue/index.js'
import { modelLabel } from '../lib/transcript.js'
import { VuePart } from './parts.js'
import { statusPill, when } from './pills.js'

/** One assistant reply, every step of the turn under one header: the Vue twin of demo/react/assistant.tsx. */

const sessionProp = { type: Object as PropType<SessionHandle>, required: true } as const

const VueTurnHead = defineComponent({
  name: 'VueTurnHead',
  props: { session: sessionProp, firstID: { type: String, required: true }, lastID: { type: String, required: true } },
  setup(props) {
    const first = useSessionMessage(props.session, () => props.firstID)
    const last = useSessionMessage(props.session, () => props.lastID)
    return () => {
      const head = first.value
      const tail = last.value
      if (head?.role !== 'assistant' || tail?.role !== 'assistant') return null
      return h('header', { class: 'message-head', 'data-status': tail.status }, [
        h('span', { class: 'avatar avatar-vue', 'aria-hidden': 'true' }, 'V'),
        h('span', head.agent ?? 'assistant'),
        ...when(head.model !== undefined, () => h('code', { class: 'muted' }, modelLabel(head.model!))),
        statusPill(tail.status),
      ])
    }
  },
})

function stepFoot(message: AssistantMessage, index: number): string {
  const details = [`step ${index + 1}`]
  if (message.finish !== undefined) details.push(message.finish)
  if (message.tokens !== undefined) {
    const { input, output, reasoning } = message.tokens
    details.push(`${input} in · ${output} out${reasoning > 0 ? ` · ${reasoning} reasoning` : ''} tokens`)
  }
  if (message.cost !== undefined && message.cost > 0) details.push(`$${message.cost.toFixed(4)}`)
  return details.join(' · ')
}

const VueStep = defineComponent({
  name: 'VueStep',
  props: { session: sessionProp, messageID: { type: String, required: true }, index: { type: Number, required: true } },
  setup(props) {
    const message = useSessionMessage(props.session, () => props.messageID)
    return () => {
      const step = message.value
      if (step?.role !== 'assistant') return null
      return h('section', { class: 'step', 'data-message-id': step.id, 'data-status': step.status, 'data-finish': step.finish }, [
        ...step.parts.map((part) => h(VuePart, { key: part.key, session: props.session, messageID: step.id, partKey: part.key })),
        ...when(step.error !== undefined, () => h('div', { class: 'tool-error' }, step.error?.message)),
        h('footer', { class: 'step-foot' }, stepFoot(step, props.index)),
      ])
    }
  },
})

export const VueAssistantTurn = defineComponent({
  name: 'VueAssistantTurn',
  props: { session: sessionProp, ids: { type: Array as PropType<readonly string[]>, required: true } },
  setup(props) {
    return () => {
      const first = props.ids[0] ?? ''
      return h('article', { class: 'message assistant', 'data-steps': props.ids.length }, [
        h(VueTurnHead, { session: props.session, firstID: first, lastID: props.ids.at(-1) ?? first }),
        ...props.ids.map((id, index) => h(VueStep, { key: id, session: props.session, messageID: id, index })),
      ])
    }
  },
})
