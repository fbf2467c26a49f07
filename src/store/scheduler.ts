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

/** Outside a browser, flushes of one store are at least this far apart (Node's "frame"). */
export const NODE_WINDOW_MS = 4
/** When each store's flush last ran: a store passes the same flush function every time. */
const lastFlush = new WeakMap<() => void, number>()

/**
 * Once per animation frame in a browser (a person cannot see faster), at most every NODE_WINDOW_MS
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
  // Elsewhere (Node, Bun, Deno) at most once per NODE_WINDOW_MS: a stream of small chunks,
  // one delta each, would otherwise cost a fold and a notification per chunk. An event after a
  // quiet spell is flushed in the same tick (setImmediate runs right after the pending I/O).
  const wait = (lastFlush.get(flush) ?? Number.NEGATIVE_INFINITY) + NODE_WINDOW_MS - Date.now()
  const run = () => {
    lastFlush.set(flush, Date.now())
    flush()
  }
  const host: ImmediateHost = globalThis as typeof globalThis & ImmediateHost
  if (wait <= 0 && typeof host.setImmediate === 'function' && typeof host.clearImmediate === 'function') {
    const immediate = host.setImmediate(run)
    return () => host.clearImmediate?.(immediate)
  }
  const timer = setTimeout(run, Math.max(0, wait))
  return () => clearTimeout(timer)
}
