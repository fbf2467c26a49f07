/** Runs `flush` later; returns a cancel function. */
export type FlushScheduler = (flush: () => void) => () => void

/** A hidden tab gets no animation frames: this bounds how long events can wait there. */
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
  const timer = setTimeout(flush, 0)
  return () => clearTimeout(timer)
}
