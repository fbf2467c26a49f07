import { watchLock } from './locks.js'
import { tabLockName } from './messages.js'
import type { TabLocks } from './platform.js'
import { createRemoteWants } from './remote-wants.js'

/*
 * The leader's side of the wants: which other tabs need which session. Each tab that
 * wants something is watched through its own lock, which the browser grants to the
 * leader only once that tab has closed or died: crash detection without heartbeats.
 */

export interface DemandEvents {
  /** The first other tab wants `sessionID` (true), or the last one stopped (false). */
  demand(sessionID: string, wanted: boolean, fromTab: string): void
  /** `fromTab` (re)announced its want: it needs a snapshot. */
  join(sessionID: string, fromTab: string): void
}

export interface Demand {
  want(fromTab: string, sessionID: string): void
  release(fromTab: string, sessionID: string): void
  /** Forgets every want (this tab stops leading), reporting each session as unwanted because of `cause`. */
  clear(cause: string): void
  /** The number of sessions other tabs want. */
  size(): number
}

export function createDemand(locks: TabLocks, key: string, events: DemandEvents, changed: () => void): Demand {
  const wants = createRemoteWants()
  const watches = new Map<string, () => void>()

  const unwatch = (tabID: string): void => {
    watches.get(tabID)?.()
    watches.delete(tabID)
  }
  const gone = (tabID: string): void => {
    watches.delete(tabID)
    for (const sessionID of wants.dropTab(tabID)) events.demand(sessionID, false, tabID)
    changed()
  }

  return {
    want(fromTab, sessionID) {
      // Watch before counting: a tab that is already gone is dropped right after.
      if (!watches.has(fromTab)) watches.set(fromTab, watchLock(locks, tabLockName(key, fromTab), () => gone(fromTab)))
      if (wants.add(fromTab, sessionID)) events.demand(sessionID, true, fromTab)
      events.join(sessionID, fromTab)
      changed()
    },
    release(fromTab, sessionID) {
      if (wants.remove(fromTab, sessionID)) events.demand(sessionID, false, fromTab)
      if (!wants.hasTab(fromTab)) unwatch(fromTab) // nothing left to drop when it goes
      changed()
    },
    clear(cause) {
      for (const cancel of watches.values()) cancel()
      watches.clear()
      for (const sessionID of wants.clear()) events.demand(sessionID, false, cause)
    },
    size: () => wants.size(),
  }
}
