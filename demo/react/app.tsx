import { useCallback, useEffect, useMemo, useState } from 'react'
import type { SessionSummary } from '../lib/mock-api.js'
import { useDemo } from './context.js'
import { EventLogPanel } from './event-log-panel.js'
import { FaultPanel } from './fault-panel.js'
import { HealthPanel } from './health-panel.js'
import { SessionList } from './session-list.js'
import { SessionPane } from './session-pane.js'

const POLL_MS = 2000

const sessionFromHash = (): string | undefined => {
  const id = decodeURIComponent(location.hash.slice(1))
  return id === '' ? undefined : id
}

/** The page: sessions on the left, the conversation in the middle, health, faults and events on the right. */
export function App() {
  const { api, client } = useDemo()
  const [sessions, setSessions] = useState<readonly SessionSummary[]>([])
  const [listError, setListError] = useState<string | undefined>()
  const [selected, setSelected] = useState<string | undefined>(sessionFromHash)

  const refresh = useCallback(() => {
    api.listSessions().then(
      (list) => {
        setSessions(list)
        setListError(undefined)
      },
      (cause: unknown) => setListError(cause instanceof Error ? cause.message : String(cause)),
    )
  }, [api])

  useEffect(() => {
    refresh()
    const timer = setInterval(refresh, POLL_MS)
    return () => clearInterval(timer)
  }, [refresh])

  const select = useCallback((sessionID: string) => {
    history.replaceState(null, '', `#${encodeURIComponent(sessionID)}`)
    setSelected(sessionID)
  }, [])

  const create = useCallback(() => {
    api.createSession(`Session ${new Date().toLocaleTimeString()}`).then(
      (sessionID) => {
        select(sessionID)
        refresh()
      },
      (cause: unknown) => setListError(cause instanceof Error ? cause.message : String(cause)),
    )
  }, [api, refresh, select])

  // One handle per id: the SDK hands back the same one, and closes its stream a second
  // after the last component using it unmounts.
  const session = useMemo(() => (selected === undefined ? undefined : client.session(selected)), [client, selected])

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

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">
          session<span className="brand-accent">·</span>stream
        </span>
        <span className="muted">one AI-assistant session over a resumable SSE stream · mock server {api.baseUrl}</span>
      </header>
      <SessionList sessions={sessions} selected={selected} error={listError} onSelect={select} onCreate={create} />
      {session === undefined ? (
        <main className="pane pane-empty">
          <div className="empty">
            <h1>Follow a session live</h1>
            <p className="muted">Create a session, ask something, then break the connection on the right and watch it heal.</p>
            <button type="button" className="primary" onClick={create}>
              Create a session
            </button>
          </div>
        </main>
      ) : (
        <SessionPane key={session.id} session={session} title={sessions.find((item) => item.sessionID === session.id)?.title} />
      )}
      <aside className="side">
        {session !== undefined && (
          <>
            <HealthPanel session={session} />
            <FaultPanel session={session} onDeleted={refresh} />
            <EventLogPanel sessionID={session.id} />
          </>
        )}
      </aside>
    </div>
  )
}
