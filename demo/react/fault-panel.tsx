import { useState } from 'react'
import type { Fault } from '../../mock-server/index.js'
import type { SessionHandle } from '../../src/index.js'
import { errorLine } from '../lib/backend.js'
import type { FaultSettings } from '../lib/mock-api.js'
import { useDemo } from './context.js'

/*
 * Buttons that break things on the mock server. The client is never told: it notices,
 * backs off, resumes from its cursor, and the panels show it recovering. A real server has
 * no such switches: there only Delete is shown (it is the session API's DELETE).
 *
 * The switches are the server's, so their state outlives a change of session (the page
 * holds it); the note saying what was done belongs to the session it was done in, and is
 * kept per session id by the page.
 */

/** What was done, and when: shown under the buttons of the session it was done in. */
export type FaultNote = { readonly at: number; readonly text: string }

interface FaultPanelProps {
  readonly session: SessionHandle
  readonly onDeleted: (sessionID: string) => void
  /** The mock's switches as it last reported them (server-wide). */
  readonly faults: FaultSettings | undefined
  readonly onFaults: (faults: FaultSettings) => void
  /** This session's note. */
  readonly note: FaultNote | undefined
  readonly onNote: (sessionID: string, note: FaultNote) => void
}

const SHED_RETRY_AFTER_S = 2

export function FaultPanel({ session, onDeleted, faults, onFaults, note, onNote }: FaultPanelProps) {
  const { backend } = useDemo()
  const faultOf = backend.fault
  const [busy, setBusy] = useState(false)

  const run = (text: string, action: () => Promise<FaultSettings | undefined>) => {
    // The session the button was pressed in: the note is its, even if another is shown by then.
    const sessionID = session.id
    setBusy(true)
    action().then(
      (next) => {
        if (next !== undefined) onFaults(next)
        onNote(sessionID, { at: Date.now(), text })
        setBusy(false)
      },
      (cause: unknown) => {
        onNote(sessionID, { at: Date.now(), text: `failed: ${errorLine(cause)}` })
        setBusy(false)
      },
    )
  }

  const stall = faults?.stall === true
  const split = faults?.split !== undefined
  const shed = faults?.shed !== undefined

  const remove = (
    <button
      type="button"
      className="danger"
      data-testid="fault-delete"
      disabled={busy}
      title="DELETE /api/session/:id — the stream ends, the session answers 404, the view marks it deleted"
      onClick={() =>
        run('deleted the session', async () => {
          await backend.deleteSession(session.id)
          onDeleted(session.id)
          return undefined
        })
      }
    >
      Delete session
    </button>
  )
  const noteLine = (fallback: string) => (
    <div className="fault-note" aria-live="polite" data-testid="fault-note">
      {note === undefined ? fallback : `${new Date(note.at).toLocaleTimeString()} — ${note.text}`}
    </div>
  )

  if (faultOf === undefined) {
    return (
      <section className="card" aria-label="Session actions">
        <div className="card-head">
          <h2>Session</h2>
        </div>
        <div className="fault-grid">{remove}</div>
        {noteLine('A real server: no fault switches here. Stop and restart it yourself to watch the client recover.')}
      </section>
    )
  }
  const fault = (input: Fault) => faultOf(input)

  return (
    <section className="card" aria-label="Faults">
      <div className="card-head">
        <h2>Faults</h2>
        <button type="button" disabled={busy} onClick={() => run('cleared every fault', () => fault({ type: 'clear' }))}>
          Clear
        </button>
      </div>
      <div className="fault-grid">
        <button
          type="button"
          data-testid="fault-drop"
          disabled={busy}
          title="End every open stream now: the client reconnects from its cursor"
          onClick={() => run('dropped every open stream', () => fault({ type: 'drop' }))}
        >
          Drop stream
        </button>
        <button
          type="button"
          data-testid="fault-restart"
          disabled={busy}
          title="Crash and restart the server: streams reset, running turns cancelled without writing, activity idle"
          onClick={() => run('restarted the server', () => fault({ type: 'restart' }))}
        >
          Restart server
        </button>
        <button
          type="button"
          className="toggle"
          aria-pressed={stall}
          disabled={busy}
          title="Keep sockets open but write nothing, heartbeats included: the idle watchdog reconnects"
          onClick={() => run(stall ? 'stall lifted' : 'stalling every stream', () => fault({ type: 'stall', on: !stall }))}
        >
          Stall
        </button>
        <button
          type="button"
          className="toggle"
          aria-pressed={split}
          disabled={busy}
          title="Write every frame in tiny separate pieces: the parser reassembles them"
          onClick={() => run(split ? 'frames whole again' : 'splitting frames', () => fault({ type: 'split', on: !split }))}
        >
          Split frames
        </button>
        <button
          type="button"
          className="toggle"
          aria-pressed={shed}
          disabled={busy}
          title={`Answer stream requests with 503 and Retry-After: ${SHED_RETRY_AFTER_S} s, and drop the open stream so the client meets it`}
          onClick={() =>
            run(shed ? 'accepting streams again' : `shedding load (503, Retry-After ${SHED_RETRY_AFTER_S} s)`, async () => {
              const next = await fault({ type: 'shed', on: !shed, retryAfterSeconds: SHED_RETRY_AFTER_S })
              if (!shed) await fault({ type: 'drop' })
              return next
            })
          }
        >
          Shed load
        </button>
        {remove}
      </div>
      {noteLine('Break something and watch the client recover.')}
    </section>
  )
}
