import { memo } from 'react'
import type { SessionHandle, TextPart, ToolPart } from '../../src/index.js'
import { useSessionPart } from '../../src/react/index.js'
import { prettyJson } from '../lib/format.js'
import { IncompleteBadge, StatusPill } from './badges.js'
import { useRenderCount } from './use-render-count.js'

/*
 * One part of an assistant message. Each part subscribes on its own with useSessionPart,
 * and its props never change, so a delta re-renders only the part it belongs to (the
 * render counter beside each part shows it). Server text is rendered as React text
 * children: escaped, never parsed as HTML.
 */

interface PartProps {
  readonly session: SessionHandle
  readonly messageID: string
  readonly partKey: string
}

export const PartView = memo(function PartView({ session, messageID, partKey }: PartProps) {
  const part = useSessionPart(session, messageID, partKey)
  const renders = useRenderCount()
  if (part === undefined) return null
  return (
    <div
      className={`part part-${part.type}`}
      data-part-key={part.key}
      data-streaming={part.streaming}
      data-incomplete={part.incomplete}
    >
      {part.type === 'tool' ? <ToolView part={part} /> : part.type === 'reasoning' ? <ReasoningView part={part} /> : <TextView part={part} />}
      <span className="render-count" ref={renders} aria-hidden="true" />
    </div>
  )
})

function TextView({ part }: { readonly part: TextPart }) {
  return (
    <>
      {part.incomplete && <IncompleteBadge />}
      <div className={part.streaming ? 'part-text streaming' : 'part-text'} data-testid="part-text">
        {part.text}
      </div>
    </>
  )
}

function ReasoningView({ part }: { readonly part: TextPart }) {
  const words = part.text.trim() === '' ? 0 : part.text.trim().split(/\s+/).length
  return (
    // Open while it streams, folded once it ends; the reader can unfold it again.
    <details open={part.streaming}>
      <summary>
        <span className={part.streaming ? 'thinking' : ''}>{part.streaming ? 'Thinking' : 'Reasoning'}</span>
        <span className="muted"> · {words} words</span>
        {part.incomplete && <IncompleteBadge />}
      </summary>
      <div className={part.streaming ? 'reasoning-text streaming' : 'reasoning-text'}>{part.text}</div>
    </details>
  )
}

const outputText = (part: ToolPart): string =>
  (part.output ?? []).map((content) => prettyJson(content.text ?? JSON.stringify(content))).join('\n')

function ToolView({ part }: { readonly part: ToolPart }) {
  const progress = (part.progress as { title?: unknown } | undefined)?.title
  return (
    <div className="tool">
      <div className="tool-head">
        <span className="tool-icon" aria-hidden="true">
          ⚙
        </span>
        <code className="tool-name">{part.name}</code>
        <StatusPill status={part.status} />
        {part.incomplete && <IncompleteBadge />}
        {typeof progress === 'string' && part.status === 'running' && <span className="muted"> {progress}…</span>}
      </div>
      <div className="tool-section">
        <div className="tool-label">input</div>
        <pre className={part.streaming ? 'streaming' : ''} data-testid="tool-input">
          {part.streaming ? part.inputText : prettyJson(part.inputText)}
        </pre>
      </div>
      {part.output !== undefined && (
        <div className="tool-section">
          <div className="tool-label">result</div>
          <pre data-testid="tool-output">{outputText(part)}</pre>
        </div>
      )}
      {part.error !== undefined && <div className="tool-error">{part.error.message}</div>}
    </div>
  )
}
