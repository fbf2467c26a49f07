import { atom, type ReadableAtom } from 'nanostores'
import type { TabCoordinator } from '../../src/tabs/index.js'

/*
 * Whether this tab holds the connections for the other tabs of the origin (`leads`), folds
 * what the leading tab feeds it (`follows`), or shares nothing (`alone`: `?tabs=0`, or a
 * browser without Web Locks or BroadcastChannel). The SDK's `tabs` option takes a factory of
 * coordinators; the demo wraps it to watch the role of the one its client makes.
 */

export type TabRoleLabel = 'leads' | 'follows' | 'alone'

/** What `shareAcrossTabs()` returns: a coordinator per client configuration, or undefined where tabs cannot share. */
export type CoordinatorFactory = (key: string) => TabCoordinator

export interface TabRoleWatch {
  readonly $role: ReadableAtom<TabRoleLabel>
  /** The factory to hand to `createSessionClient({ tabs })`, or undefined (then `$role` stays `alone`). */
  readonly tabs: ((key: string) => TabCoordinator | undefined) | undefined
}

const label = (coordinator: TabCoordinator): TabRoleLabel => (coordinator.role() === 'leader' ? 'leads' : 'follows')

/**
 * Watches the role of the latest coordinator `factory` made: a page that makes a new client
 * (opencode mode, pointed elsewhere) shows the new client's role, not the closed one's. A tab
 * that waits for the leader lock is `follows` until it is granted: the coordinator does not
 * tell "queued behind a leader" from "electing", and either way this tab holds no connection.
 */
export function watchTabRole(factory: CoordinatorFactory | undefined): TabRoleWatch {
  const $role = atom<TabRoleLabel>('alone')
  if (factory === undefined) return { $role, tabs: undefined }
  let current: TabCoordinator | undefined
  return {
    $role,
    tabs: (key) => {
      const coordinator = factory(key)
      current = coordinator
      $role.set(label(coordinator))
      coordinator.onRole(() => {
        if (current === coordinator) $role.set(label(coordinator))
      })
      return coordinator
    },
  }
}
