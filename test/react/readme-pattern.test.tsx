// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import { memo } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import type { SessionEvent, SessionHandle } from '../../src/index.js'
import { SessionMessages, useSessionHealth, useSessionMessage, useSessionPart } from '../../src/react/index.js'
import { longText, scriptTurn, snapshot, startFake, type Setup } from './harness.js'

/*
 * The README's React example, with a render counter in each component: while an answer
 * streams, only the component showing the streaming part (and its message, whose object
 * changes with it) may render; every other message, part and the list itself render 0 times.
 */

const renders = new Map<string, number>()
const rendered = (key: string) => renders.set(key, (renders.get(key) ?? 0) + 1)

type Props = { session: SessionHandle; messageID: string }

const Part = memo(function Part({ session, messageID, partKey }: Props & { partKey: string }) {
  const part = useSessionPart(session, messageID, partKey)
  rendered(`part ${messageID} ${partKey}`)
  if (part?.type === 'tool') return <code>{part.name}</code>
  return <p data-testid={`${messageID} ${partKey}`}>{part?.text}</p>
})

const Message = memo(function Message({ session, messageID }: Props) {
  const message = useSessionMessage(session, messageID)
  rendered(`message ${messageID}`)
  if (message?.role === 'user') return <h3>{message.text}</h3>
  if (message?.role !== 'assistant') return null
  return message.parts.map((p) => <Part key={p.key} session={session} messageID={messageID} partKey={p.key} />)
})

function Status({ session }: { session: SessionHandle }) {
  const { state } = useSessionHealth(session)
  rendered('status')
  return state === 'open' ? null : <small>{state}</small>
}

function Transcript({ session }: { session: SessionHandle }) {
  rendered('transcript')
  return (
    <>
      <Status session={session} />
      <SessionMessages session={session}>{(id) => <Message session={session} messageID={id} />}</SessionMessages>
    </>
  )
}

let fake: Setup | undefined
afterEach(() => {
  cleanup()
  fake?.close()
  fake = undefined
  renders.clear()
})

const TURNS = 40

describe("the README's React pattern", () => {
  it('renders only the streaming part and its message while an answer streams', async () => {
    fake = startFake()
    const session = fake.client.session(fake.sessionID)
    render(<Transcript session={session} />)
    await waitFor(() => expect(fake?.server.streams).toHaveLength(1))
    // History arrives at once (one frame), as a replay does.
    const history: SessionEvent[] = [snapshot('idle', 0)]
    let seq = 1
    for (let turn = 0; turn < TURNS; turn++) {
      const script = scriptTurn({ seq, prompt: `q${turn}`, text: `answer ${turn}`, reasoning: `think ${turn}`, assistantMessageID: `msg_${turn}` })
      history.push(...script.events)
      seq = script.lastSeq + 1
    }
    for (const event of history) fake.server.last.send(event)
    await waitFor(() => expect(screen.getByTestId(`msg_${TURNS - 1} text:text-0`).textContent).toBe(`answer ${TURNS - 1}`))

    // A new turn: its prompt and message appear (the list renders for those), then it streams.
    const answer = longText('streaming')
    const turn = scriptTurn({ seq, prompt: 'go', text: answer, reasoning: 'ponder', assistantMessageID: 'msg_new' })
    const textStart = turn.events.findIndex((event) => event.type === 'session.next.text.started')
    await fake.play(turn.events.slice(0, textStart + 1))
    await waitFor(() => expect(screen.queryByTestId('msg_new text:text-0')).not.toBeNull())
    renders.clear()

    const deltas = turn.events.slice(textStart + 1).filter((event) => event.type === 'session.next.text.delta')
    expect(deltas.length).toBeGreaterThan(20)
    await fake.play(deltas)
    await waitFor(() => expect(screen.getByTestId('msg_new text:text-0').textContent).toBe(answer))

    const streamingPart = renders.get('part msg_new text:text-0') ?? 0
    expect(streamingPart).toBeGreaterThan(3)
    const untouched = [...renders].filter(([key]) => key !== 'part msg_new text:text-0' && key !== 'message msg_new')
    expect(untouched).toEqual([])
    // 2 × 40 + 2 messages mounted, each old one rendered 0 times in all these flushes.
    expect(screen.getAllByRole('heading')).toHaveLength(TURNS + 1)
  })
})
