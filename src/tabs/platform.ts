/**
 * The slice of the web platform the tab coordinator uses, injected so tests run it on
 * in-memory fakes and so importing it in Node, a worker or during SSR touches no global:
 * `browserTabPlatform()` looks at globals only when it is called.
 */

/** The subset of `navigator.locks` (LockManager) used: `request` with options. */
export interface TabLocks {
  request(
    name: string,
    options: { mode?: 'exclusive'; ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown> | unknown,
  ): Promise<unknown>
}

export type TabChannelListener = (event: { data: unknown }) => void

/** The subset of a `BroadcastChannel` used. */
export interface TabChannel {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: TabChannelListener): void
  removeEventListener(type: 'message', listener: TabChannelListener): void
  close(): void
}

export interface TabPlatform {
  readonly locks: TabLocks
  channel(name: string): TabChannel
  /** A fresh id for this tab, unique across the origin (used in lock names, so no secrets). */
  newTabID(): string
  isVisible(): boolean
  /** Calls back each time the tab becomes visible. Returns an unsubscribe. */
  onVisible(callback: () => void): () => void
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

interface VisibilityDocument {
  readonly visibilityState?: string
  addEventListener(type: 'visibilitychange', listener: () => void): void
  removeEventListener(type: 'visibilitychange', listener: () => void): void
}

const globalDocument = (): VisibilityDocument | undefined =>
  typeof document === 'undefined' || typeof document.addEventListener !== 'function' ? undefined : document

// Web Locks exist only in secure contexts, where randomUUID does too; the fallback is for
// odd embeddings, and still unguessable enough for an id that is no secret.
const randomTabID = (): string => {
  const crypto = globalThis.crypto
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID()
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/**
 * The browser's, or undefined where `navigator.locks` or `BroadcastChannel` is missing
 * (Node, old browsers, some workers): the caller then connects on its own. Without a
 * document (a worker) the tab counts as always visible.
 */
export function browserTabPlatform(): TabPlatform | undefined {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator as { locks?: TabLocks }).locks
  if (typeof locks?.request !== 'function' || typeof BroadcastChannel !== 'function') return undefined
  const visible = (): boolean => globalDocument()?.visibilityState !== 'hidden'
  return {
    locks,
    channel: (name) => new BroadcastChannel(name),
    newTabID: randomTabID,
    isVisible: visible,
    onVisible: (callback) => {
      const doc = globalDocument()
      if (doc === undefined) return () => {}
      const listener = (): void => {
        if (visible()) callback()
      }
      doc.addEventListener('visibilitychange', listener)
      return () => doc.removeEventListener('visibilitychange', listener)
    },
    now: () => Date.now(),
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  }
}
