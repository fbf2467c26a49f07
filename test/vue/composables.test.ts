// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from '@testing-library/vue'
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h, ref, type PropType } from 'vue'
import type { Message, Part, SessionHandle } from '../../src/index.js'
import { useSessionConnection, useSessionMessage, useSessionPart, useSessionView } from '../../src/vue/index.js'
import { allDistinct, longText, scriptTurn, snapshot, startFake, type Setup } from '../react/harness.js'

/** nanostores keeps a store mounted this long after its last listener leaves; waits allow for it. */
const UNMOUNT_WAIT = { timeout: 5000 }

const sessionProp = { type: Object as PropType<SessionHandle>, required: true } as const

const Transcript = defineComponent({
  props: { session: sessionProp },
  setup(props) {
    const view = useSessionView(props.session)
    const connection = useSessionConnection(props.session)
    return () =>
      h('div', [
        h('p', { 'data-testid': 'connection' }, connection.value.state),
        h('p', { 'data-testid': 'activity' }, view.value.activity),
        ...view.value.messages.flatMap((message) =>
          message.role === 'user'
            ? [h('p', { key: message.id, 'data-testid': 'prompt' }, message.text)]
            : message.role === 'assistant'
              ? message.parts.flatMap((part) =>
                  part.type === 'text' ? [h('p', { key: `${message.id}/${part.key}`, 'data-testid': 'answer' }, part.text)] : [],
                )
              : [],
        ),
      ])
  },
})

/** Records what each render saw, so a test can count renders. */
const PartText = defineComponent({
  props: {
    session: sessionProp,
    messageID: { type: String, required: true },
    partKey: { type: String, default: 'text:text-0' },
    renders: { type: Array as PropType<(Part | undefined)[]>, required: true },
  },
  setup(props) {
    const part = useSessionPart(props.session, () => props.messageID, () => props.partKey)
    return () => {
      props.renders.push(part.value)
      const shown = part.value === undefined || part.value.type === 'tool' ? '' : part.value.text
      return h('p', { 'data-testid': `part-${props.messageID}-${props.partKey}` }, shown)
    }
  },
})

const MessageStatus = defineComponent({
  props: {
    session: sessionProp,
    messageID: { type: String, required: true },
    renders: { type: Array as PropType<(Message | undefined)[]>, required: true },
  },
  setup(props) {
    const message = useSessionMessage(props.session, props.messageID)
    return () => {
      props.renders.push(message.value)
      const status = message.value?.role === 'assistant' ? message.value.status : ''
      return h('p', { 'data-testid': `status-${props.messageID}` }, status)
    }
  },
})

let fake: Setup | undefined

afterEach(() => {
  cleanup()
  fake?.close()
  fake = undefined
})

const text = (testID: string) => screen.getByTestId(testID).textContent

