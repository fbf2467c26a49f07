import { defineComponent, h, onMounted, onUpdated, ref, type PropType } from 'vue'
import type { SessionHandle } from '../../src/index.js'
import { useSessionConnection, useSessionMessage, useSessionView } from '../../src/vue/index.js'
import { VuePart } from './parts.js'

const STATUS_TONE: Record<string, string> = {
  streaming: 'busy',
  completed: 'ok',
  failed: 'bad',
  interrupted: 'warn',
}

const ACTIVITY_TONE: Record<string, string> = { unknown: 'muted', idle: 'ok', running: 'busy' }

const VueMessage = defineComponent({
  name: 'VueMessage',
  props: {
    session: { type: Object as PropType<SessionHandle>, required: true },
    messageID: { type: String, required: true },
  },
  setup(props) {
    const message = useSessionMessage(props.session, () => props.messageID)
    return () => {
      const current = message.value
      if (current === undefined) return null
      if (current.role === 'user') {
        return h('div', { class: 'message user', 'data-message-id': current.id }, [h('div', { class: 'bubble' }, current.text)])
      }
      return h('article', { class: 'message assistant', 'data-message-id': current.id, 'data-status': current.status }, [
        h('header', { class: 'message-head' }, [
          h('span', { class: 'avatar avatar-vue', 'aria-hidden': 'true' }, 'V'),
          h('span', 'assistant'),
          ...(current.model === undefined ? [] : [h('code', { class: 'muted' }, current.model.modelID)]),
          h('span', { class: 'pill pill-small', 'data-tone': STATUS_TONE[current.status] ?? 'muted' }, current.status),
        ]),
        ...current.parts.map((part) =>
          h(VuePart, { key: part.key, session: props.session, messageID: current.id, partKey: part.key }),
        ),
        ...(current.error === undefined ? [] : [h('div', { class: 'tool-error' }, current.error.message)]),
        ...(current.tokens === undefined
          ? []
          : [h('footer', { class: 'message-foot' }, `${current.tokens.input} in · ${current.tokens.output} out tokens · via Vue`)]),
      ])
    }
  },
})

/** The same session as the React view, through session-stream/vue: one handle, one stream. */
export const VueSessionView = defineComponent({
  name: 'VueSessionView',
  props: { session: { type: Object as PropType<SessionHandle>, required: true } },
  setup(props) {
    const view = useSessionView(props.session)
    const connection = useSessionConnection(props.session)
    // Follow the bottom while the reader is there, like the React view.
    const scroller = ref<HTMLElement | null>(null)
    let pinned = true
    const onScroll = () => {
      const element = scroller.value
      if (element !== null) pinned = element.scrollHeight - element.scrollTop - element.clientHeight < 60
    }
    const follow = () => {
      if (pinned && scroller.value !== null) scroller.value.scrollTop = scroller.value.scrollHeight
    }
    onMounted(follow)
    onUpdated(follow)
    return () =>
      h('div', { class: 'vue-view' }, [
        h('div', { class: 'vue-banner', title: 'session-stream/vue composables, rendered with h(): the same handle and stream as the React view' }, [
          h('strong', 'Vue 3'),
          h('span', { class: 'vue-banner-note' }, 'session-stream/vue'),
          h('span', { class: 'pill pill-small', 'data-tone': ACTIVITY_TONE[view.value.activity] ?? 'muted' }, view.value.activity),
          h('code', `${connection.value.state} · cursor ${connection.value.cursor}`),
        ]),
        h(
          'div',
          { class: 'conversation', ref: scroller, onScroll },
          view.value.messages.map((message) => h(VueMessage, { key: message.id, session: props.session, messageID: message.id })),
        ),
      ])
  },
})
