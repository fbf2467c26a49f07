import { http, type HttpHandler, type LifeCycleEventsMap } from 'msw'
import type { MockEngine } from './engine/types.js'

export interface MockHandlersOptions {
  /** Origin the handlers answer, e.g. `http://mock.test` (routes live at its root). */
  readonly baseUrl: string
}

/**
 * MSW 2 handlers that delegate every route to the engine. Streams are plain
 * `ReadableStream` responses (msw's `sse()` needs a global EventSource and hides the bytes).
 *
 * Cancellation, as observed with msw 2.15 on Node 20:
 * - aborting the client's fetch does not cancel a mocked body; the engine also listens to
 *   `request.signal`, which follows the client's abort while the Request object is alive,
 *   so the engine holds the request for as long as its stream is open;
 * - a client `reader.cancel()` only reaches the engine once msw's unread response clone is
 *   gone too: call `releaseResponseClones(server.events)` (below) next to these handlers,
 *   or use `setupMockServer` from mock-server/msw-node.ts, which does both.
 */
export function createMockHandlers(engine: MockEngine, options: MockHandlersOptions): HttpHandler[] {
  const base = options.baseUrl.replace(/\/+$/, '')
  const resolver = ({ request }: { request: Request }): Promise<Response> => engine.handle(request)
  return [http.all(`${base}/api/*`, resolver), http.all(`${base}/session/*`, resolver), http.all(`${base}/__mock/*`, resolver)]
}

const release = ({ response }: LifeCycleEventsMap['response:mocked'][0]): void => {
  void response.body?.cancel('unread msw response clone').catch(() => {})
}

/** The part of `server.events` / `worker.events` this needs. */
export interface MockedResponseEvents {
  on(type: 'response:mocked', listener: (...args: LifeCycleEventsMap['response:mocked']) => void): void
  removeListener(type: 'response:mocked', listener: (...args: LifeCycleEventsMap['response:mocked']) => void): void
}

/**
 * msw's interceptor clones every mocked response for its `response:mocked` listeners, and
 * cloning tees the body. A tee cancels its source only when BOTH branches are cancelled,
 * and it buffers every chunk for the branch nobody reads. Until the clone is garbage
 * collected, a client's `reader.cancel()` hangs, the engine keeps a dead subscriber, and
 * the unread branch grows. Cancelling the clone at once fixes all three. Returns a dispose.
 */
export function releaseResponseClones(events: MockedResponseEvents): () => void {
  events.on('response:mocked', release)
  return () => events.removeListener('response:mocked', release)
}
