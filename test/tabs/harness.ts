import { afterEach } from 'vitest'
import { createTabCoordinator, type TabCoordinator, type TabRole } from '../../src/tabs/coordinator.js'
import { createFakeWorld, type FakeTab, type FakeWorld } from './fakes.js'

/** A coordinator on a fake tab, with everything it reported recorded in order. */
export interface Opened {
  readonly tab: FakeTab
  readonly coordinator: TabCoordinator
  readonly roles: TabRole[]
  /** `sessionID:true|false:fromTab` per onDemand call. */
  readonly demand: string[]
  /** `sessionID:fromTab` per onJoin call. */
  readonly joins: string[]
  /** Messages received per session through want(). */
  readonly received: Map<string, unknown[]>
  /** want() that records what arrives; returns the release. */
  want(sessionID: string): () => void
}

export const SILENCE = 3000

let worlds: { world: FakeWorld; coordinators: TabCoordinator[] }[] = []
afterEach(() => {
  for (const { coordinators } of worlds) for (const coordinator of coordinators) coordinator.close()
  worlds = []
})

/** The tabIDs of the tabs that say they lead. */
const leaders = (tabs: readonly Opened[]): string[] => tabs.filter((t) => t.coordinator.role() === 'leader').map((t) => t.coordinator.tabID)

export function createHarness() {
  const world = createFakeWorld()
  const coordinators: TabCoordinator[] = []
  worlds.push({ world, coordinators })
  const open = (options: { name?: string; key?: string; tab?: FakeTab; visible?: boolean } = {}): Opened => {
    const tab = options.tab ?? world.tab(options.name, options.visible ?? true)
    const coordinator = createTabCoordinator({ key: options.key ?? 'k', platform: tab.platform, silenceMs: SILENCE })
    coordinators.push(coordinator)
    const roles: TabRole[] = []
    const demand: string[] = []
    const joins: string[] = []
    const received = new Map<string, unknown[]>()
    coordinator.onRole((role) => roles.push(role))
    coordinator.onDemand((sessionID, wanted, fromTab) => demand.push(`${sessionID}:${wanted}:${fromTab}`))
    coordinator.onJoin((sessionID, fromTab) => joins.push(`${sessionID}:${fromTab}`))
    const want = (sessionID: string): (() => void) => {
      if (!received.has(sessionID)) received.set(sessionID, [])
      return coordinator.want(sessionID, (message) => received.get(sessionID)!.push(message))
    }
    return { tab, coordinator, roles, demand, joins, received, want }
  }
  /** Opens tabs one after another, each settled, so their queue order is their opening order. */
  const openSettled = async (...names: string[]): Promise<Opened[]> => {
    const opened: Opened[] = []
    for (const name of names) {
      opened.push(open({ name }))
      await world.settle()
    }
    return opened
  }
  /** A leader `a`, a hidden tab `b` that wants session 's' behind it, then `a` frozen: nobody speaks. */
  const frozenLeaderHiddenFollower = async (): Promise<{ a: Opened; b: Opened }> => {
    const a = open({ name: 'a' })
    await world.settle()
    const b = open({ name: 'b', visible: false })
    b.want('s')
    await world.settle()
    a.tab.freeze()
    return { a, b }
  }
  return { world, open, openSettled, leaders, frozenLeaderHiddenFollower }
}
