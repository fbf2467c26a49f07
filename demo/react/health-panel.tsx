import { useStore } from '@nanostores/react'
import type { SessionHandle } from '../../src/index.js'
import { useSessionConnection } from '../../src/react/index.js'
import { SERVER_STREAM } from '../lib/byte-meter.js'
import { formatDuration } from '../lib/format.js'
import { describeHealth, errorSeenAt, formatAge } from '../lib/health.js'
import type { TabRoleLabel } from '../lib/tab-role.js'
import { useDemo } from './context.js'
import { useNow } from './use-now.js'

/**
 * The connection's health as the SDK reports it, with ages and countdowns that tick. It says
 * what is true now: a stream that carries nothing is `stalled` (not a green `open`), and an
 * error the stream has recovered from is shown as past.
 */
export function HealthPanel({ session }: { readonly session: SessionHandle }) {
  const connection = useSessionConnection(session)
  const { settings, bytes, tabRole } = useDemo()
  const role = useStore(tabRole)
  // A following tab has no stream of its own: what it measured on the wire (if it ever led)
  // says nothing now; the leader's last byte comes with the status it feeds.
  const following = role === 'follows'
  // Quiet for half the idle timeout is stalled: 3 s on the mock (2 s heartbeats), longer on
  // opencode, whose session stream is silent between rows (heartbeats come every 15 s, server-wide).
  const staleAfter = settings.idleTimeoutMs / 2
  const now = useNow(200)
  const { counters } = connection
  const retryIn = connection.nextRetryAt === null ? undefined : connection.nextRetryAt - now
  const health = describeHealth({
    state: connection.state,
    shape: connection.shape,
    lastError: connection.lastError,
    errorAt: errorSeenAt(session, connection.lastError, now),
    sdkByteAt: connection.lastByteAt,
    streamByteAt: following ? undefined : bytes.lastByteAt(session.id),
    serverByteAt: following ? undefined : bytes.lastByteAt(SERVER_STREAM),
    now,
    staleAfterMs: staleAfter,
  })
  const { byteAge, error } = health

  return (
    <section className="card" aria-label="Connection health">
      <div className="card-head">
        <h2>Connection</h2>
        <button type="button" onClick={() => session.reconnect()} title="Drop this connection and open a fresh one from the cursor">
          Reconnect
        </button>
      </div>
      <dl className="facts">
        <dt>state</dt>
        <dd>
          <span className="pill" data-tone={health.tone} data-testid="connection-state" data-state={connection.state}>
            {health.label}
          </span>
          {health.quietFor !== undefined && (
            <span className="quiet" data-testid="stall">
              {' '}
              no byte for {formatAge(health.quietFor)}
              {health.stalled && connection.state !== 'open' ? ` · ${connection.state}` : ''}
            </span>
          )}
          {health.quietFor === undefined && connection.synced && connection.state === 'open' && <span className="muted"> synced</span>}
          {health.quietFor === undefined && connection.synced && connection.state === 'connecting' && connection.shape === 'split' && (
            <span className="muted" title="A released opencode server answers a session stream only once the session has its next row">
              {' '}
              synced · waiting for the next row
            </span>
          )}
        </dd>
        <dt>shape</dt>
        <dd
          data-testid="shape"
          title="unified: one session stream carries everything (the mock). split: a released opencode server, whose session stream carries durable rows only; fragments come on GET /api/event, activity from GET /api/session/active. — while the client is still telling."
        >
          {connection.shape ?? '—'}
        </dd>
        <dt>tab</dt>
        <dd data-testid="tab-role" data-role={role} title={ROLE_HINT[role]}>
          {role}
        </dd>
        <dt>attempt</dt>
        <dd data-testid="attempt">{connection.attempt}</dd>
        <dt>next retry</dt>
        <dd>{retryIn === undefined ? '—' : `in ${formatDuration(retryIn)}`}</dd>
        <dt>cursor</dt>
        <dd data-testid="cursor">{connection.cursor}</dd>
        <dt>last byte</dt>
        <dd className={health.quietFor === undefined ? '' : 'stale'} data-testid="last-byte" title="Measured on the wire, heartbeats included">
          {byteAge === undefined ? '—' : `${formatAge(byteAge)} ago`}
        </dd>
      </dl>
      {error !== undefined && (
        <div
          className={error.past ? 'last-error past' : 'last-error'}
          title={`${error.code}: ${error.message}`}
          data-testid="last-error"
          data-past={error.past}
        >
          <span className="last-error-when">{error.summary}:</span> <code>{error.code}</code> {error.message}
        </div>
      )}
      <div className="counters">
        <Counter label="duplicates" value={counters.duplicates} hint="Durable events at or below the cursor: dropped" />
        <Counter label="skips" value={counters.skips} hint="Seq jumps over the server's private rows: not a loss, applied" />
        <Counter label="live applied" value={counters.liveApplied} hint="Live fragments folded into the view" />
        <Counter label="orphans" value={counters.orphans} hint="Fragments or results for a part the view never saw: ignored" />
        <Counter label="invalid" value={counters.invalid} hint="Known event types whose data did not fit: kept out of the view, listed in the event log" />
        <Counter label="protocol errors" value={counters.protocolErrors} hint="Frames that could not be trusted at all: reconnected" />
        <Counter label="reconnects" value={counters.reconnects} hint="Connections opened after the first" />
        <Counter label="resets" value={counters.resets} hint="Server history behind the cursor: rebuilt from the start" />
      </div>
    </section>
  )
}

const ROLE_HINT: Readonly<Record<TabRoleLabel, string>> = {
  leads: 'This tab holds the connection and feeds the other tabs of this page (?tabs=0 turns sharing off)',
  follows: "This tab folds what the leading tab feeds it, and shows the leader's health; it takes over if that tab goes",
  alone: 'This tab connects on its own: sharing is off (?tabs=0) or the browser lacks Web Locks or BroadcastChannel',
}

function Counter({ label, value, hint }: { readonly label: string; readonly value: number; readonly hint: string }) {
  return (
    <div className="counter" title={hint} data-testid={`counter-${label.replaceAll(' ', '-')}`}>
      <span className="counter-value">{value}</span>
      <span className="counter-label">{label}</span>
    </div>
  )
}
