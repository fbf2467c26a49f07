import { describe, expect, it } from 'vitest'
import { createFakeWorld } from './fakes.js'

// oxlint-disable unicorn/require-post-message-target-origin -- a BroadcastChannel has no target origin

/* The fakes the coordinator tests run on must behave like the platform: checked here. */

const noop = (): void => {}
const hold = () => {
  let release = noop
  const held = new Promise<void>((resolve) => (release = resolve))
  return { held, release }
}

describe('fake Web Locks', () => {
  it('grants an exclusive lock in request order and releases it when the callback settles', async () => {
    const world = createFakeWorld()
    const [a, b, c] = [world.tab('a'), world.tab('b'), world.tab('c')]
    const first = hold()
    const order: string[] = []
    void a.platform.locks.request('L', {}, () => (order.push('a'), first.held))
    void b.platform.locks.request('L', {}, () => void order.push('b'))
    void c.platform.locks.request('L', {}, () => void order.push('c'))
    await world.settle()
    expect(order).toEqual(['a'])
    expect(world.queue('L')).toEqual(['b', 'c'])
    first.release()
    await world.settle()
    expect(order).toEqual(['a', 'b', 'c'])
    expect(world.holder('L')).toBeUndefined()
  })

  it('releases the locks of a tab that dies; its request never settles', async () => {
    const world = createFakeWorld()
    const [a, b] = [world.tab('a'), world.tab('b')]
    let settled = false
    void a.platform.locks.request('L', {}, () => hold().held).finally(() => (settled = true))
    let granted = false
    void b.platform.locks.request('L', {}, () => void (granted = true))
    await world.settle()
    a.die()
    await world.settle()
    expect(granted).toBe(true)
    expect(settled).toBe(false)
  })

  it('steal: grants at once, ahead of the queue, and rejects the holder with an AbortError', async () => {
    const world = createFakeWorld()
    const [a, b, c] = [world.tab('a'), world.tab('b'), world.tab('c')]
    const rejected = a.platform.locks.request('L', {}, () => hold().held).catch((error: unknown) => error)
    void b.platform.locks.request('L', {}, () => hold().held)
    await world.settle()
    let stolen = false
    void c.platform.locks.request('L', { steal: true }, () => ((stolen = true), hold().held))
    await world.settle()
    expect(stolen).toBe(true)
    expect(world.holder('L')).toBe('c')
    expect(world.queue('L')).toEqual(['b'])
    expect(((await rejected) as DOMException).name).toBe('AbortError')
  })

  it('refuses a signal with steal, and withdraws a queued request on abort', async () => {
    const world = createFakeWorld()
    const [a, b] = [world.tab('a'), world.tab('b')]
    const controller = new AbortController()
    const refused = a.platform.locks.request('L', { steal: true, signal: controller.signal }, () => {}).catch((error: unknown) => error)
    expect(((await refused) as DOMException).name).toBe('NotSupportedError')
    void a.platform.locks.request('L', {}, () => hold().held)
    const queued = b.platform.locks.request('L', { signal: controller.signal }, () => {}).catch((error: unknown) => error)
    await world.settle()
    controller.abort()
    expect(((await queued) as DOMException).name).toBe('AbortError')
    expect(world.queue('L')).toEqual([])
  })
})

describe('fake BroadcastChannel', () => {
  it('delivers a structured clone to every other instance of the name, asynchronously, in post order', async () => {
    const world = createFakeWorld()
    const [a, b] = [world.tab('a'), world.tab('b')]
    const sender = a.platform.channel('x')
    const got: Record<string, unknown[]> = { a: [], b: [], other: [] }
    sender.addEventListener('message', (event) => got.a!.push(event.data))
    b.platform.channel('x').addEventListener('message', (event) => got.b!.push(event.data))
    b.platform.channel('y').addEventListener('message', (event) => got.other!.push(event.data))
    const message = { n: 1 }
    sender.postMessage(message)
    sender.postMessage({ n: 2 })
    expect(got.b).toEqual([])
    await world.settle()
    expect(got).toEqual({ a: [], b: [{ n: 1 }, { n: 2 }], other: [] })
    expect(got.b![0]).not.toBe(message)
    expect(() => sender.postMessage({ f: () => 1 })).toThrow(/could not be cloned/)
    sender.close()
    expect(() => sender.postMessage(1)).toThrow(/closed/)
  })

  it('holds a frozen tab’s deliveries until it thaws', async () => {
    const world = createFakeWorld()
    const [a, b] = [world.tab('a'), world.tab('b')]
    const got: unknown[] = []
    b.platform.channel('x').addEventListener('message', (event) => got.push(event.data))
    b.freeze()
    a.platform.channel('x').postMessage(1)
    await world.settle()
    expect(got).toEqual([])
    await b.thaw()
    expect(got).toEqual([1])
  })
})
