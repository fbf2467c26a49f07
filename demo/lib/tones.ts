import type { ActivityStatus, AssistantStatus, ConnectionState, ToolStatus } from '../../src/index.js'

/** The colour of each status pill (`data-tone` in CSS), shared by the React and Vue views. */

/** Every status a pill shows: tools, steps, shell commands and compactions share these words. */
export type Status = ToolStatus | AssistantStatus

export const STATUS_TONE: Record<Status, string> = {
  pending: 'muted',
  running: 'busy',
  streaming: 'busy',
  success: 'ok',
  completed: 'ok',
  failed: 'bad',
  interrupted: 'warn',
}

export const ACTIVITY_TONE: Record<ActivityStatus, string> = { unknown: 'muted', idle: 'ok', running: 'busy' }

export const STATE_TONE: Record<ConnectionState, string> = {
  idle: 'muted',
  connecting: 'warn',
  open: 'ok',
  backoff: 'warn',
  offline: 'warn',
  unauthorized: 'bad',
  closed: 'muted',
  failed: 'bad',
}
