// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import type { Message, Part, SessionHandle } from '../../src/index.js'
import { useSessionConnection, useSessionMessage, useSessionPart, useSessionView } from '../../src/react/index.js'
import { allDistinct, longText, startMock, type MockSetup } from './harness.js'

/** nanostores keeps a store mounted this long after its last listener leaves; waits allow for it. */
const UNMOUNT_WAIT = { timeout: 5000 }

function Transcript({ session }: { readonly session: SessionHandle }) {
  const view = useSessionView(session)
  const connection = useSessionConnection(session)
  return (
    <div>
      <p data-testid="connection">{connection.state}</p>
      <p data-testid="activity">{view.activity}</p>
      {view.messages.map((message) =>
        message.role === 'user' ? (
          <p key={message.id} data-testid="prompt">
            {message.text}
          </p>
        ) : (
          message.parts.map((part) =>
            part.type === 'text' ? (
              <p key={`${message.id}/${part.key}`} data-testid="answer">
                {part.text}
              </p>
            ) : null,
          )
        ),
      )}
    </div>
  )
}

interface SliceProps<T> {
  readonly session: SessionHandle
  readonly messageID: string
  /** What each render saw, in order. */
  readonly renders: T[]
}

function PartText({ session, messageID, renders }: SliceProps<Part | undefined>) {
  const part = useSessionPart(session, messageID, 'text:0')
  renders.push(part)
  return <p data-testid={`part-${messageID}`}>{part?.type === 'text' ? part.text : ''}</p>
}

function MessageStatus({ session, messageID, renders }: SliceProps<Message | undefined>) {
  const message = useSessionMessage(session, messageID)
  renders.push(message)
  return <p data-testid={`status-${messageID}`}>{message?.role === 'assistant' ? message.status : ''}</p>
}

let mock: MockSetup | undefined

afterEach(() => {
  cleanup()
  mock?.close()
  mock = undefined
})

describe('React bindings', () => {
  it('streams the answer into the DOM and ends with exactly the server text', async () => {
    mock = startMock()
    const sessionID = mock.engine.createSession()
    const session = mock.client.session(sessionID)
    render(<Transcript session={session} />)
    await waitFor(() => expect(screen.getByTestId('connection').textContent).toBe('open'))
    await waitFor(() => expect(screen.getByTestId('activity').textContent).toBe('idle'))

    const text = longText('react')
    const turn = mock.engine.startTurn(sessionID, { prompt: 'hello', text, chunk: 3, intervalMs: 1 })
    expect(turn).toBeDefined()
    await turn?.done

    await waitFor(() => expect(screen.getByTestId('answer').textContent).toBe(text))
    await waitFor(() => expect(screen.getByTestId('activity').textContent).toBe('idle'))
    expect(screen.getByTestId('prompt').textContent).toBe('hello')
  })

  it('re-renders a message or part component only when its own message or part changes', async () => {
    mock = startMock()
    const sessionID = mock.engine.createSession()
    const session = mock.client.session(sessionID)
    const first = mock.engine.startTurn(sessionID, { prompt: 'one', text: longText('first'), chunk: 3, intervalMs: 0 })
    await first?.done
    if (first === undefined) throw new Error('session not found')

    const firstPart: (Part | undefined)[] = []
    const firstMessage: (Message | undefined)[] = []
    render(
      <>
        <PartText session={session} messageID={first.assistantMessageID} renders={firstPart} />
        <MessageStatus session={session} messageID={first.assistantMessageID} renders={firstMessage} />
      </>,
    )
    await waitFor(() => expect(screen.getByTestId(`part-${first.assistantMessageID}`).textContent).toBe(longText('first')))
    await waitFor(() => expect(screen.getByTestId(`status-${first.assistantMessageID}`).textContent).toBe('completed'))
    const settled = { part: firstPart.length, message: firstMessage.length }

    // Only the second turn's part streams now; the first message and part keep their identity.
    const text = longText('second')
    const second = mock.engine.startTurn(sessionID, { prompt: 'two', text, chunk: 3, intervalMs: 1 })
    if (second === undefined) throw new Error('session not found')
    const secondPart: (Part | undefined)[] = []
    render(<PartText session={session} messageID={second.assistantMessageID} renders={secondPart} />)
    await second.done
    await waitFor(() => expect(screen.getByTestId(`part-${second.assistantMessageID}`).textContent).toBe(text))

    expect(firstPart).toHaveLength(settled.part)
    expect(firstMessage).toHaveLength(settled.message)
    expect(allDistinct(firstPart)).toBe(true)
    expect(allDistinct(secondPart)).toBe(true)
    const last = secondPart.at(-1)
    expect(last?.type === 'text' && last.text).toBe(text)
    expect(firstMessage.at(-1)?.id).toBe(first.assistantMessageID)
  })

  it('closes the stream once the last component using the session unmounts', async () => {
    mock = startMock()
    const { engine } = mock
    const session = mock.client.session(engine.createSession())
    render(<Transcript session={session} />)
    render(<PartText session={session} messageID="none" renders={[]} />)
    await waitFor(() => expect(screen.getByTestId('connection').textContent).toBe('open'))
    expect(engine.stats().streams).toBe(1)

    cleanup()
    await waitFor(() => expect(engine.stats().streams).toBe(0), UNMOUNT_WAIT)
    expect(mock.streamRequests).toHaveLength(1)
  })

  it('opens one stream, not two, under StrictMode double mounting', async () => {
    mock = startMock()
    const sessionID = mock.engine.createSession()
    const session = mock.client.session(sessionID)
    render(
      <StrictMode>
        <Transcript session={session} />
        <PartText session={session} messageID="none" renders={[]} />
      </StrictMode>,
    )
    await waitFor(() => expect(screen.getByTestId('connection').textContent).toBe('open'))
    const text = longText('strict')
    await mock.engine.startTurn(sessionID, { prompt: 'strict', text, chunk: 5, intervalMs: 1 })?.done
    await waitFor(() => expect(screen.getByTestId('answer').textContent).toBe(text))

    expect(mock.streamRequests).toHaveLength(1)
    expect(mock.engine.stats().streams).toBe(1)
  })
})
