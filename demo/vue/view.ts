import { defineComponent, h, onMounted, onUpdated, ref, type PropType, type VNode } from 'vue'
import type { SessionHandle } from '../../src/index.js'
import { useSessionConnection, useSessionView } from '../../src/vue/index.js'
import { ACTIVITY_TONE } from '../lib/tones.js'
import { groupMessages, revertIndex } from '../lib/transcript.js'
import { VueAssistantTurn } from './assistant.js'
import { retryNotice, revertMarker, VueMessage } from './messages.js'
import { when } from './pills.js'

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

    const transcript = (): VNode[] => {
      const { messages, info, retry } = view.value
      const blocks = groupMessages(messages)
      const revertAt = revertIndex(blocks, info.revert?.messageID)
      const marker = () => (info.revert === undefined ? [] : [revertMarker(info.revert)])
      return [
        ...when(info.deleted, () => h('div', { class: 'banner banner-bad' }, 'This session was deleted on the server. The stream closed for good.')),
        ...blocks.flatMap((block, index) => [
          ...(index === revertAt ? marker() : []),
          block.kind === 'assistant'
            ? h(VueAssistantTurn, { key: block.key, session: props.session, ids: block.ids })
            : h(VueMessage, { key: block.key, session: props.session, messageID: block.id }),
        ]),
        ...(revertAt === blocks.length ? marker() : []),
        ...when(retry !== undefined, () => retryNotice(retry!)),
      ]
    }

    return () =>
      h('div', { class: 'vue-view' }, [
        h('div', { class: 'vue-banner', title: 'session-stream/vue composables, rendered with h(): the same handle and stream as the React view' }, [
          h('strong', 'Vue 3'),
          h('span', { class: 'vue-banner-note' }, 'session-stream/vue'),
          h('span', { class: 'pill pill-small', 'data-tone': ACTIVITY_TONE[view.value.activity] }, view.value.activity),
          h('code', `${connection.value.state} · cursor ${connection.value.cursor}`),
        ]),
        h('div', { class: 'conversation', ref: scroller, onScroll, tabindex: 0, role: 'region', 'aria-label': 'Conversation (Vue)' }, transcript()),
      ])
  },
})
