import { describe, expect, it } from 'vitest'
import { isSessionStreamError } from '../../src/errors.js'
import { createHarness, SILENCE } from './harness.js'

const kinds = (posted: { data: unknown }[]): string[] => posted.map((p) => (p.data as { kind: string }).kind)

describe('wants across tabs (requirement 3)', () => {
  it('fires onDemand(true) for the first other tab and (false) after the last releases', async () => {
    const { world, openSettled } = createHarness()
    const [a, b, c] = await openSettled('a', 'b', 'c')
    const releaseB = b!.want('s')
    await world.settle()
    const releaseC = c!.want('s')
    await world.settle()
    expect(a!.demand).toEqual(['s:true:b'])
    releaseB()
    await world.settle()
    expect(a!.demand).toEqual(['s:true:b'])
    releaseC()
    await world.settle()
    expect(a!.demand).toEqual(['s:true:b', 's:false:c'])
  })

  it('counts references within a tab: one announcement, one release', async () => {
    const { world, openSettled } = createHarness()
    const [a, b] = await openSettled('a', 'b')
    const sent = world.posted.length
    const one = b!.want('s')
    const two = b!.coordinator.want('s', () => {})
    one()
    one() // idempotent
    await world.settle()
    expect(kinds(world.posted.slice(sent))).toEqual(['want'])
    expect(a!.demand).toEqual(['s:true:b'])
    two()
    await world.settle()
    expect(kinds(world.posted.slice(sent))).toEqual(['want', 'release'])
    expect(a!.demand).toEqual(['s:true:b', 's:false:b'])
  })

  it('never reports the leader’s own wants: its own store follows them', async () => {
    const { world, openSettled } = createHarness()
    const [a] = await openSettled('a', 'b')
    const sent = world.posted.length
    a!.want('s')()
    await world.settle()
    expect(world.posted.length).toBe(sent)
    expect(a!.demand).toEqual([])
    expect(a!.joins).toEqual([])
  })

  it('drops the wants of a tab that dies, once its tab lock comes free', async () => {
    const { world, openSettled } = createHarness()
    const [a, b, c] = await openSettled('a', 'b', 'c')
    b!.want('s1')
    b!.want('s2')
    c!.want('s2')
    await world.settle()
    b!.tab.die()
    await world.settle()
    expect(a!.demand).toEqual(['s1:true:b', 's2:true:b', 's1:false:b'])
    c!.tab.die()
    await world.settle()
    expect(a!.demand.at(-1)).toBe('s2:false:c')
  })

  it('fires onJoin for every announcement, after onDemand', async () => {
    const { world, openSettled } = createHarness()
    const [a, b, c] = await openSettled('a', 'b', 'c')
    const order: string[] = []
    a!.coordinator.onDemand((sessionID) => order.push(`demand ${sessionID}`))
    a!.coordinator.onJoin((sessionID) => order.push(`join ${sessionID}`))
    b!.want('s')
    c!.want('s')
    await world.settle()
    expect(order).toEqual(['demand s', 'join s', 'join s'])
    expect(a!.joins).toEqual(['s:b', 's:c'])
  })

  it('a tab that first hears the leader through its snapshot does not announce again', async () => {
    const { world, openSettled } = createHarness()
    const [a, b] = await openSettled('a', 'b') // b missed a's hello: it opened after
    a!.coordinator.onJoin((sessionID) => a!.coordinator.publish(sessionID, 'snapshot'))
    b!.want('s')
    await world.advance(SILENCE * 2)
    expect(a!.joins).toEqual(['s:b'])
    expect(b!.received.get('s')).toEqual(['snapshot'])
  })

  it('rejects an empty session id with a coded error', () => {
    const { open } = createHarness()
    const a = open()
    let error: unknown
    try {
      a.coordinator.want('', () => {})
    } catch (caught) {
      error = caught
    }
    expect(isSessionStreamError(error) && error.code).toBe('invalid-session-id')
  })
})

describe('publish', () => {
  it('reaches, in order, the listeners of the tabs that want the session, not the leader itself', async () => {
    const { world, openSettled } = createHarness()
    const [a, b, c] = await openSettled('a', 'b', 'c')
    a!.want('s')
    b!.want('s')
    b!.want('s') // two listeners in one tab: both are told
    c!.want('other')
    await world.settle()
    for (const n of [1, 2, 3]) expect(a!.coordinator.publish('s', { n })).toBe(true)
    await world.settle()
    expect(b!.received.get('s')).toEqual([{ n: 1 }, { n: 1 }, { n: 2 }, { n: 2 }, { n: 3 }, { n: 3 }])
    expect(c!.received.get('other')).toEqual([])
    expect(a!.received.get('s')).toEqual([])
  })

  it('is refused (false, nothing sent) by a follower', async () => {
    const { world, openSettled } = createHarness()
    const [, b] = await openSettled('a', 'b')
    const sent = world.posted.length
    expect(b!.coordinator.publish('s', 1)).toBe(false)
    expect(world.posted.length).toBe(sent)
  })

  it('stops reaching a listener once its want is released', async () => {
    const { world, openSettled } = createHarness()
    const [a, b] = await openSettled('a', 'b')
    const release = b!.want('s')
    await world.settle()
    a!.coordinator.publish('s', 1)
    await world.settle()
    release()
    a!.coordinator.publish('s', 2)
    await world.settle()
    expect(b!.received.get('s')).toEqual([1])
  })

  it('reports a throwing listener on its own and still tells the others', async () => {
    const { world, openSettled } = createHarness()
    const [a, b] = await openSettled('a', 'b')
    const errors: unknown[] = []
    const original = globalThis.queueMicrotask
    b!.coordinator.want('s', () => {
      throw new Error('listener bug')
    })
    b!.want('s')
    await world.settle()
    globalThis.queueMicrotask = (task) => original(() => {
      try {
        task()
      } catch (error) {
        errors.push(error)
      }
    })
    try {
      a!.coordinator.publish('s', 1)
      await world.settle()
    } finally {
      globalThis.queueMicrotask = original
    }
    expect(b!.received.get('s')).toEqual([1])
    expect(errors).toEqual([new Error('listener bug')])
  })
})

describe('the wire (requirement 6)', () => {
  it('carries only kind, key, tabID, epoch, sessionID and the payload', async () => {
    const { world, openSettled } = createHarness()
    const [a, b] = await openSettled('a', 'b')
    b!.want('s')()
    b!.want('s')
    await world.settle()
    a!.coordinator.publish('s', { opaque: true })
    await world.advance(5000) // an alive
    a!.coordinator.close()
    await world.settle()
    expect(new Set(kinds(world.posted))).toEqual(new Set(['hello', 'want', 'release', 'publish', 'alive']))
    const allowed = new Set(['kind', 'key', 'tabID', 'epoch', 'sessionID', 'payload'])
    for (const { data } of world.posted) expect(Object.keys(data as object).filter((field) => !allowed.has(field))).toEqual([])
  })
})
