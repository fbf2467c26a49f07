import type { SessionSummary } from '../lib/mock-api.js'
import { shortId } from '../lib/format.js'

interface SessionListProps {
  readonly sessions: readonly SessionSummary[]
  readonly selected: string | undefined
  readonly error: string | undefined
  readonly onSelect: (sessionID: string) => void
  readonly onCreate: () => void
}

/** The mock server's sessions (polled from GET /__mock/sessions), newest first. */
export function SessionList({ sessions, selected, error, onSelect, onCreate }: SessionListProps) {
  return (
    <nav className="sidebar" aria-label="Sessions">
      <button type="button" className="primary wide" onClick={onCreate} data-testid="new-session">
        + New session
      </button>
      <h2 className="sidebar-title">Sessions</h2>
      {error !== undefined && <div className="form-error">{error}</div>}
      {sessions.length === 0 && error === undefined && <p className="muted small">None yet.</p>}
      <ul className="session-list">
        {sessions.toReversed().map((session) => (
          <li key={session.sessionID}>
            <button
              type="button"
              className={session.sessionID === selected ? 'session-item selected' : 'session-item'}
              aria-current={session.sessionID === selected}
              onClick={() => onSelect(session.sessionID)}
            >
              <span className={`dot dot-${session.activity}`} aria-label={session.activity} />
              <span className="session-title">{session.title ?? 'untitled'}</span>
              <span className="session-meta">
                <code>{shortId(session.sessionID)}</code> · seq {session.latestSeq}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  )
}
