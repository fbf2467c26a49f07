import type { FlushScheduler, SessionHandle, SessionView } from '../../src/index.js'
import { createSessionClient } from './sdk.js'

/** Flushes once per task (setImmediate), the Node analogue of once per frame. */
export const perTask: FlushScheduler = (flush) => {
  const timer = setImmediate(flush)
  return () => clearImmediate(timer)
}

export interface Follower {
  readonly handle: SessionHandle
  /** `$view` notifications so far. */
  readonly notifications: number
  /** Resolves with the first view (current or notified) that satisfies `predicate`. */
  until(predicate: (view: SessionView) => boolean): Promise<SessionView>
  close(): void
}

export interface FollowOptions {
  readonly fetch?: typeof fetch
  readonly baseUrl?: string
  readonly sessionID?: string
  /** @default perTask; pass null for the SDK's default scheduler. */
  readonly scheduler?: FlushScheduler | null
  readonly onView?: (view: SessionView) => void
}

/** Opens a client on one session and keeps one `$view` listener on it. */
export function follow(options: FollowOptions): Follower {
  const client = createSessionClient({
    baseUrl: options.baseUrl ?? 'http://bench.invalid',
    fetch: options.fetch,
    scheduler: options.scheduler === null ? undefined : (options.scheduler ?? perTask),
    backoff: { initialDelay: 1, maxDelay: 2 },
  })
  const handle = client.session(options.sessionID ?? 'ses_bench0000000000000001')
  const waiters = new Set<(view: SessionView) => void>()
  let notifications = 0
  const stop = handle.$view.listen((view) => {
    notifications++
    options.onView?.(view)
    for (const waiter of waiters) waiter(view)
  })
  return {
    handle,
    get notifications() {
      return notifications
    },
    until(predicate) {
      const current = handle.$view.get()
      if (predicate(current)) return Promise.resolve(current)
      return new Promise((resolve) => {
        const waiter = (view: SessionView) => {
          if (!predicate(view)) return
          waiters.delete(waiter)
          resolve(view)
        }
        waiters.add(waiter)
      })
    },
    close() {
      stop()
      client.close()
    },
  }
}