describe('Vue composables', () => {
  it('stream the answer into the DOM and end with exactly the server text', async () => {
    fake = startFake()
    render(Transcript, { props: { session: fake.client.session(fake.sessionID) } })
    await waitFor(() => expect(text('connection')).toBe('open'))
    await fake.play([snapshot('idle', 0)])
    await waitFor(() => expect(text('activity')).toBe('idle'))

    const answer = longText('vue')
    const seen = new Set<string>()
    await fake.play(scriptTurn({ seq: 1, prompt: 'hello', text: answer, assistantMessageID: 'msg_a1' }).events, () => {
      const shown = screen.queryByTestId('answer')?.textContent
      if (shown) seen.add(shown)
    })

    await waitFor(() => expect(text('answer')).toBe(answer))
    await waitFor(() => expect(text('activity')).toBe('idle'))
    expect(text('prompt')).toBe('hello')
    const partial = [...seen].filter((shown) => shown !== answer)
    expect(partial.length).toBeGreaterThan(3)
    expect(partial.every((shown) => answer.startsWith(shown))).toBe(true)
  })

  it('re-render a message or part component only when its own message or part changes', async () => {
    fake = startFake()
    const session = fake.client.session(fake.sessionID)
    const first = scriptTurn({ seq: 1, prompt: 'one', text: longText('first'), assistantMessageID: 'msg_a1' })
    const firstPart: (Part | undefined)[] = []
    const firstMessage: (Message | undefined)[] = []
    render(PartText, { props: { session, messageID: 'msg_a1', renders: firstPart } })
    render(MessageStatus, { props: { session, messageID: 'msg_a1', renders: firstMessage } })
    await waitFor(() => expect(fake?.server.streams).toHaveLength(1))
    await fake.play([snapshot('idle', 0), ...first.events])
    await waitFor(() => expect(text('part-msg_a1-text:text-0')).toBe(longText('first')))
    await waitFor(() => expect(text('status-msg_a1')).toBe('completed'))
    const settled = { part: firstPart.length, message: firstMessage.length }

    // The second turn thinks, then answers: the first turn's components and the second's
    // finished reasoning keep their identity while the answer streams.
    const answer = longText('second')
    const second = scriptTurn({ seq: first.lastSeq + 1, prompt: 'two', text: answer, reasoning: longText('think'), assistantMessageID: 'msg_a2' })
    const secondText: (Part | undefined)[] = []
    const secondReasoning: (Part | undefined)[] = []
    render(PartText, { props: { session, messageID: 'msg_a2', renders: secondText } })
    render(PartText, { props: { session, messageID: 'msg_a2', partKey: 'reasoning:reasoning-0', renders: secondReasoning } })
    let reasoningRenders = -1
    await fake.play(second.events, (event) => {
      if (event.type === 'session.next.text.started') reasoningRenders = secondReasoning.length
    })
    await waitFor(() => expect(text('part-msg_a2-text:text-0')).toBe(answer))
    await waitFor(() => expect(text('part-msg_a2-reasoning:reasoning-0')).toBe(longText('think')))

    expect(firstPart).toHaveLength(settled.part)
    expect(firstMessage).toHaveLength(settled.message)
    expect(secondReasoning).toHaveLength(reasoningRenders)
    expect(secondText.length).toBeGreaterThan(3)
    for (const renders of [firstPart, firstMessage, secondText, secondReasoning]) expect(allDistinct(renders)).toBe(true)
    const last = secondText.at(-1)
    expect(last?.type === 'text' && last.text).toBe(answer)
    expect(last?.key).toBe('text:text-0')
  })

  it('follow a message id given as a ref', async () => {
    fake = startFake()
    const session = fake.client.session(fake.sessionID)
    const messageID = ref('msg_a1')
    const Answer = defineComponent({
      setup() {
        const part = useSessionPart(session, messageID, 'text:text-0')
        return () => h('p', { 'data-testid': 'answer' }, part.value?.type === 'text' ? part.value.text : '')
      },
    })
    render(Answer)
    await waitFor(() => expect(fake?.server.streams).toHaveLength(1))
    const first = scriptTurn({ seq: 1, prompt: 'one', text: 'first answer', assistantMessageID: 'msg_a1' })
    const second = scriptTurn({ seq: first.lastSeq + 1, prompt: 'two', text: 'second answer', assistantMessageID: 'msg_a2' })
    await fake.play([snapshot('idle', 0), ...first.events, ...second.events])

    await waitFor(() => expect(text('answer')).toBe('first answer'))
    messageID.value = 'msg_a2'
    await waitFor(() => expect(text('answer')).toBe('second answer'))
  })

  it('close the stream once the last component using the session unmounts', async () => {
    fake = startFake()
    const session = fake.client.session(fake.sessionID)
    render(Transcript, { props: { session } })
    render(PartText, { props: { session, messageID: 'none', renders: [] } })
    await waitFor(() => expect(text('connection')).toBe('open'))
    expect(fake.server.streams).toHaveLength(1)
    expect(fake.server.last.aborted).toBe(false)

    cleanup()
    await waitFor(() => expect(fake?.server.last.aborted).toBe(true), UNMOUNT_WAIT)
    expect(fake.server.requests).toHaveLength(1)
  })
})
