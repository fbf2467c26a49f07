import type { SessionRow } from '../lib/backend.js'
import { shortId } from '../lib/format.js'

interface SessionListProps {
  readonly sessions: readonly SessionRow[]
  readonly selected: string | undefined
  readonly error: string | undefined
  /** A note above the list (a server that does not list its sessions). */
  readonly notice?: string | undefined
  /** Not connected: nothing to list, nothing to create. */
  readonly disabled?: boolean
  /** A create is on its way. */
  readonly creating?: boolean
  readonly onSelect: (sessionID: string) => void
  readonly onCreate: () => void
}

/** The server's sessions (polled: GET /__mock/sessions on the mock, GET /api/session on opencode), newest first. */
export function SessionList({ sessions, selected, error, notice, disabled = false, creating = false, onSelect, onCreate }: SessionListProps) {
  return (
    <nav className="sidebar" aria-label="Sessions">
      <button type="button" className="primary wide" onClick={onCreate} data-testid="new-session" disabled={disabled || creating}>
        {creating ? 'Creating…' : '+ New session'}
      </button>
      <h2 className="sidebar-title">Sessions</h2>
      {error !== undefined && <div className="form-error">{error}</div>}
      {notice !== undefined && (
        <p className="muted small" data-testid="list-notice">
          {notice}
        </p>
      )}
      {disabled ? (
        <p className="muted small">Not connected.</p>
      ) : (
        sessions.length === 0 && error === undefined && <p className="muted small">None yet.</p>
      )}
      <ul className="session-list" data-testid="session-list">
        {!disabled &&
          sessions.map((session) => (
            <li key={session.id}>
              <button
                type="button"
                className={session.id === selected ? 'session-item selected' : 'session-item'}
                aria-current={session.id === selected}
                data-session-id={session.id}
                onClick={() => onSelect(session.id)}
              >
                <span className={`dot dot-${session.activity ?? 'unknown'}`} aria-label={session.activity ?? 'activity not listed'} />
                <span className="session-title">{session.title ?? 'untitled'}</span>
                <span className="session-meta">
                  <code>{shortId(session.id)}</code>
                  {session.meta === '' ? '' : ` · ${session.meta}`}
                </span>
              </button>
            </li>
          ))}
      </ul>
    </nav>
  )
}
