/**
 * Every protocol string lives here, so the client, the mock server and the tests
 * cannot drift apart on a route, a header or an event name.
 */

export const EVENT_STREAM_CONTENT_TYPE = 'text/event-stream'

/** Path of the session-scoped stream; `after` is an exclusive durable sequence. */
export const sessionEventPath = (sessionID: string): string =>
  `/api/session/${encodeURIComponent(sessionID)}/event`

/** Query parameter carrying the reconnect cursor: an integer ≥ 0, absent for the whole log. */
export const AFTER_PARAM = 'after'

/**
 * The cursor before any durable event. Never sent: without a cursor the request carries no
 * `after` at all (opencode answers `after=-1` with 400). Public seqs start at 1.
 */
export const CURSOR_START = -1

/** Comment frame the server writes to prove the socket is alive. */
export const HEARTBEAT_COMMENT = 'heartbeat'
export const DEFAULT_HEARTBEAT_MS = 15_000

export const ACTIVITY_STATUSES = ['idle', 'running'] as const
export const PROMPT_DELIVERIES = ['steer', 'queue'] as const
export const COMPACTION_REASONS = ['auto', 'manual'] as const

/** The released opencode server's server-wide stream: live fragments of every session, no replay. */
export const SERVER_EVENT_PATH = '/api/event'
/** `{ data: { [sessionID]: { type: "running" } } }`: the activity of a server without the seed's snapshot. */
export const SESSION_ACTIVE_PATH = '/api/session/active'
/** Sessions: `POST` creates one; `/:id` `DELETE`s it; `/:id/prompt` and `/:id/interrupt` drive it. */
export const SESSION_PATH = '/api/session'
/** opencode serves `DELETE` of a session on its older route only (1.18.34: `DELETE /session/:id`). */
export const LEGACY_SESSION_PATH = '/session'
