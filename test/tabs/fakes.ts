import type { TabChannel, TabChannelListener, TabLocks, TabPlatform } from '../../src/tabs/platform.js'

/*
 * In-memory Web Locks, BroadcastChannel, clock and visibility shared by several fake
 * tabs, modelling what the coordinator relies on: exclusive locks granted in request
 * order and held while the callback's promise is pending; `steal` granting at once and
 * rejecting the holder's request with an AbortError; a dead tab's locks released; channel
 * messages structured-cloned and delivered asynchronously, in post order, to every OTHER
 * open instance of the same name. A frozen tab runs nothing until thawed (its deliveries,
 * timers and lock settlements wait), like a background tab the browser froze.
 */

interface LockRequest {
  readonly owner: string
  readonly name: string
  readonly callback: (lock: unknown) => unknown
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
  state: 'queued' | 'held' | 'done'
}

interface Timer {
  readonly owner: string
  readonly at: number
  readonly callback: () => void
}

interface FakeChannel extends TabChannel {
  readonly owner: string
  readonly name: string
  readonly listeners: Set<TabChannelListener>
  closed: boolean
}

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
const domError = (name: string, message: string): DOMException => new DOMException(message, name)

export interface FakeTab {
  readonly owner: string
  readonly platform: TabPlatform
  setVisible(visible: boolean): void
  /** The page is gone without a word: its locks are released, its channels closed, its timers dropped. */
  die(): void
  freeze(): void
  thaw(): Promise<void>
  /** What this tab still holds: all zero after a clean close. */
  resources(): { held: string[]; queued: string[]; channels: number; channelListeners: number; timers: number; visibleListeners: number }
}

