// README "React and Vue": the Vue `<script setup>` example as the `.ts` component it compiles to
// (a template reads refs unwrapped; here they are `.value`).
import type { SessionHandle } from 'session-stream'
import { useSessionConnection, useSessionPart } from 'session-stream/vue'
import { defineComponent, h, type PropType } from 'vue'

export const Answer = defineComponent({
  props: {
    session: { type: Object as PropType<SessionHandle>, required: true },
    messageID: { type: String, required: true },
  },
  setup(props) {
    const part = useSessionPart(props.session, () => props.messageID, 'text:text-0') // ids may be refs or getters
    const connection = useSessionConnection(props.session)
    return () => [
      h('p', part.value?.type === 'text' ? part.value.text : '…'),
      connection.value.state !== 'open' ? h('small', connection.value.state) : null,
    ]
  },
})
