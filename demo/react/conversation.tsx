import { Fragment, useLayoutEffect, useRef } from 'react'
import type { SessionHandle } from '../../src/index.js'
import { useSessionView } from '../../src/react/index.js'
import { groupMessages, revertIndex } from '../lib/transcript.js'
import { AssistantTurn } from './assistant.js'
import { useDemo } from './context.js'
import { MessageView } from './messages.js'
import { RetryNotice, RevertMarker } from './notices.js'

/**
 * The transcript. It reads the whole view only to list message ids and group the steps of
 * each reply; every message and part below subscribes to its own slice. Follows the bottom
 * while the reader is there.
 */
export function Conversation({ session }: { readonly session: SessionHandle }) {
  const view = useSessionView(session)
  const { backend } = useDemo()
  const scroller = useRef<HTMLDivElement | null>(null)
  const pinned = useRef(true)

  useLayoutEffect(() => {
    const element = scroller.current
    if (element !== null && pinned.current) element.scrollTop = element.scrollHeight
  })

  const onScroll = () => {
    const element = scroller.current
    if (element !== null) pinned.current = element.scrollHeight - element.scrollTop - element.clientHeight < 60
  }

  const blocks = groupMessages(view.messages)
  const revert = view.info.revert
  const revertAt = revertIndex(blocks, revert?.messageID)

  return (
    <div className="conversation" ref={scroller} onScroll={onScroll} data-testid="conversation" tabIndex={0} role="region" aria-label="Conversation (React)">
      {view.info.deleted && (
        <div className="banner banner-bad" data-testid="deleted">
          This session was deleted on the server. The stream closed for good; pick or create another session.
        </div>
      )}
      {view.messages.length === 0 && !view.info.deleted && (
        <div className="empty">
          <p>No messages yet.</p>
          <p className="muted">
            {backend.kind === 'opencode'
              ? 'Ask something below: the server’s model answers, and the reply streams in as it writes.'
              : 'Ask something below: the mock server scripts a reply and streams it in small deltas.'}
          </p>
        </div>
      )}
      {blocks.map((block, index) => (
        <Fragment key={block.key}>
          {index === revertAt && revert !== undefined && <RevertMarker revert={revert} />}
          {block.kind === 'assistant' ? (
            <AssistantTurn session={session} ids={block.ids} />
          ) : (
            <MessageView session={session} messageID={block.id} />
          )}
        </Fragment>
      ))}
      {revertAt === blocks.length && revert !== undefined && <RevertMarker revert={revert} />}
      {view.retry !== undefined && <RetryNotice retry={view.retry} />}
    </div>
  )
}
