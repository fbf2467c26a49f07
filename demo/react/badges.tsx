import type { ActivityStatus } from '../../src/index.js'
import { INCOMPLETE_HELP } from '../lib/format.js'
import { ACTIVITY_TONE, STATUS_TONE, type Status } from '../lib/tones.js'

/** Small status pills shared by the panels. The `data-tone` drives the colour in CSS. */

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

export function StatusPill({ status }: { readonly status: Status }) {
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
