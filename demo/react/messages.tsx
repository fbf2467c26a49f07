import { memo } from 'react'
import type { CompactionMessage, ShellMessage, SwitchMessage, SyntheticMessage, UserMessage, SessionHandle } from '../../src/index.js'
import { useSessionMessage } from '../../src/react/index.js'
import { modelLabel, SWITCH_TEXT } from '../lib/transcript.js'
import { IncompleteBadge, StatusPill } from './badges.js'

/**
 * Every message that is not an assistant step (those are grouped in AssistantTurn),
 * subscribed by id: it re-renders only when its own message changes.
 */
export const MessageView = memo(function MessageView({ session, messageID }: { readonly session: SessionHandle; readonly messageID: string }) {
  const message = useSessionMessage(session, messageID)
  switch (message?.role) {
    case 'user':
      return <UserPrompt message={message} />
    case 'shell':
      return <ShellCommand message={message} />
    case 'synthetic':
    case 'context':
      return <Note message={message} />
    case 'compaction':
      return <Compaction message={message} />
    case 'agent-switched':
    case 'model-switched':
      return <SwitchMarker message={message} />
    default:
      return null
  }
})

function UserPrompt({ message }: { readonly message: UserMessage }) {
  const extras = message.queued || (message.files?.length ?? 0) > 0 || (message.agents?.length ?? 0) > 0
  return (
    <div className="message user" data-message-id={message.id} data-queued={message.queued}>
      <div className="bubble" data-testid="user-text">
        {message.text}
      </div>
      {extras && (
        <div className="user-meta">
          {message.queued && (
            <span className="pill pill-small" data-tone="warn" data-testid="queued" title="Admitted; the agent takes it when the current turn ends">
              queued
            </span>
          )}
          {message.files?.map((file) => (
            <span key={file.uri} className="attachment" title={`${file.mime} · ${file.uri}`}>
              {file.name ?? file.uri}
            </span>
          ))}
          {message.agents?.map((agent) => (
            <span key={agent.name} className="attachment">
              @{agent.name}
            </span>
          ))}
        </div>
      )}
    </div>
  )
}

function ShellCommand({ message }: { readonly message: ShellMessage }) {
  return (
    <div className="message shell" data-message-id={message.id} data-status={message.status}>
      <div className="shell-head">
        <code className="shell-command">$ {message.command}</code>
        <StatusPill status={message.status} />
      </div>
      {message.output !== '' && <pre className="shell-output" tabIndex={0}>{message.output}</pre>}
    </div>
  )
}

function Note({ message }: { readonly message: SyntheticMessage }) {
  return (
    <div className="message note" data-message-id={message.id} data-role={message.role}>
      <span className="note-label">{message.role === 'context' ? 'context updated' : 'added by the server'}</span>
      <div className="note-text">{message.text}</div>
    </div>
  )
}

function Compaction({ message }: { readonly message: CompactionMessage }) {
  return (
    <details className="message compaction" data-message-id={message.id} data-status={message.status} open={message.status === 'streaming'}>
      <summary>
        <span>Earlier conversation summarised</span>
        <span className="muted"> · {message.reason}</span>
        <StatusPill status={message.status} />
        {message.incomplete && <IncompleteBadge />}
      </summary>
      <div className={message.status === 'streaming' ? 'compaction-text streaming' : 'compaction-text'}>{message.text}</div>
    </details>
  )
}

function SwitchMarker({ message }: { readonly message: SwitchMessage }) {
  const target = message.role === 'agent-switched' ? message.agent : message.model === undefined ? undefined : modelLabel(message.model)
  return (
    <div className="marker" role="separator" data-message-id={message.id} data-role={message.role}>
      <span>
        {SWITCH_TEXT[message.role]} <strong>{target ?? 'unknown'}</strong>
      </span>
    </div>
  )
}
