import { describe, expect, it } from 'vitest'
import { seededRandom } from '../support/random.js'
import { createHarness, SILENCE, type Opened } from './harness.js'

/*
 * Random walks over tabs that open, close, die, freeze, hide, want and release, on the
 * fake platform. After each walk, once every tab is thawed and visible: one leader, the
 * holder of the lock; its onDemand balance equals what the other live tabs want; and a
 * publish reaches exactly the tabs that want the session. Replay one with SEED=<n>; run
 * more with WALKS=<n>.
 */

const SESSIONS = ['s1', 's2', 's3']
const WALKS = process.env.SEED === undefined ? Number(process.env.WALKS ?? 60) : 1
const FIRST = Number(process.env.SEED ?? 1)

interface Live extends Opened {
  readonly wants: { sessionID: string; release: () => void }[]
  dead: boolean
}

/** Per session, onDemand trues minus falses, as seen by one tab. */
function balance(tab: Opened): Map<string, number> {
  const net = new Map<string, number>()
  for (const entry of tab.demand) {
    const [sessionID, wanted] = entry.split(':') as [string, string]
    net.set(sessionID, (net.get(sessionID) ?? 0) + (wanted === 'true' ? 1 : -1))
  }
  return net
}

async function walk(seed: number): Promise<{ actual: unknown; expected: unknown }> {
  const random = seededRandom(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const { world, open } = createHarness()
  const tabs: Live[] = []
  const live = (): Live[] => tabs.filter((t) => !t.dead)
  const leaderOf = (): Live | undefined => live().find((t) => t.coordinator.role() === 'leader')
  let names = 0
  const openTab = (): void => void tabs.push({ ...open({ name: `t${++names}`, visible: random() < 0.8 }), wants: [], dead: false })
  openTab()

  for (let step = 0; step < 40; step++) {
    const roll = random()
    const some = live()
    if (some.length === 0 || (roll < 0.15 && some.length < 5)) openTab()
    else if (roll < 0.4) {
      const tab = pick(some)
      const sessionID = pick(SESSIONS)
      tab.wants.push({ sessionID, release: tab.want(sessionID) })
    } else if (roll < 0.55) {
      const tab = pick(some)
      tab.wants.splice(Math.floor(random() * tab.wants.length), 1)[0]?.release()
    } else if (roll < 0.62) {
      const tab = pick(some)
      tab.dead = true
      if (random() < 0.5) tab.coordinator.close()
      else tab.tab.die()
    } else if (roll < 0.7) leaderOf()?.tab.freeze()
    else if (roll < 0.78) await pick(some).tab.thaw()
    else if (roll < 0.85) pick(some).tab.setVisible(random() < 0.5)
    else if (roll < 0.92) leaderOf()?.coordinator.publish(pick(SESSIONS), step)
    else await world.advance(Math.floor(random() * SILENCE * 2))
    await world.settle()
  }

  for (const tab of live()) {
    await tab.tab.thaw()
    tab.tab.setVisible(true)
  }
  await world.advance(SILENCE * 3)
  const leaders = live().filter((t) => t.coordinator.role() === 'leader')
  const leader = leaders[0]
  const others = live().filter((t) => t !== leader)
  for (const sessionID of SESSIONS) leader?.coordinator.publish(sessionID, `final ${sessionID}`)
  await world.settle()
  const wantedElsewhere = new Set(others.flatMap((t) => [...currentWants(t)]))
  const told = (tab: Live): string[] => SESSIONS.filter((s) => tab.received.get(s)?.at(-1) === `final ${s}`)
  const actual = {
    seed,
    leaders: leaders.map((t) => t.tab.owner),
    lockHolder: world.holder('session-stream:k:leader'),
    demand: SESSIONS.map((s) => (leader === undefined ? 0 : (balance(leader).get(s) ?? 0))),
    /** Every live tab that no longer leads saw each onDemand(true) matched by a false (close() reports nothing). */
    unbalanced: others.filter((t) => [...balance(t).values()].some((n) => n !== 0)).map((t) => t.tab.owner),
    told: others.map((t) => `${t.tab.owner}: ${told(t).join(' ')}`),
  }
  const expected = {
    seed,
    leaders: live().length === 0 ? [] : [leader?.tab.owner],
    lockHolder: leader?.tab.owner,
    demand: SESSIONS.map((s) => (wantedElsewhere.has(s) ? 1 : 0)),
    unbalanced: [],
    told: others.map((t) => `${t.tab.owner}: ${SESSIONS.filter((s) => currentWants(t).has(s)).join(' ')}`),
  }
  return { actual, expected }
}

/** The sessions a tab holds at least one reference to. */
const currentWants = (tab: Live): Set<string> => new Set(tab.wants.map((want) => want.sessionID))

describe('model: random walks of tabs', () => {
  it(`keeps one leader and balanced, exact demand (${WALKS} walks)`, async () => {
    for (let seed = FIRST; seed < FIRST + WALKS; seed++) {
      const { actual, expected } = await walk(seed)
      expect(actual).toEqual(expected)
    }
  })
})
