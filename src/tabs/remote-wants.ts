/**
 * The leader's record of which OTHER tabs want which session: pure, no I/O. Each method
 * reports the sessions whose demand flipped, so the caller fires onDemand exactly once
 * per flip, however many tabs come and go.
 */
export interface RemoteWants {
  /** True when `tabID` is the first tab to want `sessionID`. */
  add(tabID: string, sessionID: string): boolean
  /** True when `tabID` was the last tab that wanted `sessionID`. */
  remove(tabID: string, sessionID: string): boolean
  /** Forgets a tab that is gone; returns the sessions nobody wants any more. */
  dropTab(tabID: string): string[]
  /** Forgets everything; returns every session that was wanted. */
  clear(): string[]
  hasTab(tabID: string): boolean
  /** The number of sessions some other tab wants. */
  size(): number
  tabsWanting(sessionID: string): ReadonlySet<string>
}

const NONE: ReadonlySet<string> = new Set()

/** Adds `value` under `key`; true when `key` is new. */
const link = <K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean => {
  const set = map.get(key)
  if (set === undefined) {
    map.set(key, new Set([value]))
    return true
  }
  set.add(value)
  return false
}
/** Removes `value` from `key`; true when that emptied `key`. */
const unlink = <K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean => {
  const set = map.get(key)
  if (set === undefined || !set.delete(value)) return false
  if (set.size === 0) map.delete(key)
  return set.size === 0
}

export function createRemoteWants(): RemoteWants {
  const bySession = new Map<string, Set<string>>()
  const byTab = new Map<string, Set<string>>()

  const remove = (tabID: string, sessionID: string): boolean => {
    if (!bySession.get(sessionID)?.has(tabID)) return false
    unlink(byTab, tabID, sessionID)
    return unlink(bySession, sessionID, tabID)
  }

  return {
    add(tabID, sessionID) {
      if (bySession.get(sessionID)?.has(tabID)) return false
      link(byTab, tabID, sessionID)
      return link(bySession, sessionID, tabID)
    },
    remove,
    dropTab(tabID) {
      const sessions = [...(byTab.get(tabID) ?? [])]
      return sessions.filter((sessionID) => remove(tabID, sessionID))
    },
    clear() {
      const sessions = [...bySession.keys()]
      bySession.clear()
      byTab.clear()
      return sessions
    },
    hasTab: (tabID) => byTab.has(tabID),
    size: () => bySession.size,
    tabsWanting: (sessionID) => bySession.get(sessionID) ?? NONE,
  }
}
