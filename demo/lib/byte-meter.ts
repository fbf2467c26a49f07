/*
 * When the page last received a byte, per stream, measured on the wire. The SDK's
 * `$connection.lastByteAt` moves only when something else in the status is published, so a
 * stream that carries nothing but heartbeats looks quiet there although it is alive. The
 * health panel needs the truth to tell a quiet stream from a stalled one: the page hands the
 * SDK a `fetch` that passes every event-stream body through unchanged and notes the time of
 * each chunk.
 */

/** The server-wide stream (`GET /api/event`): on a split server its heartbeats vouch for every session. */
export const SERVER_STREAM = '*server'

const SESSION_STREAM = /\/api\/session\/([^/]+)\/event$/
const SERVER_EVENTS = /\/api\/event$/

export interface ByteMeter {
  /** A `fetch` for `createSessionClient`: the same answers, event-stream bodies watched. */
  readonly fetch: typeof fetch
  /**
   * Epoch ms of the last body byte on the session's stream (or `SERVER_STREAM`), undefined
   * before any. Headers do not count: a stalled server may answer each new request and then
   * write nothing, and each answer would otherwise look like life.
   */
  lastByteAt(stream: string): number | undefined
}

/** Which stream a request opens: a session id, `SERVER_STREAM`, or undefined for any other request. */
export function streamOf(input: RequestInfo | URL): string | undefined {
  const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  let path: string
  try {
    path = new URL(raw, 'http://localhost').pathname
  } catch {
    return undefined
  }
  const session = SESSION_STREAM.exec(path)
  if (session !== null) return decodeURIComponent(session[1]!)
  return SERVER_EVENTS.test(path) ? SERVER_STREAM : undefined
}

export function createByteMeter(
  inner: typeof fetch = (input, init) => globalThis.fetch(input, init),
  now: () => number = Date.now,
): ByteMeter {
  const last = new Map<string, number>()
  const seen = (stream: string) => last.set(stream, now())

  const watched: typeof fetch = async (input, init) => {
    const response = await inner(input, init)
    const stream = streamOf(input)
    const type = response.headers.get('content-type') ?? ''
    if (stream === undefined || response.status !== 200 || response.body === null || !type.includes('text/event-stream')) {
      return response
    }
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen(stream)
          controller.enqueue(chunk)
        },
      }),
    )
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
  }

  return { fetch: watched, lastByteAt: (stream) => last.get(stream) }
}
