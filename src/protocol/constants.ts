/**
 * Every protocol string lives here, so the client, the mock server and the tests
 * cannot drift apart on a route, a header or an event name.
 */

export const EVENT_STREAM_CONTENT_TYPE = 'text/event-stream'

/** Path of the session-scoped stream; `after` is an exclusive durable sequence. */
export const sessionEventPath = (sessionID: string): string =>
  `/api/session/${encodeURIComponent(sessionID)}/event`


/** Query parameter carrying the reconnect cursor. */
export const AFTER_PARAM = 'after'

/** The cursor before any durable event: `after=-1` replays everything. */
export const CURSOR_START = -1

/** Comment frame the server writes to prove the socket is alive. */
export const HEARTBEAT_COMMENT = 'heartbeat'
export const DEFAULT_HEARTBEAT_MS = 15_000

/**
 * Durable events: persisted with `durable.seq`, replayed on reconnect, and the only
 * events that move the cursor.
 */
export const DURABLE_EVENT_TYPES = [
  'session.created',
  'session.renamed',
  'session.deleted',
  'session.inbox.enqueued',
  'session.execution.started',
  'session.execution.succeeded',
  'session.execution.failed',
  'session.execution.interrupted',
  'session.step.started',
  'session.step.ended',
  'session.step.failed',
  'session.text.started',
  'session.text.ended',
  'session.reasoning.started',
  'session.reasoning.ended',
  'session.tool.input.started',
  'session.tool.input.ended',
  'session.tool.called',
  'session.tool.success',
  'session.tool.failed',
  'session.retry.scheduled',
] as const

/** Live-only events: never replayed, never carry `durable`, never move the cursor. */
export const LIVE_EVENT_TYPES = [
  'session.text.delta',
  'session.reasoning.delta',
  'session.tool.input.delta',
  'session.tool.progress',
  'session.usage.updated',
  'session.activity',
] as const

export type DurableEventType = (typeof DURABLE_EVENT_TYPES)[number]
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number]
export type EventType = DurableEventType | LiveEventType

export const ACTIVITY_STATUSES = ['idle', 'running'] as const
export const INTERRUPT_REASONS = ['user', 'shutdown', 'superseded', 'inactivity'] as const
