import { describe, expect, it } from 'vitest'
import { createTabCoordinator } from '../../src/tabs/coordinator.js'
import { createHarness } from './harness.js'

describe('election (requirement 1)', () => {
  it('makes the first tab leader; the others queue for the leader lock', async () => {
    const { world, openSettled, leaders } = createHarness()
    const tabs = await openSettled('a', 'b', 'c')
    expect(leaders(tabs)).toEqual(['a'])
    expect(tabs.map((t) => t.roles)).toEqual([['leader'], [], []])
    expect(world.holder('session-stream:k:leader')).toBe('a')
    expect(world.queue('session-stream:k:leader')).toEqual(['b', 'c'])
  })

  it('is a follower until the lock is granted', () => {
    const { open } = createHarness()
    expect(open({ name: 'a' }).coordinator.role()).toBe('follower')
  })

  it('promotes exactly one follower, the next in line, when the leader closes', async () => {
    const { world, openSettled, leaders } = createHarness()
    const [a, b, c] = await openSettled('a', 'b', 'c')
    a!.coordinator.close()
    await world.settle()
    expect(leaders([a!, b!, c!])).toEqual(['b'])
    expect(b!.roles).toEqual(['leader'])
    expect(c!.roles).toEqual([])
    expect(a!.roles).toEqual(['leader']) // close() reports nothing
    expect(a!.coordinator.role()).toBe('follower')
  })

  it('promotes exactly one follower when the leader dies without closing', async () => {
    const { world, openSettled, leaders } = createHarness()
    const [a, b, c] = await openSettled('a', 'b', 'c')
    a!.tab.die()
    await world.settle()
    expect(leaders([b!, c!])).toEqual(['b'])
    b!.tab.die()
    await world.settle()
    expect(leaders([c!])).toEqual(['c'])
  })

  it('says hello with its tabID and an epoch when promoted', async () => {
    const { world, openSettled } = createHarness()
    const [a] = await openSettled('a', 'b')
    await world.advance(5)
    a!.coordinator.close()
    await world.settle()
    const hellos = world.posted.filter((p) => (p.data as { kind: string }).kind === 'hello').map((p) => p.data as { tabID: string; epoch: number })
    expect(hellos.map((h) => h.tabID)).toEqual(['a', 'b'])
    expect(hellos[1]!.epoch).toBeGreaterThan(hellos[0]!.epoch)
  })

  it('takes an epoch above every one it has heard, even one ahead of its clock', async () => {
    const { world, openSettled } = createHarness()
    const [a] = await openSettled('a', 'b')
    world.say('session-stream:k', { kind: 'alive', key: 'k', tabID: 'elsewhere', epoch: world.now() + 60_000 })
    await world.settle()
    a!.coordinator.close()
    await world.settle()
    const last = world.posted.at(-1)!.data as { kind: string; tabID: string; epoch: number }
    expect(last).toEqual({ kind: 'hello', key: 'k', tabID: 'b', epoch: world.now() + 60_001 })
  })

  it('keeps tabs with different keys apart: each key has its own leader', async () => {
    const { world, open } = createHarness()
    const tab = world.tab('a')
    const one = open({ tab, key: 'one' })
    const two = open({ tab, key: 'two' })
    const other = open({ name: 'b', key: 'one' })
    await world.settle()
    expect([one, two, other].map((t) => t.coordinator.role())).toEqual(['leader', 'leader', 'follower'])
    other.want('s')
    await world.settle()
    expect(one.demand).toEqual(['s:true:b'])
    expect(two.demand).toEqual([])
    expect(world.posted.every((p) => p.name === `session-stream:${(p.data as { key: string }).key}`)).toBe(true)
  })

  it('rejects a key that is empty and a silence that is not positive', () => {
    const { world } = createHarness()
    const platform = world.tab().platform
    expect(() => createTabCoordinator({ key: '', platform })).toThrow(TypeError)
    expect(() => createTabCoordinator({ key: 'k', platform, silenceMs: 0 })).toThrow(RangeError)
    expect(() => createTabCoordinator({ key: 'k', platform, silenceMs: Number.POSITIVE_INFINITY })).toThrow(RangeError)
  })

  it('leads alone where the platform refuses its locks (each tab then connects on its own)', async () => {
    const { world } = createHarness()
    const platform = { ...world.tab('a').platform, locks: { request: () => Promise.reject(new DOMException('opaque origin', 'SecurityError')) } }
    const coordinator = createTabCoordinator({ key: 'k', platform })
    await world.settle()
    expect(coordinator.role()).toBe('leader')
    coordinator.close()
  })
})

describe('per-tab liveness (requirement 2)', () => {
  it('holds its own tab lock for its lifetime, and announces nothing before it holds it', async () => {
    const { world, open } = createHarness()
    const a = open({ name: 'a' })
    a.want('s') // before the tab lock is granted: waits in the outbox
    expect(world.posted).toEqual([])
    await world.settle()
    expect(world.holder('session-stream:k:tab:a')).toBe('a')
    expect(world.posted.map((p) => (p.data as { kind: string }).kind)).toEqual(['want', 'hello'])
    a.coordinator.close()
    await world.settle()
    expect(world.holder('session-stream:k:tab:a')).toBeUndefined()
  })

  it('the leader watches the lock of every tab that wants something, and only while it does', async () => {
    const { world, openSettled } = createHarness()
    const [, b] = await openSettled('a', 'b')
    const release = b!.want('s')
    await world.settle()
    expect(world.queue('session-stream:k:tab:b')).toEqual(['a'])
    release()
    await world.settle()
    expect(world.queue('session-stream:k:tab:b')).toEqual([])
  })
})
