import { memo } from 'react'
import type { AssistantMessage, SessionHandle } from '../../src/index.js'
import { useSessionMessage } from '../../src/react/index.js'
import { StatusPill } from './badges.js'
import { PartView } from './parts.js'

interface MessageProps {
  readonly session: SessionHandle
  readonly messageID: string
}

/**
 * One message, subscribed by id: it re-renders when its own message changes (a part was
 * added or changed), and then its memoized parts decide for themselves.
 */
export const MessageView = memo(function MessageView({ session, messageID }: MessageProps) {
  const message = useSessionMessage(session, messageID)
  if (message === undefined) return null
  if (message.role === 'user') {
    return (
      <div className="message user" data-message-id={message.id}>
        <div className="bubble" data-testid="user-text">
          {message.text}
        </div>
      </div>
    )
  }
  return (
    <article className="message assistant" data-message-id={message.id} data-status={message.status}>
      <header className="message-head">
        <span className="avatar" aria-hidden="true">
          ✦
        </span>
        <span>assistant</span>
        {message.model !== undefined && <code className="muted">{message.model.modelID}</code>}
        <StatusPill status={message.status} />
      </header>
      {message.parts.map((part) => (
        <PartView key={part.key} session={session} messageID={message.id} partKey={part.key} />
      ))}
      {message.error !== undefined && <div className="tool-error">{message.error.message}</div>}
      <MessageFooter message={message} />
    </article>
  )
})

function MessageFooter({ message }: { readonly message: AssistantMessage }) {
  const tokens = message.tokens ?? message.usage?.tokens
  if (tokens === undefined && message.retries.length === 0) return null
  return (
    <footer className="message-foot">
      {tokens !== undefined && (
        <span>
          {tokens.input} in · {tokens.output} out{tokens.reasoning ? ` · ${tokens.reasoning} reasoning` : ''} tokens
          {message.finish !== undefined && ` · finish: ${message.finish}`}
        </span>
      )}
      {message.retries.length > 0 && <span> · {message.retries.length} retries</span>}
    </footer>
  )
}
