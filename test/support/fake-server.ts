import { bytes, frame } from './events.js'
import type { SessionEvent } from '../../src/protocol/events.js'

export interface RecordedRequest {
  readonly url: URL
  readonly headers: Headers
  readonly signal: AbortSignal
}

const safe = (fn: () => void) => {
  try {
    fn()
  } catch {
    // the client already cancelled this stream
  }
}

/** A server-side handle on one open event stream. */
export interface FakeStream {
  send(...events: (SessionEvent | object)[]): void
  raw(text: string | Uint8Array): void
  comment(text?: string): void
  end(): void
  fail(error?: Error): void
  readonly aborted: boolean
}

export type Responder = (request: RecordedRequest) => Response | Promise<Response>

/**
 * A `fetch` that answers from a script: each call takes the next responder, or opens an
 * event stream the test drives by hand. Every request is recorded, signal included, so
 * a test can prove that nothing stays open.
 */
export function createFakeServer() {
  const requests: RecordedRequest[] = []
  const streams: FakeStream[] = []
  const script: Responder[] = []

  const openStream = (request: RecordedRequest): Response => {
    let controller!: ReadableStreamDefaultController<Uint8Array>
    let aborted = false
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c
      },
      cancel: () => {
        aborted = true
      },
    })
    request.signal.addEventListener('abort', () => {
      aborted = true
      safe(() => controller.error(new DOMException('aborted', 'AbortError')))
    })
    streams.push({
      send: (...events) => safe(() => controller.enqueue(bytes(events.map(frame).join('')))),
      raw: (text) => safe(() => controller.enqueue(typeof text === 'string' ? bytes(text) : text)),
      comment: (text = 'heartbeat') => safe(() => controller.enqueue(bytes(`: ${text}\n\n`))),
      end: () => safe(() => controller.close()),
      fail: (error = new TypeError('network reset')) => safe(() => controller.error(error)),
      get aborted() {
        return aborted
      },
    })
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } })
  }

  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request: RecordedRequest = {
      url: new URL(String(input)),
      headers: new Headers(init?.headers),
      signal: init?.signal ?? new AbortController().signal,
    }
    requests.push(request)
    const responder = script.shift()
    return responder === undefined ? openStream(request) : responder(request)
  }

  return {
    fetch: fetch as typeof globalThis.fetch,
    requests,
    streams,
    /** The next calls get these answers, in order; then streams again. */
    respond: (...responders: Responder[]) => script.push(...responders),
    get last(): FakeStream {
      const stream = streams.at(-1)
      if (stream === undefined) throw new Error('no stream was opened')
      return stream
    },
    afterOf: (index: number) => requests[index]?.url.searchParams.get('after'),
  }
}

export const status = (code: number, headers: Record<string, string> = {}, body?: unknown): Responder => () =>
  new Response(body === undefined || code === 204 ? null : JSON.stringify(body), {
    status: code,
    headers: { 'content-type': 'application/json', ...headers },
  })

export const html = (): Responder => () => new Response('<html>login</html>', { status: 200, headers: { 'content-type': 'text/html' } })

/** Accepts the request and never answers, until the client aborts. */
export const hang = (): Responder => (request) =>
  new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))

export const networkError = (): Responder => () => Promise.reject(new TypeError('fetch failed'))
