import type { ActivityStatus, AssistantStatus, ConnectionState, ToolStatus } from '../../src/index.js'
import { INCOMPLETE_HELP } from '../lib/format.js'

/** Small status pills shared by the panels. The `data-tone` drives the colour in CSS. */

const ACTIVITY_TONE: Record<ActivityStatus, string> = { unknown: 'muted', idle: 'ok', running: 'busy' }

export function ActivityBadge({ activity }: { readonly activity: ActivityStatus }) {
  return (
    <span
      className="pill"
      data-tone={ACTIVITY_TONE[activity]}
      data-testid="activity"
      title="The session's activity, from the server's snapshot and live activity events"
    >
      {activity}
    </span>
  )
}

const STATE_TONE: Record<ConnectionState, string> = {
  idle: 'muted',
  connecting: 'warn',
  open: 'ok',
  backoff: 'warn',
  offline: 'warn',
  unauthorized: 'bad',
  closed: 'muted',
  failed: 'bad',
}

export function ConnectionPill({ state }: { readonly state: ConnectionState }) {
  return (
    <span className="pill" data-tone={STATE_TONE[state]} data-testid="connection-state">
      {state}
    </span>
  )
}

const STATUS_TONE: Record<ToolStatus | AssistantStatus, string> = {
  pending: 'muted',
  running: 'busy',
  streaming: 'busy',
  success: 'ok',
  completed: 'ok',
  failed: 'bad',
  interrupted: 'warn',
}

export function StatusPill({ status }: { readonly status: ToolStatus | AssistantStatus }) {
  return (
    <span className="pill pill-small" data-tone={STATUS_TONE[status]}>
      {status}
    </span>
  )
}

export function IncompleteBadge() {
  return (
    <span className="pill pill-small tip" data-tone="warn" data-testid="incomplete" data-tip={INCOMPLETE_HELP} tabIndex={0} aria-label={`incomplete: ${INCOMPLETE_HELP}`}>
      incomplete
    </span>
  )
}
