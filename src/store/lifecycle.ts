import { onStart, onStop, STORE_UNMOUNT_DELAY, type ReadableAtom } from 'nanostores'
import type { Environment } from '../transport/environment.js'

export interface Lifecycle {
  /** Listeners across the stores right now. */
  listened(): number
  /** A close pending after the last listener left is called off (the handle closes for good). */
  cancelClose(): void
}

export interface LifecycleHooks {
  running(): boolean
  start(): void
  stop(): void
}

/**
 * When a handle's stream runs. nanostores' own onMount would open a stream for a bare `get()`
 * (it mounts the store for a moment), which during server-side rendering or a status check
 * means a request nobody listens to. So the stream opens a microtask after the first listener
 * of any of `stores`, if one is still there, and closes STORE_UNMOUNT_DELAY after the last one
 * leaves, so a React StrictMode remount (or a quick route change) reuses it.
 */
export function bindLifecycle(stores: readonly ReadableAtom<unknown>[], env: Environment, hooks: LifecycleHooks): Lifecycle {
  let listened = 0
  let opening = false
  let closeTimer: unknown
  const cancelClose = () => {
    if (closeTimer !== undefined) env.clearTimeout(closeTimer)
    closeTimer = undefined
  }
  const first = () => {
    listened++
    cancelClose()
    // Only the first listener overall opens: a connection that stopped for good (404,
    // unauthorized) is not retried just because another component subscribed.
    if (hooks.running() || opening || listened > 1) return
    opening = true
    queueMicrotask(() => {
      opening = false
      if (listened > 0) hooks.start()
    })
  }
  const last = () => {
    listened--
    if (listened > 0 || !hooks.running()) return
    closeTimer = env.setTimeout(() => {
      closeTimer = undefined
      hooks.stop()
    }, STORE_UNMOUNT_DELAY)
  }
  for (const $store of stores) {
    onStart($store, first)
    onStop($store, last)
  }
  return { listened: () => listened, cancelClose }
}
