import type * as z from 'zod/mini'
import { describeIssues } from './control-schemas.js'

/*
 * Small HTTP helpers shared by the routes. Fetch-API only (no node: imports), so the
 * engine runs unchanged behind node:http and behind MSW in a browser.
 */

/** opencode's error `_tag`s, and the mock's own for what opencode answers some other way. */
export type ErrorTag =
  | 'InvalidRequestError'
  | 'UnauthorizedError'
  | 'SessionNotFoundError'
  | 'NotFoundError'
  | 'MethodNotAllowedError'
  | 'PayloadTooLargeError'
  | 'ServiceUnavailableError'
  | 'InternalServerError'

/** Every error body: flat, tagged like opencode's (`{ "_tag": …, "message": … }`). */
export interface ErrorBody {
  readonly _tag: ErrorTag
  readonly message: string
  readonly [field: string]: unknown
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  })

export const error = (status: number, tag: ErrorTag, message: string, headers: Record<string, string> = {}): Response =>
  json(status, { _tag: tag, message } satisfies ErrorBody, headers)

export const invalid = (message: string): Response => error(400, 'InvalidRequestError', message)

export const sessionNotFound = (sessionID: string): Response =>
  json(404, { _tag: 'SessionNotFoundError', sessionID, message: `Session not found: ${sessionID}` } satisfies ErrorBody)

const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS'
// Only what clients send: Bearer or Basic credentials, the reconnect header some add, JSON bodies.
const ALLOWED_HEADERS = 'authorization, last-event-id, content-type'

/**
 * Reflects the caller's Origin (any page may use the mock) without credentials: tokens
 * and passwords travel in a header, never in a cookie, so `Allow-Credentials` is not needed.
 */
export function applyCors(request: Request, response: Response): Response {
  const origin = request.headers.get('origin')
  response.headers.append('Vary', 'Origin')
  if (origin === null) return response
  response.headers.set('Access-Control-Allow-Origin', origin)
  response.headers.set('Access-Control-Expose-Headers', 'Retry-After')
  return response
}

export const preflight = (): Response =>
  new Response(null, {
    status: 204,
    headers: {
      'Access-Control-Allow-Methods': ALLOWED_METHODS,
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': '600',
    },
  })

/**
 * Compares in time that depends only on the lengths, so response timing does not reveal
 * how many leading characters of a guessed token were right.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const length = Math.max(a.length, b.length)
  let difference = a.length ^ b.length
  for (let index = 0; index < length; index++) {
    difference |= (a.charCodeAt(index) || 0) ^ (b.charCodeAt(index) || 0)
  }
  return difference === 0
}

/** Who may call: a bearer token, an opencode server password, both, or neither (open). */
export interface Credentials {
  readonly token?: string | undefined
  readonly password?: string | undefined
}

/** opencode's Basic user name (it reads OPENCODE_SERVER_USERNAME, which defaults to this). */
export const BASIC_USER = 'opencode'

/** The user and password of a Basic header; undefined when it is not valid base64 of `user:password`. */
function basic(encoded: string): { user: string; password: string } | undefined {
  try {
    // atob yields one char per byte; the credentials themselves are UTF-8.
    const bytes = Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0))
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    const colon = text.indexOf(':')
    return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) }
  } catch {
    return undefined
  }
}

/**
 * Only the Authorization header counts. A token in the URL (`?token=`, `?access_token=`)
 * would end up in logs, history and Referer headers, so it never authenticates. The
 * challenge names each scheme this server accepts (`Basic`, as opencode's says, `Bearer`).
 */
export function authorize(request: Request, credentials: Credentials): Response | undefined {
  const { token, password } = credentials
  if (token === undefined && password === undefined) return undefined
  const header = (request.headers.get('authorization') ?? '').trim()
  const bearer = /^Bearer +(\S+)$/i.exec(header)?.[1]
  if (token !== undefined && bearer !== undefined && constantTimeEqual(bearer, token)) return undefined
  const encoded = /^Basic +(\S+)$/i.exec(header)?.[1]
  const given = encoded === undefined ? undefined : basic(encoded)
  if (password !== undefined && given !== undefined) {
    // Both compared every time, so timing does not tell a wrong user from a wrong password.
    const user = constantTimeEqual(given.user, BASIC_USER)
    if (constantTimeEqual(given.password, password) && user) return undefined
  }
  const schemes = [...(password === undefined ? [] : ['Basic']), ...(token === undefined ? [] : ['Bearer'])]
  const wanted = password === undefined ? 'a valid bearer token' : token === undefined ? `HTTP Basic ${BASIC_USER}:<password>` : 'valid credentials'
  return error(401, 'UnauthorizedError', `${wanted} is required`, { 'WWW-Authenticate': schemes.join(', ') })
}

export const MAX_BODY_BYTES = 64 * 1024

export type BodyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly response: Response }

/** Reads a JSON body, refusing more than `limit` bytes without buffering past the limit. */
export async function readJson(request: Request, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const tooLarge = (): BodyResult => ({
    ok: false,
    response: error(413, 'PayloadTooLargeError', `request body exceeds ${limit} bytes`),
  })
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > limit) return tooLarge()
  const chunks: Uint8Array[] = []
  let size = 0
  if (request.body !== null) {
    const reader = request.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > limit) {
        // Not awaited: on a teed body (msw clones requests) cancel settles only when every branch is cancelled.
        void reader.cancel().catch(() => {})
        return tooLarge()
      }
      chunks.push(value)
    }
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  const text = new TextDecoder().decode(bytes)
  if (text.trim() === '') return { ok: true, value: {} }
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false, response: invalid('request body is not valid JSON') }
  }
}

/**
 * Parses a query parameter that must be an integer ≥ 0 written in plain digits, as
 * opencode's are (`-1`, `1.5`, `1e3`, `0x1` and `` are all refused); `undefined` when
 * absent, `null` when malformed or beyond a safe integer.
 */
export function countParam(url: URL, name: string): number | undefined | null {
  const raw = url.searchParams.get(name)
  if (raw === null) return undefined
  const value = Number(raw)
  return /^\d+$/.test(raw) && Number.isSafeInteger(value) ? value : null
}

/** Reads, size-limits and validates a JSON body; a Response when it is refused. */
export async function parseBody<T>(request: Request, schema: z.ZodMiniType<T>): Promise<{ value: T } | Response> {
  const read = await readJson(request)
  if (!read.ok) return read.response
  const parsed = schema.safeParse(read.value)
  return parsed.success ? { value: parsed.data } : invalid(describeIssues(parsed.error.issues))
}
