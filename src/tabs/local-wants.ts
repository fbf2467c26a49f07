/**
 * This tab's own wants: a reference count per session, one entry per `want()` call with
 * its listener. Pure, no I/O; the caller announces a session on its first reference and
 * releases it on its last.
 */
export type SessionListener = (message: unknown) => void

export interface LocalWants {
  /** Adds a reference; `first` when the session was not wanted before. `release` is idempotent and says whether it dropped the last reference. */
  add(sessionID: string, listener: SessionListener): { readonly first: boolean; readonly release: () => boolean }
  has(sessionID: string): boolean
  /** A copy, so a listener that releases or wants during delivery does not disturb it. */
  listeners(sessionID: string): SessionListener[]
  sessions(): string[]
  clear(): void
}

export function createLocalWants(): LocalWants {
  // One object per reference, so wanting twice with the same function counts twice.
  const wants = new Map<string, Set<{ readonly listener: SessionListener }>>()
  return {
    add(sessionID, listener) {
      const entry = { listener }
      let entries = wants.get(sessionID)
      const first = entries === undefined
      if (entries === undefined) wants.set(sessionID, (entries = new Set()))
      entries.add(entry)
      let released = false
      const release = (): boolean => {
        if (released) return false
        released = true
        const current = wants.get(sessionID)
        if (current === undefined || !current.delete(entry) || current.size > 0) return false
        wants.delete(sessionID)
        return true
      }
      return { first, release }
    },
    has: (sessionID) => wants.has(sessionID),
    listeners: (sessionID) => Array.from(wants.get(sessionID) ?? [], (entry) => entry.listener),
    sessions: () => [...wants.keys()],
    clear: () => wants.clear(),
  }
}
