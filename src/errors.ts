/**
 * One error class for the whole SDK. `code` is a string literal a program can switch
 * on; `message` is for a person. Never put a token, header or URL query into either.
 */
export type SessionStreamErrorCode =
  // frames and events
  | 'malformed-json'
  | 'invalid-event'
  | 'event-too-large'
  | 'wrong-session'
  // ordering
  | 'history-reset'
  | 'history-reset-loop'
  // HTTP and transport
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'session-not-found'
  | 'gone'
  | 'no-content'
  | 'rate-limited'
  | 'server-error'
  | 'unexpected-status'
  | 'redirected'
  | 'bad-content-type'
  | 'network-error'
  | 'stream-ended'
  | 'connect-timeout'
  | 'idle-timeout'
  | 'sleep-detected'
  | 'token-error'
  | 'consumer-error'
  | 'closed'
  // arguments
  | 'invalid-cursor'
  | 'invalid-session-id'

export interface SessionStreamErrorOptions {
  readonly status?: number | undefined
  readonly cause?: unknown
  /** For retryable outcomes: the server's `Retry-After` as a delay in ms. */
  readonly retryAfterMs?: number | undefined
}

export class SessionStreamError extends Error {
  override readonly name = 'SessionStreamError' as const
  readonly code: SessionStreamErrorCode
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined

  constructor(code: SessionStreamErrorCode, message: string, options: SessionStreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options.status
    this.retryAfterMs = options.retryAfterMs
  }
}

/** Cross-realm safe: compares `name` as well as the prototype chain. */
export const isSessionStreamError = (value: unknown): value is SessionStreamError =>
  value instanceof SessionStreamError ||
  (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'SessionStreamError')
