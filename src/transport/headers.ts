import { SessionStreamError } from '../errors.js'

/** A bearer token, or a function resolved again before every attempt (refresh happens there). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>)

/**
 * Request headers for any auth scheme (opencode's HTTP Basic `opencode:<password>`, a session
 * header, …): a record, or a function resolved again before every attempt, async allowed.
 */
export type HeaderSource =
  | Readonly<Record<string, string>>
  | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>)

/** HTTP Basic credentials as opencode takes them: user `opencode`, the server's password. */
export const basicAuth = (password: string, username = 'opencode'): Record<string, string> => ({
  authorization: `Basic ${toBase64(`${username}:${password}`)}`,
})

/** `btoa` takes Latin-1 only; a password may be any text, so it goes through UTF-8 first. */
function toBase64(text: string): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * A header name must be a token; a value must not break the request line (CR, LF, NUL).
 * A value that does is never sent, and never retried: it would fail the same way each time,
 * and a `fetch` that rejects it puts the value (a secret) in its error message.
 */
const NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const breaksLine = (value: string): boolean => value.includes('\r') || value.includes('\n') || value.includes('\0')

export type ResolvedHeaders =
  | { readonly ok: true; readonly headers: Record<string, string> }
  | { readonly ok: false; readonly error: SessionStreamError }

/**
 * The headers of one attempt: `headers` resolved, then the token as `Authorization: Bearer`.
 * A provider that throws rejects with a `token-error` (the attempt is retried); a name or
 * value that cannot be sent comes back as a `token-error` that must stop the stream. No
 * message or cause ever carries a value.
 */
export async function resolveHeaders(
  token: TokenSource | undefined,
  source: HeaderSource | undefined,
  signal: AbortSignal,
): Promise<ResolvedHeaders> {
  let record: Readonly<Record<string, string>> | undefined
  let bearer: string | undefined
  try {
    record = await raceAbort(Promise.resolve(typeof source === 'function' ? source() : source), signal)
    bearer = await raceAbort(Promise.resolve(typeof token === 'function' ? token() : token), signal)
  } catch (cause) {
    // The provider's own error is kept as the cause: it is the app's, not a header value.
    throw new SessionStreamError('token-error', 'the token or headers provider failed', { cause })
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(record ?? {})) {
    if (!NAME.test(name) || typeof value !== 'string' || breaksLine(value)) return invalid(`header ${NAME.test(name) ? name : '(unprintable name)'}`)
    headers[name.toLowerCase()] = value
  }
  if (bearer !== undefined && bearer !== '') {
    if (breaksLine(bearer)) return invalid('the token')
    headers.authorization = `Bearer ${bearer}`
  }
  return { ok: true, headers }
}

const invalid = (what: string): ResolvedHeaders => ({
  ok: false,
  error: new SessionStreamError('token-error', `${what} cannot be sent: it contains a line break or NUL`),
})

/** Resolves with `promise`, or rejects as soon as `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DOMException('aborted', 'AbortError'))
    // Handled even when the signal has already aborted: a provider failing after that must
    // not surface as an unhandled rejection.
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
}
