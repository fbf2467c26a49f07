// README "React and Vue": the React example, verbatim but for the exports.
import type { SessionHandle } from 'session-stream'
import { useSessionConnection, useSessionPart, useSessionView } from 'session-stream/react'

export function Answer({ session, messageID }: { session: SessionHandle; messageID: string }) {
  // Parts are keyed by the server's ids: `text:<textID>`, `reasoning:<reasoningID>`, `tool:<callID>`.
  const part = useSessionPart(session, messageID, 'text:text-0') // re-renders only for this part
  return <p>{part?.type === 'text' ? part.text : '…'}</p>
}

export function Transcript({ session }: { session: SessionHandle }) {
  const view = useSessionView(session)
  const { state } = useSessionConnection(session)
  return (
    <>
      {state !== 'open' && <small>{state}</small>}
      {view.messages.map((m) =>
        m.role === 'assistant' ? (
          <Answer key={m.id} session={session} messageID={m.id} />
        ) : m.role === 'user' ? (
          <p key={m.id}>{m.text}</p>
        ) : null,
      )}
    </>
  )
}
