import { defineComponent, h, type PropType, type VNode } from 'vue'
import type { CompactionMessage, Message, Retry, RevertState, SessionHandle, UserMessage } from '../../src/index.js'
import { useSessionMessage } from '../../src/vue/index.js'
import { clockTime, shortId } from '../lib/format.js'
import { modelLabel, SWITCH_TEXT } from '../lib/transcript.js'
import { incompletePill, statusPill, when } from './pills.js'

/** Every message that is not an assistant step, and the notices: the Vue twin of demo/react/messages.tsx and notices.tsx. */

function userPrompt(message: UserMessage): VNode {
  const files = message.files ?? []
  const agents = message.agents ?? []
  return h('div', { class: 'message user', 'data-message-id': message.id, 'data-queued': String(message.queued) }, [
    h('div', { class: 'bubble' }, message.text),
    ...when(message.queued || files.length > 0 || agents.length > 0, () =>
      h('div', { class: 'user-meta' }, [
        ...when(message.queued, () => h('span', { class: 'pill pill-small', 'data-tone': 'warn' }, 'queued')),
        ...files.map((file) => h('span', { key: file.uri, class: 'attachment', title: `${file.mime} · ${file.uri}` }, file.name ?? file.uri)),
        ...agents.map((agent) => h('span', { key: agent.name, class: 'attachment' }, `@${agent.name}`)),
      ]),
    ),
  ])
}

function compaction(message: CompactionMessage): VNode {
  const streaming = message.status === 'streaming'
  return h('details', { class: 'message compaction', 'data-message-id': message.id, 'data-status': message.status, open: streaming }, [
    h('summary', [
      h('span', 'Earlier conversation summarised'),
      h('span', { class: 'muted' }, ` · ${message.reason}`),
      statusPill(message.status),
      ...when(message.incomplete, incompletePill),
    ]),
    h('div', { class: streaming ? 'compaction-text streaming' : 'compaction-text' }, message.text),
  ])
}

function render(message: Message): VNode | null {
  switch (message.role) {
    case 'user':
      return userPrompt(message)
    case 'shell':
      return h('div', { class: 'message shell', 'data-message-id': message.id, 'data-status': message.status }, [
        h('div', { class: 'shell-head' }, [h('code', { class: 'shell-command' }, `$ ${message.command}`), statusPill(message.status)]),
        ...when(message.output !== '', () => h('pre', { class: 'shell-output', tabindex: 0 }, message.output)),
      ])
    case 'synthetic':
    case 'context':
      return h('div', { class: 'message note', 'data-message-id': message.id, 'data-role': message.role }, [
        h('span', { class: 'note-label' }, message.role === 'context' ? 'context updated' : 'added by the server'),
        h('div', { class: 'note-text' }, message.text),
      ])
    case 'compaction':
      return compaction(message)
    case 'agent-switched':
    case 'model-switched': {
      const target = message.role === 'agent-switched' ? message.agent : message.model === undefined ? undefined : modelLabel(message.model)
      return h('div', { class: 'marker', role: 'separator', 'data-message-id': message.id, 'data-role': message.role }, [
        h('span', [`${SWITCH_TEXT[message.role]} `, h('strong', target ?? 'unknown')]),
      ])
    }
    default:
      return null
  }
}

export const VueMessage = defineComponent({
  name: 'VueMessage',
  props: {
    session: { type: Object as PropType<SessionHandle>, required: true },
    messageID: { type: String, required: true },
  },
  setup(props) {
    const message = useSessionMessage(props.session, () => props.messageID)
    return () => (message.value === undefined ? null : render(message.value))
  },
})

export const retryNotice = (retry: Retry): VNode =>
  h('div', { class: 'notice notice-warn', role: 'status' }, [
    h('strong', `Retrying · attempt ${retry.attempt}`),
    h('span', `${retry.error.message}${retry.error.statusCode === undefined ? '' : ` (HTTP ${retry.error.statusCode})`}`),
    h('span', { class: 'muted' }, clockTime(retry.at)),
  ])

export const revertMarker = (revert: RevertState): VNode =>
  h('div', { class: 'revert-marker', role: 'note' }, [
    h('span', ['Revert staged from ', h('code', shortId(revert.messageID)), ': the messages below go if it is committed']),
  ])
