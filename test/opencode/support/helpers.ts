import type { ReadableAtom } from 'nanostores'
import { foldEvents, type AssistantMessage, type DurableEvent, type Message, type SessionView } from '../../../src/index.js'
import type { OpencodeServer } from './server.js'

/** Resolves with the atom's value once `predicate` holds; rejects after `ms` with `describe(value)`. */
export function waitFor<T>(
  $store: ReadableAtom<T>,
  predicate: (value: T) => boolean,
  ms: number,
  describe: (value: T) => string = (value) => JSON.stringify(value, null, 1).slice(0, 4000),
): Promise<T> {
  return new Promise((resolve, reject) => {
    let unlisten: (() => void) | undefined
    const timer = setTimeout(() => {
      unlisten?.()
      reject(new Error(`condition not met within ${ms} ms; last value:\n${describe($store.get())}`))
    }, ms)
    const check = (value: T) => {
      if (!predicate(value)) return false
      clearTimeout(timer)
      // Deferred: nanostores may still be inside the listener that called us.
      queueMicrotask(() => unlisten?.())
      resolve(value)
      return true
    }
    unlisten = $store.subscribe((value) => void check(value))
  })
}

export const assistants = (view: SessionView): AssistantMessage[] =>
  view.messages.filter((message): message is AssistantMessage => message.role === 'assistant')

/** The turn answering the `nth` user message (0-based): its assistant steps, in order. */
export function turn(view: SessionView, nth: number): { readonly user: Message | undefined; readonly steps: AssistantMessage[] } {
  let users = -1
  let user: Message | undefined
  const steps: AssistantMessage[] = []
  for (const message of view.messages) {
    if (message.role === 'user') {
      users++
      if (users === nth) user = message
    } else if (message.role === 'assistant' && users === nth) steps.push(message)
  }
  return { user, steps }
}

/** The turn answering the `nth` prompt ended with a `stop` step and the session is idle again. */
export const turnDone = (nth: number) => (view: SessionView) =>
  view.activity === 'idle' && turn(view, nth).steps.at(-1)?.finish === 'stop'

/** Every durable row of a session, from `GET /api/session/:id/history` pages. */
export async function fetchHistory(server: OpencodeServer, sessionID: string): Promise<DurableEvent[]> {
  const rows: DurableEvent[] = []
  for (;;) {
    const after = rows.at(-1)?.durable.seq
    const query = after === undefined ? 'limit=100' : `after=${after}&limit=100`
    const response = await fetch(`${server.url}/api/session/${sessionID}/history?${query}`, {
      headers: server.headers,
      signal: AbortSignal.timeout(10_000),
    })
    if (!response.ok) throw new Error(`history answered ${response.status}: ${await response.text()}`)
    const page = (await response.json()) as { data: DurableEvent[]; hasMore: boolean }
    rows.push(...page.data)
    if (!page.hasMore || page.data.length === 0) return rows
  }
}

/** What a fresh view must equal: the log folded, then the snapshot a caught-up client got. */
export function foldedHistory(sessionID: string, rows: readonly DurableEvent[]): SessionView {
  const cutoff = rows.at(-1)?.durable.seq ?? -1
  return foldEvents([...rows, { id: 'x', type: 'session.activity', data: { timestamp: 0, sessionID, status: 'idle', cutoff } }])
}

/** The same comparison the mock-server tests use: incomplete parts' text is the client's own. */
export { comparable } from '../../support/convergence.js'

export interface EventStreamCounter {
  readonly fetch: typeof fetch
  /** `/api/event` requests made so far. */
  started(): number
  /** `/api/event` requests open now (not aborted, failed or ended). */
  open(): number
  /** The most that were ever open at once. */
  maxOpen(): number
}

/** A `fetch` for the client that counts its server-wide `/api/event` requests. */
export function countEventStreams(): EventStreamCounter {
  let started = 0
  let open = 0
  let maxOpen = 0
  const wrapped = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    if (url.pathname !== '/api/event') return fetch(input, init)
    started++
    open++
    maxOpen = Math.max(maxOpen, open)
    let done = false
    const finish = () => {
      if (done) return
      done = true
      open--
    }
    init?.signal?.addEventListener('abort', finish, { once: true })
    try {
      const response = await fetch(input, init)
      if (response.body === null) {
        finish()
        return response
      }
      const reader = response.body.getReader()
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const { done: ended, value } = await reader.read()
            if (ended) {
              finish()
              controller.close()
            } else controller.enqueue(value)
          } catch (error) {
            finish()
            controller.error(error)
          }
        },
        cancel(reason) {
          finish()
          return reader.cancel(reason)
        },
      })
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
    } catch (error) {
      finish()
      throw error
    }
  }
  return { fetch: wrapped as typeof fetch, started: () => started, open: () => open, maxOpen: () => maxOpen }
}
