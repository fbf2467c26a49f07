import { describe, expect, it } from 'vitest'
import { createHarness, SILENCE } from './harness.js'

const LEADER = 'session-stream:k:leader'

describe('leader change (requirement 4)', () => {
  it('every tab re-announces its wants to a new leader: onDemand(true) once per session, onJoin per tab', async () => {
    const { world, openSettled } = createHarness()
    const [a, b, c, d] = await openSettled('a', 'b', 'c', 'd')
    b!.want('s1')
    c!.want('s1')
    c!.want('s2')
    d!.want('s2')
    await world.settle()
    a!.tab.die()
    await world.settle()
    expect(b!.coordinator.role()).toBe('leader')
    // b's own want stays local; c and d announce theirs again.
    expect(b!.demand.toSorted()).toEqual(['s1:true:c', 's2:true:c'])
    expect(b!.joins.toSorted()).toEqual(['s1:c', 's2:c', 's2:d'])
    b!.coordinator.publish('s2', 'snapshot')
    await world.settle()
    expect(c!.received.get('s2')).toEqual(['snapshot'])
    expect(d!.received.get('s2')).toEqual(['snapshot'])
  })

  it('drops what a deposed leader still says after the new leader’s hello', async () => {
    const { world, openSettled } = createHarness()
    const [a, b, c] = await openSettled('a', 'b', 'c')
    c!.want('s')
    await world.settle()
    a!.coordinator.publish('s', 'from a')
    await world.settle()
    const aHello = world.posted.find((p) => p.owner === 'a' && (p.data as { kind: string }).kind === 'hello')!.data as object
    await world.advance(10)
    a!.coordinator.close()
    await world.settle()
    b!.coordinator.publish('s', 'from b')
    // a's words arriving late (a stolen lock's holder that had not yet heard): dropped.
    world.say('session-stream:k', { ...aHello, kind: 'publish', sessionID: 's', payload: 'late from a' })
    await world.settle()
    expect(c!.received.get('s')).toEqual(['from a', 'from b'])
  })

  it('drops a publish for a session from a stranger tab that is no leader it knows of, if older', async () => {
    const { world, openSettled } = createHarness()
    const [a, b] = await openSettled('a', 'b')
    b!.want('s')
    await world.settle()
    a!.coordinator.publish('s', 'ok')
    world.say('session-stream:k', { kind: 'publish', key: 'k', tabID: 'zz', epoch: 1, sessionID: 's', payload: 'old' })
    world.say('session-stream:k', { kind: 'publish', key: 'other', tabID: 'zz', epoch: 9e15, sessionID: 's', payload: 'other key' })
    world.say('session-stream:k', 'noise')
    await world.settle()
    expect(b!.received.get('s')).toEqual(['ok'])
  })
})

describe('frozen leader (requirement 5)', () => {
  it('a leader with remote demand says alive every silenceMs/3, and nobody steals', async () => {
    const { world, openSettled, leaders } = createHarness()
    const tabs = await openSettled('a', 'b')
    tabs[1]!.want('s')
    await world.advance(SILENCE * 10)
    expect(leaders(tabs)).toEqual(['a'])
    const alives = world.posted.filter((p) => (p.data as { kind: string }).kind === 'alive')
    expect(alives).toHaveLength(30)
  })

  it('sends no alive without remote demand', async () => {
    const { world, openSettled } = createHarness()
    const [a] = await openSettled('a', 'b')
    a!.want('s')
    await world.advance(SILENCE * 3)
    expect(world.posted.filter((p) => (p.data as { kind: string }).kind === 'alive')).toEqual([])
  })

  it('a visible follower that wants a session steals the lock after silenceMs without a word', async () => {
    const { world, openSettled } = createHarness()
    const [a, b, c] = await openSettled('a', 'b', 'c')
    a!.want('mine')
    c!.want('s')
    await world.settle()
    a!.tab.freeze()
    await world.advance(SILENCE - 1)
    expect(c!.coordinator.role()).toBe('follower')
    await world.advance(1)
    expect(c!.roles).toEqual(['leader'])
    expect(world.holder(LEADER)).toBe('c')
    expect(b!.coordinator.role()).toBe('follower') // b wants nothing: it never steals
    expect(world.queue(LEADER)).toEqual(['b'])
    // The old leader learns it lost the lock when it thaws: demoted, back in the queue,
    // its demand reported gone first, and its own wants announced to the new leader.
    await a!.tab.thaw()
    expect(a!.demand).toEqual(['s:true:c', 's:false:a'])
    expect(a!.roles).toEqual(['leader', 'follower'])
    expect(world.queue(LEADER)).toEqual(['b', 'a'])
    expect(c!.demand).toEqual(['mine:true:a'])
    expect(c!.joins).toEqual(['mine:a'])
    expect(a!.coordinator.publish('mine', 1)).toBe(false)
  })

  it('a message from the leader restarts the silence', async () => {
    const { world, openSettled } = createHarness()
    const [a, b] = await openSettled('a', 'b')
    b!.want('s')
    await world.settle()
    a!.coordinator.close() // nobody says alive: replaced by a leader we drive by hand
    const c = (await openSettled('c'))[0]!
    expect(c.coordinator.role()).toBe('follower') // b took the lock
    expect(b!.coordinator.role()).toBe('leader')
    c.want('s')
    await world.settle()
    b!.tab.freeze()
    await world.advance(SILENCE - 100)
    // b still publishes (a thawing page's first task, say): c hears it, the clock restarts.
    b!.coordinator.publish('s', 1)
    await world.advance(SILENCE - 100)
    expect(c.coordinator.role()).toBe('follower')
    await world.advance(100)
    expect(c.coordinator.role()).toBe('leader')
  })

  it('a hidden tab never steals; once shown it waits a short grace, then steals', async () => {
    const { world, frozenLeaderHiddenFollower } = createHarness()
    const { b } = await frozenLeaderHiddenFollower()
    await world.advance(SILENCE * 20)
    expect(b.coordinator.role()).toBe('follower')
    b.tab.setVisible(true)
    await world.advance(999)
    expect(b.coordinator.role()).toBe('follower')
    await world.advance(1)
    expect(b.coordinator.role()).toBe('leader')
  })

  it('a hidden tab that hears its leader before it is shown does not steal', async () => {
    const { world, frozenLeaderHiddenFollower } = createHarness()
    const { a, b } = await frozenLeaderHiddenFollower()
    await world.advance(SILENCE * 2)
    await a.tab.thaw() // the leader comes back: its alive reaches b
    await world.advance(SILENCE / 3)
    b.tab.setVisible(true)
    await world.advance(SILENCE * 3)
    expect(b.coordinator.role()).toBe('follower')
  })

  it('a follower that wants nothing never steals', async () => {
    const { world, openSettled } = createHarness()
    const [a, b] = await openSettled('a', 'b')
    const release = b!.want('s')
    await world.settle()
    release()
    a!.tab.freeze()
    await world.advance(SILENCE * 5)
    expect(b!.coordinator.role()).toBe('follower')
  })
})
