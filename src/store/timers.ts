import type { Environment } from '../transport/environment.js'

/**
 * Activity is only as true as the connection that vouches for it: once it has been unable to
 * (no snapshot on the current attempt) for `ms`, `stale` runs, unless `vouched` says otherwise
 * by then.
 */
export function createStaleWatch(env: Environment, ms: number, vouched: () => boolean, stale: () => void) {
  let timer: unknown
  const cancel = () => {
    if (timer !== undefined) env.clearTimeout(timer)
    timer = undefined
  }
  return {
    /** Armed while nothing vouches and there is a run to go stale; disarmed otherwise. */
    watch(synced: boolean, alreadyUnknown: boolean) {
      if (synced || alreadyUnknown) return cancel()
      timer ??= env.setTimeout(() => {
        timer = undefined
        if (!vouched()) stale()
      }, ms)
    },
    cancel,
  }
}

/** At most one run of something per `ms`: a later request waits for the rest of the interval. */
export function createThrottle(env: Environment, ms: number) {
  let timer: unknown
  let at = Number.NEGATIVE_INFINITY
  const cancel = () => {
    if (timer !== undefined) env.clearTimeout(timer)
    timer = undefined
  }
  return {
    /** Whether the interval since the last run is over. */
    ready: (now: number): boolean => now - at >= ms,
    /** Runs `callback` when the interval is over (once, however often asked). */
    later(now: number, callback: () => void) {
      timer ??= env.setTimeout(() => {
        timer = undefined
        callback()
      }, ms - (now - at))
    },
    /** A run happened now: the interval starts again, nothing is left waiting. */
    ran(now: number) {
      cancel()
      at = now
    },
    cancel,
  }
}
