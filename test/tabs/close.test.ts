import { describe, expect, it } from 'vitest'
import { createHarness, SILENCE } from './harness.js'

const NOTHING = { held: [], queued: [], channels: 0, channelListeners: 0, timers: 0, visibleListeners: 0 }

describe('close (requirement 7)', () => {
  it('a leader with demand, watches and alive timer leaves nothing behind', async () => {
    const { world, openSettled } = createHarness()
    const [a, b] = await openSettled('a', 'b')
    a!.want('mine')
    b!.want('s')
    await world.settle()
    expect(a!.tab.resources().timers).toBe(1) // the alive ticker
    expect(a!.tab.resources().queued).toEqual(['session-stream:k:tab:b'])
    a!.coordinator.close()
    a!.coordinator.close() // idempotent
    await world.settle()
    expect(a!.tab.resources()).toEqual(NOTHING)
    expect(b!.coordinator.role()).toBe('leader') // at once, not after a silence
  })

  it('a follower waiting in line, silence timer armed and waiting to be shown, leaves nothing behind', async () => {
    const { world, frozenLeaderHiddenFollower } = createHarness()
    const { b } = await frozenLeaderHiddenFollower()
    await world.advance(SILENCE + 1) // b waits to be shown
    expect(b.tab.resources().visibleListeners).toBe(1)
    b.coordinator.close()
    await world.settle()
    expect(b.tab.resources()).toEqual(NOTHING)
    expect(world.queue('session-stream:k:leader')).toEqual([])
  })

  it('closing before the tab lock is granted sends nothing and holds nothing', async () => {
    const { world, open } = createHarness()
    const a = open({ name: 'a' })
    a.want('s')
    a.coordinator.close()
    await world.settle()
    expect(world.posted).toEqual([])
    expect(a.tab.resources()).toEqual(NOTHING)
  })

  it('after close: role follower, publish refused, want and listeners inert', async () => {
    const { world, openSettled } = createHarness()
    const [a] = await openSettled('a')
    a!.coordinator.close()
    expect(a!.coordinator.role()).toBe('follower')
    expect(a!.coordinator.publish('s', 1)).toBe(false)
    a!.coordinator.want('s', () => {})()
    a!.coordinator.onRole(() => {})()
    await world.settle()
    expect(a!.tab.resources()).toEqual(NOTHING)
  })

  it('a release after close does not throw or send', async () => {
    const { world, openSettled } = createHarness()
    const [, b] = await openSettled('a', 'b')
    const release = b!.want('s')
    await world.settle()
    const sent = world.posted.length
    b!.coordinator.close()
    release()
    expect(world.posted.length).toBe(sent)
  })
})
