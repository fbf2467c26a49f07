/** Runs `flush` later; returns a cancel function. */
export type FlushScheduler = (flush: () => void) => () => void

/** Node's (and Bun's, Deno's) setImmediate, looked up at call time: not in the DOM types. */
interface ImmediateHost {
  setImmediate?(callback: () => void): unknown
  clearImmediate?(handle: unknown): void
}

/**
 * A hidden tab gets no animation frames: this timer bounds how long events wait there
 * (browsers throttle timers in hidden tabs, to about 1 s, so that is the real bound).
 */
const HIDDEN_TAB_FALLBACK_MS = 100

/**
 * Once per animation frame in a browser (a person cannot see faster), once per task
 * elsewhere. Looks at globals only when called, so importing stays SSR-safe.
 */
export const defaultScheduler: FlushScheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function' && typeof cancelAnimationFrame === 'function') {
    let done = false
    const run = () => {
      if (done) return
      done = true
      cancelAnimationFrame(frame)
      clearTimeout(fallback)
      flush()
    }
    const frame = requestAnimationFrame(run)
    const fallback = setTimeout(run, HIDDEN_TAB_FALLBACK_MS)
    return () => {
      done = true
      cancelAnimationFrame(frame)
      clearTimeout(fallback)
    }
  }
  // Node clamps setTimeout(0) to 1 ms; setImmediate runs right after the pending I/O.
  const host: ImmediateHost = globalThis as typeof globalThis & ImmediateHost
  if (typeof host.setImmediate === 'function' && typeof host.clearImmediate === 'function') {
    const immediate = host.setImmediate(flush)
    return () => host.clearImmediate?.(immediate)
  }
  const timer = setTimeout(flush, 0)
  return () => clearTimeout(timer)
}
