/**
 * Everything the connection needs from its surroundings, injectable so every reconnect
 * path runs under fake timers and fake online/visibility signals in tests. The defaults
 * look at globals lazily (inside functions, never at import), so importing the SDK in
 * Node, a worker or during SSR touches no `window` or `document`.
 */
export interface Environment {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  random(): number
  /** `navigator.onLine`; true where unknown. */
  isOnline(): boolean
  /** Calls back with true on `online`, false on `offline`. Returns an unsubscribe. */
  onOnlineChange(callback: (online: boolean) => void): () => void
  onVisibilityChange(callback: (visible: boolean) => void): () => void
}

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void
  removeEventListener(type: string, listener: () => void): void
}

const listen = (target: EventTargetLike | undefined, type: string, listener: () => void): (() => void) => {
  if (target === undefined) return () => {}
  target.addEventListener(type, listener)
  return () => target.removeEventListener(type, listener)
}

const globalWindow = (): EventTargetLike | undefined =>
  typeof window === 'undefined' || typeof window.addEventListener !== 'function' ? undefined : window

const globalDocument = (): (EventTargetLike & { visibilityState?: string }) | undefined =>
  typeof document === 'undefined' || typeof document.addEventListener !== 'function' ? undefined : document

export function defaultEnvironment(): Environment {
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: Math.random,
    isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false,
    onOnlineChange: (callback) => {
      const target = globalWindow()
      const offOnline = listen(target, 'online', () => callback(true))
      const offOffline = listen(target, 'offline', () => callback(false))
      return () => {
        offOnline()
        offOffline()
      }
    },
    onVisibilityChange: (callback) => {
      const doc = globalDocument()
      return listen(doc, 'visibilitychange', () => callback(doc?.visibilityState !== 'hidden'))
    },
  }
}
