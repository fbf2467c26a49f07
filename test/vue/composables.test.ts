// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from '@testing-library/vue'
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h, ref, type PropType } from 'vue'
import type { Message, Part, SessionHandle } from '../../src/index.js'
import { useSessionConnection, useSessionMessage, useSessionPart, useSessionView } from '../../src/vue/index.js'
import { allDistinct, longText, startMock, type MockSetup } from '../react/harness.js'

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
            : message.parts.map((part) =>
                h('p', { key: `${message.id}/${part.key}`, 'data-testid': 'answer' }, part.type === 'tool' ? '' : part.text),
              ),
        ),
      ])
  },
})

/** Records what each render saw, so a test can count renders. */
const PartText = defineComponent({
  props: {
    session: sessionProp,
    messageID: { type: String, required: true },
    renders: { type: Array as PropType<(Part | undefined)[]>, required: true },
  },
  setup(props) {
    const part = useSessionPart(props.session, () => props.messageID, 'text:0')
    return () => {
      props.renders.push(part.value)
      return h('p', { 'data-testid': `part-${props.messageID}` }, part.value?.type === 'text' ? part.value.text : '')
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

let mock: MockSetup | undefined

afterEach(() => {
  cleanup()
  mock?.close()
  mock = undefined
})

describe('Vue composables', () => {
  it('stream the answer into the DOM and end with exactly the server text', async () => {
    mock = startMock()
    const sessionID = mock.engine.createSession()
    render(Transcript, { props: { session: mock.client.session(sessionID) } })
    await waitFor(() => expect(screen.getByTestId('connection').textContent).toBe('open'))
    await waitFor(() => expect(screen.getByTestId('activity').textContent).toBe('idle'))

    const text = longText('vue')
    await mock.engine.startTurn(sessionID, { prompt: 'hello', text, chunk: 3, intervalMs: 1 })?.done

    await waitFor(() => expect(screen.getByTestId('answer').textContent).toBe(text))
    await waitFor(() => expect(screen.getByTestId('activity').textContent).toBe('idle'))
    expect(screen.getByTestId('prompt').textContent).toBe('hello')
  })

  it('re-render a message or part component only when its own message or part changes', async () => {
    mock = startMock()
    const sessionID = mock.engine.createSession()
    const session = mock.client.session(sessionID)
    const first = mock.engine.startTurn(sessionID, { prompt: 'one', text: longText('first'), chunk: 3, intervalMs: 0 })
    if (first === undefined) throw new Error('session not found')
    await first.done

    const firstPart: (Part | undefined)[] = []
    const firstMessage: (Message | undefined)[] = []
    const messageID = first.assistantMessageID
    render(PartText, { props: { session, messageID, renders: firstPart } })
    render(MessageStatus, { props: { session, messageID, renders: firstMessage } })
    await waitFor(() => expect(screen.getByTestId(`part-${messageID}`).textContent).toBe(longText('first')))
    await waitFor(() => expect(screen.getByTestId(`status-${messageID}`).textContent).toBe('completed'))
    const settled = { part: firstPart.length, message: firstMessage.length }

    // Only the second turn's part streams now; the first message and part keep their identity.
    const text = longText('second')
    const second = mock.engine.startTurn(sessionID, { prompt: 'two', text, chunk: 3, intervalMs: 1 })
    if (second === undefined) throw new Error('session not found')
    const secondPart: (Part | undefined)[] = []
    render(PartText, { props: { session, messageID: second.assistantMessageID, renders: secondPart } })
    await second.done
    await waitFor(() => expect(screen.getByTestId(`part-${second.assistantMessageID}`).textContent).toBe(text))

    expect(firstPart).toHaveLength(settled.part)
    expect(firstMessage).toHaveLength(settled.message)
    expect(allDistinct(firstPart)).toBe(true)
    expect(allDistinct(secondPart)).toBe(true)
    const last = secondPart.at(-1)
    expect(last?.type === 'text' && last.text).toBe(text)
  })

  it('follow a message id given as a ref', async () => {
    mock = startMock()
    const sessionID = mock.engine.createSession()
    const session = mock.client.session(sessionID)
    const first = mock.engine.startTurn(sessionID, { prompt: 'one', text: 'first answer', intervalMs: 0 })
    await first?.done
    const second = mock.engine.startTurn(sessionID, { prompt: 'two', text: 'second answer', intervalMs: 0 })
    await second?.done
    if (first === undefined || second === undefined) throw new Error('session not found')

    const messageID = ref(first.assistantMessageID)
    const Answer = defineComponent({
      setup() {
        const part = useSessionPart(session, messageID, 'text:0')
        return () => h('p', { 'data-testid': 'answer' }, part.value?.type === 'text' ? part.value.text : '')
      },
    })
    render(Answer)
    await waitFor(() => expect(screen.getByTestId('answer').textContent).toBe('first answer'))
    messageID.value = second.assistantMessageID
    await waitFor(() => expect(screen.getByTestId('answer').textContent).toBe('second answer'))
  })

  it('close the stream once the last component using the session unmounts', async () => {
    mock = startMock()
    const { engine } = mock
    const session = mock.client.session(engine.createSession())
    render(Transcript, { props: { session } })
    render(PartText, { props: { session, messageID: 'none', renders: [] } })
    await waitFor(() => expect(screen.getByTestId('connection').textContent).toBe('open'))
    expect(engine.stats().streams).toBe(1)

    cleanup()
    await waitFor(() => expect(engine.stats().streams).toBe(0), UNMOUNT_WAIT)
    expect(mock.streamRequests).toHaveLength(1)
  })
})
