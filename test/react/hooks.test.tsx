// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import type { Message, Part, SessionHandle } from '../../src/index.js'
import { useSessionConnection, useSessionMessage, useSessionPart, useSessionView } from '../../src/react/index.js'
import { allDistinct, longText, scriptTurn, snapshot, startFake, type Setup } from './harness.js'

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
        ) : message.role === 'assistant' ? (
          message.parts.map((part) =>
            part.type === 'text' ? (
              <p key={`${message.id}/${part.key}`} data-testid="answer">
                {part.text}
              </p>
            ) : null,
          )
        ) : null,
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

function PartText({ session, messageID, partKey = 'text:text-0', renders }: SliceProps<Part | undefined> & { readonly partKey?: string }) {
  const part = useSessionPart(session, messageID, partKey)
  renders.push(part)
  return <p data-testid={`part-${messageID}-${partKey}`}>{part?.type === 'tool' ? '' : (part?.text ?? '')}</p>
}

function MessageStatus({ session, messageID, renders }: SliceProps<Message | undefined>) {
  const message = useSessionMessage(session, messageID)
  renders.push(message)
  return <p data-testid={`status-${messageID}`}>{message?.role === 'assistant' ? message.status : ''}</p>
}

let fake: Setup | undefined

afterEach(() => {
  cleanup()
  fake?.close()
  fake = undefined
})

const text = (testID: string) => screen.getByTestId(testID).textContent

describe('React bindings', () => {
  it('streams the answer into the DOM and ends with exactly the server text', async () => {
    fake = startFake()
    render(<Transcript session={fake.client.session(fake.sessionID)} />)
    await waitFor(() => expect(text('connection')).toBe('open'))
    await fake.play([snapshot('idle', 0)])
    await waitFor(() => expect(text('activity')).toBe('idle'))

    const answer = longText('react')
    const turn = scriptTurn({ seq: 1, prompt: 'hello', text: answer, assistantMessageID: 'msg_a1' })
    const seen = new Set<string>()
    await fake.play(turn.events, () => {
      const shown = screen.queryByTestId('answer')?.textContent
      if (shown) seen.add(shown)
    })

    await waitFor(() => expect(text('answer')).toBe(answer))
    await waitFor(() => expect(text('activity')).toBe('idle'))
    expect(text('prompt')).toBe('hello')
    // It streamed: the DOM showed growing prefixes of the answer on the way.
    const partial = [...seen].filter((shown) => shown !== answer)
    expect(partial.length).toBeGreaterThan(3)
    expect(partial.every((shown) => answer.startsWith(shown))).toBe(true)
  })

  it('re-renders a message or part component only when its own message or part changes', async () => {
    fake = startFake()
    const session = fake.client.session(fake.sessionID)
    const first = scriptTurn({ seq: 1, prompt: 'one', text: longText('first'), assistantMessageID: 'msg_a1' })
    const firstPart: (Part | undefined)[] = []
    const firstMessage: (Message | undefined)[] = []
    render(
      <>
        <PartText session={session} messageID="msg_a1" renders={firstPart} />
        <MessageStatus session={session} messageID="msg_a1" renders={firstMessage} />
      </>,
    )
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
    render(
      <>
        <PartText session={session} messageID="msg_a2" renders={secondText} />
        <PartText session={session} messageID="msg_a2" partKey="reasoning:reasoning-0" renders={secondReasoning} />
      </>,
    )
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
    expect(firstMessage.at(-1)?.id).toBe('msg_a1')
  })

  it('closes the stream once the last component using the session unmounts', async () => {
    fake = startFake()
    const session = fake.client.session(fake.sessionID)
    render(<Transcript session={session} />)
    render(<PartText session={session} messageID="none" renders={[]} />)
    await waitFor(() => expect(text('connection')).toBe('open'))
    expect(fake.server.streams).toHaveLength(1)
    expect(fake.server.last.aborted).toBe(false)

    cleanup()
    await waitFor(() => expect(fake?.server.last.aborted).toBe(true), UNMOUNT_WAIT)
    expect(fake.server.requests).toHaveLength(1)
  })

  it('opens one stream, not two, under StrictMode double mounting', async () => {
    fake = startFake()
    const session = fake.client.session(fake.sessionID)
    render(
      <StrictMode>
        <Transcript session={session} />
        <PartText session={session} messageID="none" renders={[]} />
      </StrictMode>,
    )
    await waitFor(() => expect(text('connection')).toBe('open'))
    const answer = longText('strict')
    await fake.play([snapshot('idle', 0), ...scriptTurn({ seq: 1, prompt: 'strict', text: answer, assistantMessageID: 'msg_a1', chunk: 5 }).events])
    await waitFor(() => expect(text('answer')).toBe(answer))

    expect(fake.server.requests).toHaveLength(1)
    expect(fake.server.streams).toHaveLength(1)
    expect(fake.server.last.aborted).toBe(false)
  })
})