export function createFakeWorld() {
  let now = 1_000_000
  let nextTimer = 0
  const timers = new Map<number, Timer>()
  const held = new Map<string, LockRequest>()
  const queues = new Map<string, LockRequest[]>()
  const channels = new Set<FakeChannel>()
  const deliveries: { target: FakeChannel; data: unknown }[] = []
  const frozen = new Map<string, (() => void)[]>()
  const dead = new Set<string>()
  /** Every message posted on any channel, as sent (for inspecting the wire). */
  const posted: { owner: string; name: string; data: unknown }[] = []

  /** Runs `work` as `owner`'s JavaScript: not at all when dead, later when frozen. */
  const runAs = (owner: string, work: () => void): void => {
    if (dead.has(owner)) return
    const waiting = frozen.get(owner)
    if (waiting === undefined) work()
    else waiting.push(work)
  }

  const grant = (request: LockRequest): void => {
    held.set(request.name, request)
    request.state = 'held'
    queueMicrotask(() =>
      runAs(request.owner, () => {
        if (request.state !== 'held') return
        let result: unknown
        try {
          result = request.callback({ name: request.name, mode: 'exclusive' })
        } catch (error) {
          result = Promise.reject(error)
        }
        Promise.resolve(result).then(
          (value) => settle(request, () => request.resolve(value)),
          (error: unknown) => settle(request, () => request.reject(error)),
        )
      }),
    )
  }
  const settle = (request: LockRequest, report: () => void): void => {
    if (request.state !== 'held') return // stolen meanwhile: its request already rejected
    release(request)
    report()
  }
  const release = (request: LockRequest): void => {
    request.state = 'done'
    if (held.get(request.name) === request) held.delete(request.name)
    pump(request.name)
  }
  const pump = (name: string): void => {
    const queue = queues.get(name) ?? []
    if (held.has(name) || queue.length === 0) return
    grant(queue.shift()!)
  }

  const request = (owner: string): TabLocks['request'] => (name, options, callback) =>
    new Promise((resolve, reject) => {
      const { signal, steal = false, ifAvailable = false } = options
      if (signal !== undefined && (steal || ifAvailable)) return reject(domError('NotSupportedError', 'signal with steal or ifAvailable'))
      if (steal && ifAvailable) return reject(domError('NotSupportedError', 'steal with ifAvailable'))
      if (signal?.aborted) return reject(signal.reason)
      const entry: LockRequest = {
        owner,
        name,
        callback,
        resolve: (value) => runAs(owner, () => resolve(value)),
        reject: (error) => runAs(owner, () => reject(error)),
        state: 'queued',
      }
      if (steal) {
        const holder = held.get(name)
        if (holder !== undefined) {
          holder.state = 'done'
          held.delete(name)
          holder.reject(domError('AbortError', 'the lock was stolen'))
        }
        return grant(entry)
      }
      const queue = queues.get(name) ?? []
      queues.set(name, queue)
      if (ifAvailable && (held.has(name) || queue.length > 0)) {
        return Promise.resolve(callback(null)).then(resolve, reject)
      }
      queue.push(entry)
      signal?.addEventListener('abort', () => {
        if (entry.state !== 'queued') return
        entry.state = 'done'
        queue.splice(queue.indexOf(entry), 1)
        entry.reject(signal.reason)
      })
      pump(name)
    })

  const openChannel = (owner: string, name: string): FakeChannel => {
    const channel: FakeChannel = {
      owner,
      name,
      listeners: new Set(),
      closed: false,
      postMessage(message) {
        if (channel.closed) throw domError('InvalidStateError', 'the channel is closed')
        const data = structuredClone(message)
        posted.push({ owner, name, data })
        for (const target of channels) {
          if (target === channel || target.name !== name) continue
          deliveries.push({ target, data: structuredClone(data) })
          setImmediate(deliverNext)
        }
      },
      addEventListener: (_type, listener) => void channel.listeners.add(listener),
      removeEventListener: (_type, listener) => void channel.listeners.delete(listener),
      close() {
        channel.closed = true
        channels.delete(channel)
      },
    }
    channels.add(channel)
    return channel
  }
  function deliverNext(): void {
    const next = deliveries.shift()
    if (next === undefined) return
    const { target, data } = next
    runAs(target.owner, () => {
      if (target.closed) return
      for (const listener of Array.from(target.listeners)) listener({ data })
    })
  }

  let tabs = 0
  const tab = (owner = `tab${++tabs}`, visibleAtStart = true): FakeTab => {
    let visible = visibleAtStart
    let ids = 0
    const visibleListeners = new Set<() => void>()
    const platform: TabPlatform = {
      locks: { request: request(owner) },
      channel: (name) => openChannel(owner, name),
      newTabID: () => (++ids === 1 ? owner : `${owner}.${ids}`),
      isVisible: () => visible,
      onVisible: (callback) => {
        visibleListeners.add(callback)
        return () => void visibleListeners.delete(callback)
      },
      now: () => now,
      setTimeout: (callback, ms) => {
        timers.set(++nextTimer, { owner, at: now + Math.max(0, ms), callback })
        return nextTimer
      },
      clearTimeout: (handle) => void timers.delete(handle as number),
    }
    const mine = <T extends { owner: string }>(items: Iterable<T>): T[] => [...items].filter((item) => item.owner === owner)
    return {
      owner,
      platform,
      setVisible(next) {
        visible = next
        if (next) runAs(owner, () => [...visibleListeners].forEach((listener) => listener()))
      },
      die() {
        dead.add(owner)
        for (const channel of mine(channels)) channel.close()
        for (const [id, timer] of timers) if (timer.owner === owner) timers.delete(id)
        for (const queue of queues.values()) for (const entry of mine(queue)) queue.splice(queue.indexOf(entry), 1)
        for (const entry of mine(held.values())) release(entry)
      },
      freeze: () => void frozen.set(owner, frozen.get(owner) ?? []),
      async thaw() {
        const waiting = frozen.get(owner) ?? []
        frozen.delete(owner)
        waiting.forEach((work) => work())
        await world.advance(0)
      },
      resources: () => ({
        held: mine(held.values()).map((entry) => entry.name),
        queued: [...queues.values()].flatMap((queue) => mine(queue).map((entry) => entry.name)),
        channels: mine(channels).length,
        channelListeners: mine(channels).reduce((sum, channel) => sum + channel.listeners.size, 0),
        timers: mine(timers.values()).length,
        visibleListeners: visibleListeners.size,
      }),
    }
  }

  const world = {
    tab,
    posted,
    now: () => now,
    holder: (name: string): string | undefined => held.get(name)?.owner,
    queue: (name: string): string[] => (queues.get(name) ?? []).map((entry) => entry.owner),
    /** Posts `data` on channel `name` as a stranger tab (noise, or a deposed leader's late words). */
    say(name: string, data: unknown): void {
      // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a BroadcastChannel has no target origin
      openChannel('stranger', name).postMessage(data)
    },
    /** Lets every message, lock grant and promise in flight run. */
    async settle(): Promise<void> {
      do await immediate()
      while (deliveries.length > 0)
      await immediate()
    },
    /** Moves the clock, firing due timers in order (a frozen tab's wait for its thaw). */
    async advance(ms: number): Promise<void> {
      const until = now + ms
      await world.settle()
      for (;;) {
        const due = [...timers].filter(([, timer]) => timer.at <= until && !frozen.has(timer.owner))
        const next = due.toSorted(([a, x], [b, y]) => x.at - y.at || a - b)[0]
        if (next === undefined) break
        timers.delete(next[0])
        now = Math.max(now, next[1].at)
        next[1].callback()
        await world.settle()
      }
      now = until
    },
  }
  return world
}

export type FakeWorld = ReturnType<typeof createFakeWorld>
