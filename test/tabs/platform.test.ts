import { afterEach, describe, expect, it, vi } from 'vitest'
import { browserTabPlatform } from '../../src/tabs/platform.js'

afterEach(() => vi.unstubAllGlobals())

class FakeBroadcastChannel {
  constructor(readonly name: string) {}
}

describe('browserTabPlatform', () => {
  it('is undefined without navigator.locks (Node) or without BroadcastChannel', () => {
    expect(browserTabPlatform()).toBeUndefined()
    vi.stubGlobal('navigator', { locks: { request: () => Promise.resolve() } })
    vi.stubGlobal('BroadcastChannel', undefined)
    expect(browserTabPlatform()).toBeUndefined()
  })

  it('wraps the browser’s, reading globals only when called', () => {
    const locks = { request: () => Promise.resolve() }
    const listeners = new Set<() => void>()
    const doc = {
      visibilityState: 'hidden',
      addEventListener: (_: string, listener: () => void) => listeners.add(listener),
      removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
    }
    vi.stubGlobal('navigator', { locks })
    vi.stubGlobal('BroadcastChannel', FakeBroadcastChannel)
    vi.stubGlobal('document', doc)
    const platform = browserTabPlatform()!
    expect(platform.locks).toBe(locks)
    expect((platform.channel('x') as unknown as FakeBroadcastChannel).name).toBe('x')
    expect(platform.newTabID()).not.toBe(platform.newTabID())
    expect(platform.isVisible()).toBe(false)
    let shown = 0
    const off = platform.onVisible(() => shown++)
    for (const listener of listeners) listener() // still hidden
    doc.visibilityState = 'visible'
    for (const listener of listeners) listener()
    expect([shown, platform.isVisible()]).toEqual([1, true])
    off()
    expect(listeners.size).toBe(0)
  })
})
