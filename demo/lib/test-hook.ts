import type { ReadableAtom } from 'nanostores'
import type { SessionClient, SessionView } from '../../src/index.js'
import type { SessionCache } from '../../src/persist/index.js'
import type { TabRoleLabel } from './tab-role.js'

/*
 * `?hook=1` (mock mode): `window.__sessionStream`, for the browser tests to read what the SDK
 * folded (and follow a second session, as a second panel would) without scraping the page.
 * Data only: it hands plain objects to whoever calls it and puts nothing into the page.
 */

export interface ConnectionSummary {
  readonly state: string
  readonly synced: boolean
  readonly cursor: number
  readonly shape: string | undefined
  readonly error: string | undefined
}

export interface SessionStreamHook {
  /** Whether this tab leads, follows or shares nothing. */
  role(): TabRoleLabel
  /** Keeps `sessionID` followed (its stream open, or fed by the leading tab) until the page goes. Idempotent. */
  follow(sessionID: string): void
  /** The session's folded view, as plain data. */
  view(sessionID: string): SessionView
  connection(sessionID: string): ConnectionSummary
  /** The cursor of the session's entry in the page's cache (IndexedDB), or undefined: none, or no cache (`?cache=0`). */
  cachedCursor(sessionID: string): Promise<number | undefined>
}

export const HOOK_NAME = '__sessionStream'

export function installTestHook(
  client: SessionClient,
  $role: ReadableAtom<TabRoleLabel>,
  cache: { readonly store: SessionCache | undefined; readonly server: string },
): SessionStreamHook {
  const followed = new Map<string, () => void>()
  const hook: SessionStreamHook = {
    role: () => $role.get(),
    follow(sessionID) {
      if (!followed.has(sessionID)) followed.set(sessionID, client.session(sessionID).$view.listen(() => {}))
    },
    view(sessionID) {
      const view = client.session(sessionID).$view.get()
      // `messages` may be a getter over the store's lists: copied as a plain array.
      return { ...view, messages: [...view.messages] }
    },
    connection(sessionID) {
      const status = client.session(sessionID).$connection.get()
      return {
        state: status.state,
        synced: status.synced,
        cursor: status.cursor,
        shape: status.shape,
        error: status.lastError?.code,
      }
    },
    async cachedCursor(sessionID) {
      return (await cache.store?.load(cache.server, sessionID))?.cursor
    },
  }
  Reflect.set(globalThis, HOOK_NAME, hook)
  return hook
}
