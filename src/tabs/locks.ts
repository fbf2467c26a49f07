import type { TabLocks } from './platform.js'

/**
 * The two ways the coordinator uses Web Locks. A lock is held for as long as the promise
 * its callback returned is pending, and the browser releases it when the holder's tab
 * goes away, however it goes: that is what makes these locks a crash detector.
 */

export interface HeldLock {
  /** Lets go of the lock if held, or withdraws the request if still queued. Idempotent. */
  release(): void
}

export interface HoldHandlers {
  /** Take the lock from its holder at once (the holder is told through its `onLost`). */
  readonly steal?: boolean
  onGranted(): void
  /** Another tab stole the lock while this one held it. */
  onLost(): void
  /** The request failed before it was granted (an opaque origin, a platform refusal). */
  onFailed(error: unknown): void
}

const noop = (): void => {}

/** Requests `name` exclusively and holds it until `release()`. */
export function holdLock(locks: TabLocks, name: string, handlers: HoldHandlers): HeldLock {
  let state: 'queued' | 'held' | 'done' = 'queued'
  let unhold = noop
  // The platform refuses a signal together with `steal`; a steal is granted at once anyway.
  const controller = handlers.steal === true ? undefined : new AbortController()
  const options = controller === undefined ? { steal: true } : { signal: controller.signal }
  locks
    .request(name, options, () => {
      if (state === 'done') return undefined
      state = 'held'
      const held = new Promise<void>((resolve) => (unhold = resolve))
      handlers.onGranted()
      return held
    })
    .then(
      () => {
        state = 'done'
      },
      (error: unknown) => {
        const previous = state
        state = 'done'
        unhold()
        // A request withdrawn by release() rejects too: that one is nobody's news.
        if (previous === 'held') handlers.onLost()
        else if (previous === 'queued') handlers.onFailed(error)
      },
    )
  return {
    release() {
      const previous = state
      state = 'done'
      if (previous === 'queued') controller?.abort()
      else if (previous === 'held') unhold()
    },
  }
}

/**
 * Calls `onFree` once `name` can be taken, which for a tab's own lock means that tab has
 * closed or died. Returns a cancel that withdraws the request.
 */
export function watchLock(locks: TabLocks, name: string, onFree: () => void): () => void {
  const controller = new AbortController()
  let done = false
  locks
    .request(name, { signal: controller.signal }, () => {
      if (done) return
      done = true
      onFree()
    })
    .catch(() => {}) // withdrawn by cancel, or refused: either way nothing to report
  return () => {
    if (done) return
    done = true
    controller.abort()
  }
}
