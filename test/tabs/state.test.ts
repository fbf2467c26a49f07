import { describe, expect, it } from 'vitest'
import { compareLeaders, judgeLeader, nextEpoch } from '../../src/tabs/epoch.js'
import { createLocalWants } from '../../src/tabs/local-wants.js'
import { channelName, leaderLockName, parseTabMessage, tabLockName } from '../../src/tabs/messages.js'
import { createRemoteWants } from '../../src/tabs/remote-wants.js'

describe('remote wants (the leader’s registry)', () => {
  it('reports a session wanted on its first tab and unwanted on its last', () => {
    const wants = createRemoteWants()
    expect(wants.add('a', 's1')).toBe(true)
    expect(wants.add('b', 's1')).toBe(false)
    expect(wants.add('a', 's1')).toBe(false) // a re-announcement
    expect([...wants.tabsWanting('s1')]).toEqual(['a', 'b'])
    expect(wants.remove('a', 's1')).toBe(false)
    expect(wants.remove('a', 's1')).toBe(false) // twice is nothing
    expect(wants.remove('b', 's1')).toBe(true)
    expect(wants.size()).toBe(0)
    expect(wants.remove('c', 'never')).toBe(false)
  })

  it('drops a gone tab, returning only the sessions nobody else wants', () => {
    const wants = createRemoteWants()
    wants.add('a', 's1')
    wants.add('a', 's2')
    wants.add('b', 's2')
    expect(wants.dropTab('a')).toEqual(['s1'])
    expect(wants.hasTab('a')).toBe(false)
    expect(wants.dropTab('a')).toEqual([])
    expect(wants.clear()).toEqual(['s2'])
    expect(wants.hasTab('b')).toBe(false)
  })
})

const listener = (): void => {}

describe('local wants (this tab’s references)', () => {
  it('counts every want, even with the same listener, and says when the last goes', () => {
    const wants = createLocalWants()
    const one = wants.add('s', listener)
    const two = wants.add('s', listener)
    expect([one.first, two.first]).toEqual([true, false])
    expect(wants.listeners('s')).toHaveLength(2)
    expect(one.release()).toBe(false)
    expect(one.release()).toBe(false) // idempotent: does not take two's reference
    expect(wants.has('s')).toBe(true)
    expect(two.release()).toBe(true)
    expect(wants.sessions()).toEqual([])
  })

  it('a release after clear() is a no-op', () => {
    const wants = createLocalWants()
    const { release } = wants.add('s', () => {})
    wants.clear()
    expect(release()).toBe(false)
    expect(wants.add('s', () => {}).first).toBe(true)
  })
})

describe('leader epochs', () => {
  it('orders by epoch, then tabID', () => {
    expect(compareLeaders({ tabID: 'b', epoch: 1 }, { tabID: 'a', epoch: 2 })).toBe(-1)
    expect(compareLeaders({ tabID: 'b', epoch: 2 }, { tabID: 'a', epoch: 2 })).toBe(1)
    expect(compareLeaders({ tabID: 'a', epoch: 2 }, { tabID: 'a', epoch: 2 })).toBe(0)
  })

  it('follows newer leaders, drops deposed ones', () => {
    expect(judgeLeader(undefined, { tabID: 'a', epoch: 1 })).toBe('newer')
    expect(judgeLeader({ tabID: 'a', epoch: 5 }, { tabID: 'a', epoch: 5 })).toBe('same')
    expect(judgeLeader({ tabID: 'a', epoch: 5 }, { tabID: 'b', epoch: 6 })).toBe('newer')
    expect(judgeLeader({ tabID: 'b', epoch: 6 }, { tabID: 'a', epoch: 5 })).toBe('stale')
  })

  it('a new epoch is above every epoch seen and at least the clock', () => {
    expect(nextEpoch(1000.7, 5)).toBe(1000)
    expect(nextEpoch(1000, 1000)).toBe(1001)
    expect(nextEpoch(1000, 4000)).toBe(4001)
  })
})

describe('messages', () => {
  it('names locks and the channel after the key', () => {
    expect(leaderLockName('k')).toBe('session-stream:k:leader')
    expect(tabLockName('k', 't1')).toBe('session-stream:k:tab:t1')
    expect(channelName('k')).toBe('session-stream:k')
  })

  it('accepts only well-formed messages for its key', () => {
    const hello = { kind: 'hello', key: 'k', tabID: 't', epoch: 3 }
    expect(parseTabMessage(hello, 'k')).toBe(hello)
    expect(parseTabMessage({ kind: 'publish', key: 'k', tabID: 't', epoch: 3, sessionID: 's', payload: { any: 1 } }, 'k')).toBeDefined()
    expect(parseTabMessage({ kind: 'want', key: 'k', tabID: 't', sessionID: 's' }, 'k')).toBeDefined()
    for (const bad of [
      null,
      'hello',
      { ...hello, key: 'other' },
      { ...hello, tabID: '' },
      { ...hello, epoch: Number.NaN },
      { ...hello, kind: 'shout' },
      { kind: 'publish', key: 'k', tabID: 't', epoch: 1 },
      { kind: 'release', key: 'k', tabID: 't', sessionID: 7 },
    ]) {
      expect(parseTabMessage(bad, 'k')).toBeUndefined()
    }
  })
})
