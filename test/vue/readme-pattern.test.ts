// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from '@testing-library/vue'
import { afterEach, describe, expect, it } from 'vitest'
import { computed, defineComponent, h, type PropType } from 'vue'
import type { SessionEvent, SessionHandle } from '../../src/index.js'
import { useSessionHealth, useSessionMessage, useSessionMessageIDs } from '../../src/vue/index.js'
import { longText, scriptTurn, snapshot, startFake, type Setup } from '../react/harness.js'

/*
 * The README's two Vue components (as the render functions their templates compile to), with
 * a render counter: while an answer streams, only its own message component renders.
 */

const renders = new Map<string, number>()
const rendered = (key: string) => renders.set(key, (renders.get(key) ?? 0) + 1)
const sessionProp = { type: Object as PropType<SessionHandle>, required: true } as const

const Message = defineComponent({
  props: { session: sessionProp, messageID: { type: String, required: true } },
  setup(props) {
    const message = useSessionMessage(props.session, () => props.messageID)
    return () => {
      rendered(`message ${props.messageID}`)
      const m = message.value
      if (m?.role === 'user') return h('h3', m.text)
      if (m?.role !== 'assistant') return null
      return m.parts.map((part) =>
        h('p', { key: part.key, 'data-testid': `${props.messageID} ${part.key}` }, part.type === 'tool' ? part.name : part.text),
      )
    }
  },
})

const Transcript = defineComponent({
  props: { session: sessionProp },
  setup(props) {
    const ids = useSessionMessageIDs(props.session)
    const health = useSessionHealth(props.session)
    const state = computed(() => health.value.state)
    return () => {
      rendered('transcript')
      return [
        state.value !== 'open' ? h('small', state.value) : null,
        ...ids.value.map((id) => h(Message, { key: id, session: props.session, messageID: id })),
      ]
    }
  },
})

let fake: Setup | undefined
afterEach(() => {
  cleanup()
  fake?.close()
  fake = undefined
  renders.clear()
})

const TURNS = 40

describe("the README's Vue pattern", () => {
  it('renders only the streaming message while an answer streams', async () => {
    fake = startFake()
    const session = fake.client.session(fake.sessionID)
    render(Transcript, { props: { session } })
    await waitFor(() => expect(fake?.server.streams).toHaveLength(1))
    const history: SessionEvent[] = [snapshot('idle', 0)]
    let seq = 1
    for (let turn = 0; turn < TURNS; turn++) {
      const script = scriptTurn({ seq, prompt: `q${turn}`, text: `answer ${turn}`, assistantMessageID: `msg_${turn}` })
      history.push(...script.events)
      seq = script.lastSeq + 1
    }
    for (const event of history) fake.server.last.send(event)
    await waitFor(() => expect(screen.getByTestId(`msg_${TURNS - 1} text:text-0`).textContent).toBe(`answer ${TURNS - 1}`))

    const answer = longText('streaming')
    const turn = scriptTurn({ seq, prompt: 'go', text: answer, assistantMessageID: 'msg_new' })
    const textStart = turn.events.findIndex((event) => event.type === 'session.next.text.started')
    await fake.play(turn.events.slice(0, textStart + 1))
    await waitFor(() => expect(screen.queryByTestId('msg_new text:text-0')).not.toBeNull())
    renders.clear()

    const deltas = turn.events.slice(textStart + 1).filter((event) => event.type === 'session.next.text.delta')
    await fake.play(deltas)
    await waitFor(() => expect(screen.getByTestId('msg_new text:text-0').textContent).toBe(answer))

    expect(renders.get('message msg_new') ?? 0).toBeGreaterThan(3)
    expect([...renders].filter(([key]) => key !== 'message msg_new')).toEqual([])
    expect(screen.getAllByRole('heading')).toHaveLength(TURNS + 1)
  })
})
