import { memo } from 'react'
import type { SessionHandle, TextPart } from '../../src/index.js'
import { useSessionPart } from '../../src/react/index.js'
import { wordCount } from '../lib/transcript.js'
import { IncompleteBadge } from './badges.js'
import { ToolCard } from './tool.js'
import { useRenderCount } from './use-render-count.js'

/*
 * One part of an assistant step. Each part subscribes on its own with useSessionPart,
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
      {part.type === 'tool' ? <ToolCard part={part} /> : part.type === 'reasoning' ? <ReasoningView part={part} /> : <TextView part={part} />}
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
  return (
    // Open while it streams, folded once it ends; the reader can unfold it again.
    <details open={part.streaming}>
      <summary>
        <span className={part.streaming ? 'thinking' : ''}>{part.streaming ? 'Thinking' : 'Reasoning'}</span>
        <span className="muted"> · {wordCount(part.text)} words</span>
        {part.incomplete && <IncompleteBadge />}
      </summary>
      <div className={part.streaming ? 'reasoning-text streaming' : 'reasoning-text'}>{part.text}</div>
    </details>
  )
}
