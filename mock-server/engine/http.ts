/*
 * Small HTTP helpers shared by the routes. Fetch-API only (no node: imports), so the
 * engine runs unchanged behind node:http and behind MSW in a browser.
 */

export type ErrorCode =
  | 'bad-request'
  | 'invalid-body'
  | 'unauthorized'
  | 'not-found'
  | 'session-not-found'
  | 'method-not-allowed'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'unavailable'
  | 'internal'

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  })

export const error = (status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): Response =>
  json(status, { error: { code, message } }, headers)

const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS'
// Only what the client sends: the bearer token, the reconnect header some clients add, JSON bodies.
const ALLOWED_HEADERS = 'authorization, last-event-id, content-type'

/**
 * Reflects the caller's Origin (any page may use the mock) without credentials: the
 * token travels in a header, never in a cookie, so `Allow-Credentials` is not needed.
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

/**
 * Only the Authorization header counts. A token in the URL (`?token=`, `?access_token=`)
 * would end up in logs, history and Referer headers, so it never authenticates.
 */
export function authorize(request: Request, token: string | undefined): Response | undefined {
  if (token === undefined) return undefined
  const header = request.headers.get('authorization') ?? ''
  const match = /^Bearer +(\S+)$/i.exec(header.trim())
  if (match?.[1] !== undefined && constantTimeEqual(match[1], token)) return undefined
  return error(401, 'unauthorized', 'a valid bearer token is required', { 'WWW-Authenticate': 'Bearer' })
}

export const MAX_BODY_BYTES = 64 * 1024

export type BodyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly response: Response }

/** Reads a JSON body, refusing more than `limit` bytes without buffering past the limit. */
export async function readJson(request: Request, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const tooLarge = (): BodyResult => ({
    ok: false,
    response: error(413, 'payload-too-large', `request body exceeds ${limit} bytes`),
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
    return { ok: false, response: error(400, 'invalid-body', 'request body is not valid JSON') }
  }
}

/** Parses an integer query parameter; `undefined` when absent, `null` when malformed. */
export function intParam(url: URL, name: string): number | undefined | null {
  const raw = url.searchParams.get(name)
  if (raw === null) return undefined
  return /^-?\d{1,15}$/.test(raw) ? Number(raw) : null
}
