import { http, type HttpHandler } from 'msw'
import type { MockEngine } from './engine/types.js'

export interface MockHandlersOptions {
  /** Origin (and optional path prefix) the handlers answer, e.g. `http://mock.test`. */
  readonly baseUrl: string
}

/**
 * MSW 2 handlers that delegate every route to the engine. Streams are plain
 * `ReadableStream` responses (msw's `sse()` needs a global EventSource and hides the bytes).
 *
 * Cancellation, as observed with msw 2.15 on Node 20: a client `reader.cancel()` reaches
 * the engine's stream, but aborting the fetch does not cancel a mocked body at all. The
 * engine also listens to `request.signal`, which does follow the client's abort as long as
 * the Request object is alive, so the engine holds it while the stream is open.
 */
export function createMockHandlers(engine: MockEngine, options: MockHandlersOptions): HttpHandler[] {
  const base = options.baseUrl.replace(/\/+$/, '')
  const resolver = ({ request }: { request: Request }): Promise<Response> => engine.handle(request)
  return [http.all(`${base}/api/*`, resolver), http.all(`${base}/__mock/*`, resolver)]
}
