import { createTabCoordinator, type TabCoordinator } from './coordinator.js'
import { browserTabPlatform, type TabPlatform } from './platform.js'

export interface ShareAcrossTabsOptions {
  /** The browser's by default (Web Locks + BroadcastChannel); tests pass fakes. */
  readonly platform?: TabPlatform | undefined
  /** How long a visible follower waits without word from the leader (frozen?) before it takes over. @default 30000 */
  readonly silenceMs?: number | undefined
}

/**
 * The `tabs` option of `createSessionClient`: the tabs of this origin elect one leader per
 * client configuration, which alone holds the connections and feeds the others. Undefined
 * where Web Locks or BroadcastChannel are missing (Node, old browsers, some workers): each
 * client then connects on its own, as without the option.
 */
export function shareAcrossTabs(options: ShareAcrossTabsOptions = {}): ((key: string) => TabCoordinator) | undefined {
  const platform = options.platform ?? browserTabPlatform()
  if (platform === undefined) return undefined
  return (key) => createTabCoordinator({ key, platform, silenceMs: options.silenceMs })
}
