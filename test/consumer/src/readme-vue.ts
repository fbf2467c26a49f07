// README "React and Vue": the two Vue `<script setup>` examples as the `.ts` components they
// compile to (a template reads refs unwrapped; here they are `.value`).
import type { SessionHandle } from 'session-stream'
import { useSessionHealth, useSessionMessage, useSessionMessageIDs } from 'session-stream/vue'
import { computed, defineComponent, h, type PropType } from 'vue'

export const Message = defineComponent({
  props: {
    session: { type: Object as PropType<SessionHandle>, required: true },
    messageID: { type: String, required: true },
  },
  setup(props) {
    const message = useSessionMessage(props.session, () => props.messageID) // ids may be refs or getters
    return () => {
      const m = message.value
      if (m?.role === 'user') return h('h3', m.text)
      if (m?.role !== 'assistant') return null
      return m.parts.map((part) => h('p', { key: part.key }, part.type === 'tool' ? part.name : part.text))
    }
  },
})

export const Transcript = defineComponent({
  props: { session: { type: Object as PropType<SessionHandle>, required: true } },
  setup(props) {
    const ids = useSessionMessageIDs(props.session)
    const health = useSessionHealth(props.session) // changes only with health, not with counters
    const state = computed(() => health.value.state)
    return () => [
      state.value !== 'open' ? h('small', state.value) : null,
      ...ids.value.map((id) => h(Message, { key: id, session: props.session, messageID: id })),
    ]
  },
})
