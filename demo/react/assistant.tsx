import { memo } from 'react'
import type { AssistantMessage, SessionHandle } from '../../src/index.js'
import { useSessionMessage } from '../../src/react/index.js'
import { modelLabel, sameIds } from '../lib/transcript.js'
import { StatusPill } from './badges.js'
import { PartView } from './parts.js'

interface TurnProps {
  readonly session: SessionHandle
  /** The assistant messages (one per model step) of this reply, in order. */
  readonly ids: readonly string[]
}

/**
 * One assistant reply: every step of the turn under one header. The ids array is rebuilt
 * on each render of the transcript, so the memo compares its contents.
 */
export const AssistantTurn = memo(
  function AssistantTurn({ session, ids }: TurnProps) {
    const first = ids[0] ?? ''
    const last = ids.at(-1) ?? first
    return (
      <article className="message assistant" data-testid="assistant-turn" data-steps={ids.length}>
        <TurnHead session={session} firstID={first} lastID={last} />
        {ids.map((id, index) => (
          <Step key={id} session={session} messageID={id} index={index} />
        ))}
      </article>
    )
  },
  (before, after) => before.session === after.session && sameIds(before.ids, after.ids),
)

/** Agent and model once per reply (from its first step); the status of the step now running or last. */
function TurnHead({ session, firstID, lastID }: { readonly session: SessionHandle; readonly firstID: string; readonly lastID: string }) {
  const first = useSessionMessage(session, firstID)
  const last = useSessionMessage(session, lastID)
  if (first?.role !== 'assistant' || last?.role !== 'assistant') return null
  return (
    <header className="message-head" data-status={last.status}>
      <span className="avatar" aria-hidden="true">
        ✦
      </span>
      <span>{first.agent ?? 'assistant'}</span>
      {first.model !== undefined && <code className="muted">{modelLabel(first.model)}</code>}
      <StatusPill status={last.status} />
    </header>
  )
}

interface StepProps {
  readonly session: SessionHandle
  readonly messageID: string
  readonly index: number
}

/** One model step: its parts, then a quiet footer that also separates it from the next step. */
const Step = memo(function Step({ session, messageID, index }: StepProps) {
  const message = useSessionMessage(session, messageID)
  if (message?.role !== 'assistant') return null
  return (
    <section className="step" data-message-id={message.id} data-status={message.status} data-finish={message.finish}>
      {message.parts.map((part) => (
        <PartView key={part.key} session={session} messageID={message.id} partKey={part.key} />
      ))}
      {message.error !== undefined && (
        <div className="tool-error" data-testid="step-error">
          {message.error.message}
        </div>
      )}
      <StepFoot message={message} index={index} />
    </section>
  )
})

function StepFoot({ message, index }: { readonly message: AssistantMessage; readonly index: number }) {
  const details = [`step ${index + 1}`]
  if (message.finish !== undefined) details.push(message.finish)
  if (message.tokens !== undefined) {
    const { input, output, reasoning } = message.tokens
    details.push(`${input} in · ${output} out${reasoning > 0 ? ` · ${reasoning} reasoning` : ''} tokens`)
  }
  if (message.cost !== undefined && message.cost > 0) details.push(`$${message.cost.toFixed(4)}`)
  return <footer className="step-foot">{details.join(' · ')}</footer>
}
