import { useCallback, useEffect, useMemo, useState } from 'react'
import { isSessionStreamError } from '../../src/index.js'
import { describeMockError, errorLine, listUnsupported, type SessionRow } from '../lib/backend.js'
import type { FaultSettings } from '../lib/mock-api.js'
import { useDemo } from './context.js'
import { EventLogPanel } from './event-log-panel.js'
import { FaultPanel, type FaultNote } from './fault-panel.js'
import { parseServerUrl } from '../lib/server-url.js'
import { HealthPanel } from './health-panel.js'
import { ServerForm, type ServerStatus } from './server-form.js'
import { SessionList } from './session-list.js'
import { SessionPane } from './session-pane.js'

const POLL_MS = 2000

const sessionFromHash = (): string | undefined => {
  const id = decodeURIComponent(location.hash.slice(1))
  return id === '' ? undefined : id
}

/** Asking again cannot help: the password is wrong, or the server does not list sessions. */
const settled = (status: ServerStatus): boolean =>
  status.kind === 'no-list' ||
  (status.kind === 'failed' && isSessionStreamError(status.cause) && (status.cause.code === 'unauthorized' || status.cause.code === 'forbidden'))

/** The page: sessions on the left, the conversation in the middle, health, faults and events on the right. */
export function App() {
  const { backend, client, server } = useDemo()
  const opencode = backend.kind === 'opencode'
  const [sessions, setSessions] = useState<readonly SessionRow[]>([])
  /** Sessions created on this page: what the list shows when the server does not list its own. */
  const [made, setMade] = useState<readonly SessionRow[]>([])
  const [status, setStatus] = useState<ServerStatus>({ kind: 'checking' })
  /** The server answered once (a list, or a 405 saying it has none): later failures no longer hide the page. */
  const [reached, setReached] = useState(false)
  const [actionError, setActionError] = useState<string | undefined>()
  /** A create is on its way: a real server may take a moment to answer. */
  const [creating, setCreating] = useState(false)
  const [selected, setSelected] = useState<string | undefined>(sessionFromHash)
  /** The mock's fault switches (server-wide), and each session's last fault note. */
  const [faults, setFaults] = useState<FaultSettings | undefined>()
  const [notes, setNotes] = useState<ReadonlyMap<string, FaultNote>>(() => new Map())
  const addNote = useCallback((sessionID: string, note: FaultNote) => setNotes((map) => new Map(map).set(sessionID, note)), [])

  const refresh = useCallback(() => {
    backend.listSessions().then(
      (list) => {
        setSessions(list)
        setStatus({ kind: 'ok', count: list.length })
        setReached(true)
      },
      (cause: unknown) => {
        if (opencode && listUnsupported(cause)) {
          setStatus({ kind: 'no-list', cause })
          setReached(true)
        } else setStatus({ kind: 'failed', cause })
      },
    )
  }, [backend, opencode])

  const polling = !settled(status)
  useEffect(() => {
    if (!polling) return undefined
    refresh()
    const timer = setInterval(refresh, POLL_MS)
    return () => clearInterval(timer)
  }, [refresh, polling])

  const select = useCallback((sessionID: string) => {
    history.replaceState(null, '', `${location.pathname}${location.search}#${encodeURIComponent(sessionID)}`)
    setSelected(sessionID)
  }, [])

  const create = useCallback(() => {
    setActionError(undefined)
    setCreating(true)
    backend.createSession().then(
      (session) => {
        setCreating(false)
        setMade((list) => [session, ...list])
        select(session.id)
        refresh()
      },
      (cause: unknown) => {
        setCreating(false)
        setActionError(`Could not create a session: ${errorLine(cause)}`)
      },
    )
  }, [backend, refresh, select])

  const onDeleted = useCallback(
    (sessionID: string) => {
      setMade((list) => list.filter((session) => session.id !== sessionID))
      refresh()
    },
    [refresh],
  )

  // Nothing is shown as working until the server answered once: a wrong address or password
  // is said in words at the top (next to the server field on opencode), and no session is
  // opened meanwhile.
  const blocked = !reached
  const rows = status.kind === 'no-list' ? made : sessions

  // One handle per id: the SDK hands back the same one, and closes its stream a second
  // after the last component using it unmounts.
  const session = useMemo(
    () => (selected === undefined || blocked ? undefined : client.session(selected)),
    [client, selected, blocked],
  )

  // The list is polled; refresh it at once when the selected session starts or stops running.
  useEffect(() => {
    if (session === undefined) return undefined
    let activity = session.$view.get().activity
    return session.$view.listen((view) => {
      if (view.activity === activity) return
      activity = view.activity
      refresh()
    })
  }, [session, refresh])

  const listNotice =
    status.kind === 'no-list' ? 'This server does not list its sessions (GET /api/session); the ones created here are below.' : undefined
  // Against the mock, a failing list is said at the top, under the address; against opencode, next to the server field.
  const address = opencode ? undefined : parseServerUrl(backend.baseUrl)
  const mockError =
    address !== undefined && 'error' in address
      ? { words: `The ?mock= address ${JSON.stringify(backend.baseUrl)} is not usable.`, message: address.error }
      : !opencode && status.kind === 'failed'
        ? describeMockError(status.cause, backend.baseUrl)
        : undefined

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">
          session<span className="brand-accent">·</span>stream
        </span>
        {server === undefined ? (
          <>
            <span className="topbar-about muted">
              one AI-assistant session over a resumable SSE stream · mock server <code data-testid="server-address">{backend.baseUrl}</code>
            </span>
            <a className="topbar-link" href={`${location.pathname}?opencode=${encodeURIComponent('http://127.0.0.1:4096')}`}>
              Use a real opencode server
            </a>
            {mockError !== undefined && (
              <div className="server-error" role="alert" data-testid="server-error">
                <strong>{mockError.words}</strong> <span className="server-error-detail">{mockError.message}</span>
              </div>
            )}
          </>
        ) : (
          <ServerForm status={status} />
        )}
      </header>
      <SessionList
        sessions={rows}
        selected={selected}
        error={actionError}
        notice={listNotice}
        disabled={blocked}
        creating={creating}
        onSelect={select}
        onCreate={create}
      />
      {session === undefined ? (
        <main className="pane pane-empty">
          {blocked ? (
            <div className="empty" data-testid="not-connected">
              <h1>{status.kind === 'checking' ? 'Connecting…' : 'Not connected'}</h1>
              <p className="muted">
                {status.kind === 'checking'
                  ? `Asking ${backend.baseUrl} for its sessions.`
                  : opencode
                    ? 'The server field above says what went wrong. Fix the address or the password, then connect again.'
                    : 'The message above says what went wrong. Start the mock server (npm run mock-server) or fix the ?\u2060mock= address, and this page connects by itself.'}
              </p>
            </div>
          ) : (
            <div className="empty">
              <h1>Follow a session live</h1>
              <p className="muted">
                {opencode
                  ? 'Pick a session on the left or create one, then ask something: the reply streams in as the model writes it.'
                  : 'Create a session, ask something, then break the connection on the right and watch it heal.'}
              </p>
              <button type="button" className="primary" onClick={create} disabled={creating}>
                {creating ? 'Creating…' : 'Create a session'}
              </button>
            </div>
          )}
        </main>
      ) : (
        <SessionPane key={session.id} session={session} title={rows.find((item) => item.id === session.id)?.title} />
      )}
      <aside className="side">
        {session !== undefined && (
          <>
            <HealthPanel session={session} />
            <FaultPanel
              session={session}
              onDeleted={onDeleted}
              faults={faults}
              onFaults={setFaults}
              note={notes.get(session.id)}
              onNote={addNote}
            />
            <EventLogPanel sessionID={session.id} />
          </>
        )}
      </aside>
    </div>
  )
}
