// README "React and Vue": the React example, verbatim.
import { memo } from 'react'
import type { SessionHandle } from 'session-stream'
import { SessionMessages, useSessionHealth, useSessionMessage, useSessionPart } from 'session-stream/react'

type Props = { session: SessionHandle; messageID: string }

// Parts are keyed by the server's ids: `text:<textID>`, `reasoning:<reasoningID>`, `tool:<callID>`.
const Part = memo(function Part({ session, messageID, partKey }: Props & { partKey: string }) {
  const part = useSessionPart(session, messageID, partKey) // re-renders only for this part
  if (part?.type === 'tool') return <code>{part.name}: {part.status}</code>
  return <p>{part?.text}</p>
})

const Message = memo(function Message({ session, messageID }: Props) {
  const message = useSessionMessage(session, messageID) // re-renders when a part is added or it ends
  if (message?.role === 'user') return <h3>{message.text}</h3>
  if (message?.role !== 'assistant') return null
  return message.parts.map((p) => <Part key={p.key} session={session} messageID={messageID} partKey={p.key} />)
})

function Status({ session }: { session: SessionHandle }) {
  const { state } = useSessionHealth(session) // re-renders only when health changes, not for counters
  return state === 'open' ? null : <small>{state}</small>
}

export function Transcript({ session }: { session: SessionHandle }) {
  return (
    <>
      <Status session={session} />
      {/* Renders each message id, in nested groups: re-renders only when a message is added or removed. */}
      <SessionMessages session={session}>{(id) => <Message session={session} messageID={id} />}</SessionMessages>
    </>
  )
}
