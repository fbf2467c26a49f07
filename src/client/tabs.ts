import type { SessionHandle } from '../store/session-store.js'
import type { TabShare } from '../store/share.js'
import type { TabCoordinator } from '../tabs/coordinator.js'

/** `shareAcrossTabs()` from session-stream/tabs: a coordinator per client configuration, or none. */
export type TabsOption = (key: string) => TabCoordinator | undefined

export interface ClientTabs {
  readonly share: TabShare
  /** A handle closed: if other tabs still want its session, a new handle leads it for them. */
  closed(sessionID: string): void
  close(): void
}

/**
 * Wires one client's handles to the tabs of its origin. The leading tab keeps a session's
 * stream open while any other tab wants it (another tab's want holds the handle as a listener
 * would), answers a joining tab with a snapshot, and every handle switches between its own
 * connection and the leader's feed when this tab's role changes.
 */
export function connectTabs(
  coordinator: TabCoordinator,
  handles: ReadonlyMap<string, SessionHandle>,
  session: (sessionID: string) => SessionHandle,
): ClientTabs {
  const joins = new Map<string, Set<() => void>>()
  /** Sessions other tabs want from us, held open by a listener each. */
  const demand = new Map<string, () => void>()
  const hold = (sessionID: string) => demand.set(sessionID, session(sessionID).$view.listen(() => {}))
  const dropDemand = (sessionID: string) => {
    demand.get(sessionID)?.()
    demand.delete(sessionID)
  }
  const offs = [
    coordinator.onDemand((sessionID, wanted) => {
      if (!wanted) dropDemand(sessionID)
      else if (!demand.has(sessionID)) hold(sessionID)
    }),
    coordinator.onJoin((sessionID) => {
      for (const join of joins.get(sessionID) ?? []) join()
    }),
    coordinator.onRole((role) => {
      if (role === 'follower') for (const sessionID of Array.from(demand.keys())) dropDemand(sessionID)
      // Each handle goes from its own connection to the leader's feed, or back, from its cursor.
      for (const handle of handles.values()) handle.reconnect()
    }),
  ]
  return {
    share: {
      leads: () => coordinator.role() === 'leader',
      want: (sessionID, listener) => coordinator.want(sessionID, listener),
      publish(sessionID, message) {
        try {
          return coordinator.publish(sessionID, message)
        } catch {
          // A closed channel (the tab is going away) or a message that cannot be cloned: the
          // other tabs notice the silence (or the leader lock) and take over; this tab's own
          // store is unaffected.
          return false
        }
      },
      joined(sessionID, listener) {
        const set = joins.get(sessionID) ?? new Set()
        joins.set(sessionID, set.add(listener))
        return () => {
          set.delete(listener)
          if (set.size === 0) joins.delete(sessionID)
        }
      },
    },
    closed(sessionID) {
      if (!demand.has(sessionID)) return
      demand.delete(sessionID)
      hold(sessionID)
    },
    close() {
      for (const off of offs) off()
      for (const sessionID of Array.from(demand.keys())) dropDemand(sessionID)
      coordinator.close()
    },
  }
}
