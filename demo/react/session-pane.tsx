import { useRef, useState, type KeyboardEvent } from 'react'
import type { SessionHandle } from '../../src/index.js'
import { useSessionView } from '../../src/react/index.js'
import { shortId } from '../lib/format.js'
import { ActivityBadge } from './badges.js'
import { Composer } from './composer.js'
import { Conversation } from './conversation.js'
import { VuePanel } from './vue-panel.js'

type Renderer = 'react' | 'vue' | 'both'

const RENDERERS: readonly [Renderer, string][] = [
  ['react', 'React'],
  ['vue', 'Vue'],
  ['both', 'Side by side'],
]

const tabId = (renderer: Renderer) => `renderer-tab-${renderer}`
const PANEL_ID = 'renderer-panel'

/** The selected session: a header, the transcript (React, Vue or both), the prompt box. */
export function SessionPane({ session, title }: { readonly session: SessionHandle; readonly title: string | undefined }) {
  const [renderer, setRenderer] = useState<Renderer>('react')
  const [showRenders, setShowRenders] = useState(false)
  const tabs = useRef(new Map<Renderer, HTMLButtonElement>())

  // The WAI-ARIA tabs pattern: one tab stop, arrows (and Home/End) move and select.
  const onKeyDown = (event: KeyboardEvent) => {
    const index = RENDERERS.findIndex(([value]) => value === renderer)
    const last = RENDERERS.length - 1
    const next =
      event.key === 'ArrowRight' ? (index === last ? 0 : index + 1)
      : event.key === 'ArrowLeft' ? (index === 0 ? last : index - 1)
      : event.key === 'Home' ? 0
      : event.key === 'End' ? last
      : undefined
    if (next === undefined) return
    event.preventDefault()
    const [value] = RENDERERS[next]!
    setRenderer(value)
    tabs.current.get(value)?.focus()
  }

  return (
    <main className={showRenders ? 'pane show-renders' : 'pane'}>
      <header className="pane-head">
        <SessionTitle session={session} title={title} />
        <div className="segmented" role="tablist" aria-label="Renderer" onKeyDown={onKeyDown}>
          {RENDERERS.map(([value, label]) => (
            <button
              key={value}
              ref={(element) => {
                if (element === null) tabs.current.delete(value)
                else tabs.current.set(value, element)
              }}
              id={tabId(value)}
              type="button"
              role="tab"
              aria-selected={renderer === value}
              aria-controls={PANEL_ID}
              tabIndex={renderer === value ? 0 : -1}
              data-testid={`renderer-${value}`}
              onClick={() => setRenderer(value)}
            >
              {label}
            </button>
          ))}
        </div>
        <label className="check" title="Show how often each part re-rendered: only the streaming one moves">
          <input type="checkbox" checked={showRenders} onChange={(event) => setShowRenders(event.target.checked)} /> render counts
        </label>
      </header>
      <div className={`views views-${renderer}`} id={PANEL_ID} role="tabpanel" aria-labelledby={tabId(renderer)}>
        {renderer !== 'vue' && <Conversation session={session} />}
        {renderer !== 'react' && <VuePanel session={session} />}
      </div>
      <Composer session={session} />
    </main>
  )
}

/** The session list's title for the session (the stream has none), its id, and where it runs once moved. */
function SessionTitle({ session, title }: { readonly session: SessionHandle; readonly title: string | undefined }) {
  const view = useSessionView(session)
  const { location, subdirectory } = view.info
  return (
    <div className="pane-title">
      <h1 title={title}>{title ?? 'Session'}</h1>
      <code className="muted" title={session.id} data-testid="session-id" data-session-id={session.id}>
        {shortId(session.id)}
      </code>
      <ActivityBadge activity={view.activity} />
      {location !== undefined && (
        <code className="muted small pane-info" title="The session's project directory (session.next.moved)">
          {location.directory}
          {subdirectory === undefined ? '' : ` · ${subdirectory}`}
        </code>
      )}
    </div>
  )
}
