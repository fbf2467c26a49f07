import { useStore } from '@nanostores/react'
import { useLayoutEffect, useRef, useState } from 'react'
import { shortType, type LogRow } from '../lib/event-log.js'
import { clockTime } from '../lib/format.js'
import { useDemo } from './context.js'

const isDelta = (row: LogRow) => row.type.endsWith('.delta')

/** Every event the client let through its gate (durable exactly once, in seq order), newest last. */
export function EventLogPanel({ sessionID }: { readonly sessionID: string }) {
  const { log } = useDemo()
  const rows = useStore(log.$rows)
  const paused = useStore(log.$paused)
  const missed = useStore(log.$missed)
  const [deltas, setDeltas] = useState(true)
  const list = useRef<HTMLOListElement | null>(null)
  const shown = rows.filter((row) => row.sessionID === sessionID && (deltas || !isDelta(row)))

  useLayoutEffect(() => {
    if (list.current !== null && !paused) list.current.scrollTop = list.current.scrollHeight
  })

  return (
    <section className="card card-log" aria-label="Event log">
      <div className="card-head">
        <h2>Events</h2>
        <label className="check">
          <input type="checkbox" checked={deltas} onChange={(event) => setDeltas(event.target.checked)} /> deltas
        </label>
        <button type="button" aria-pressed={paused} className="toggle" onClick={() => log.setPaused(!paused)}>
          {paused ? `Resume${missed > 0 ? ` (+${missed})` : ''}` : 'Pause'}
        </button>
        <button type="button" onClick={() => log.clear()}>
          Clear
        </button>
      </div>
      <ol className="log" ref={list} data-testid="event-log" tabIndex={0} aria-label="Events, newest last">
        {shown.map((row) => (
          <li key={row.id} className={row.invalid ? 'invalid' : row.seq === undefined ? 'live' : 'durable'} title={row.at === 0 ? undefined : clockTime(row.at)}>
            <span className="log-seq">{row.seq ?? 'live'}</span>
            <span className="log-type">{shortType(row.type)}</span>
            <span className="log-detail" title={row.detail}>
              {row.detail}
            </span>
          </li>
        ))}
      </ol>
      <div className="log-foot muted">
        {shown.length} shown · last {rows.length} kept{paused ? ' · paused' : ''}
      </div>
    </section>
  )
}
