import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defaultScheduler, NODE_WINDOW_MS } from '../../src/store/scheduler.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('defaultScheduler', () => {
  it('flushes once per task where there are no animation frames', async () => {
    const flush = vi.fn<() => void>()
    defaultScheduler(flush)
    expect(flush).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(0)
    expect(flush).toHaveBeenCalledTimes(1)
  })

  it('flushes on the next animation frame, once', async () => {
    const frames: (() => void)[] = []
    vi.stubGlobal('requestAnimationFrame', (callback: () => void) => frames.push(callback))
    vi.stubGlobal('cancelAnimationFrame', () => {})
    const flush = vi.fn<() => void>()
    defaultScheduler(flush)
    for (const frame of frames) frame()
    await vi.advanceTimersByTimeAsync(1000)
    expect(flush).toHaveBeenCalledTimes(1)
  })

  it('still flushes within 100 ms in a hidden tab that gets no frames', async () => {
    vi.stubGlobal('requestAnimationFrame', () => 1)
    vi.stubGlobal('cancelAnimationFrame', () => {})
    const flush = vi.fn<() => void>()
    defaultScheduler(flush)
    await vi.advanceTimersByTimeAsync(99)
    expect(flush).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(flush).toHaveBeenCalledTimes(1)
  })

  it('without animation frames, flushes one store at most every NODE_WINDOW_MS, at once after a quiet spell', async () => {
    const flush = vi.fn<() => void>()
    const other = vi.fn<() => void>()
    defaultScheduler(flush)
    await vi.advanceTimersByTimeAsync(0)
    expect(flush).toHaveBeenCalledTimes(1)
    // Events right behind it wait for the window; another store's do not.
    defaultScheduler(flush)
    defaultScheduler(other)
    await vi.advanceTimersByTimeAsync(NODE_WINDOW_MS - 1)
    expect(flush).toHaveBeenCalledTimes(1)
    expect(other).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(flush).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(10 * NODE_WINDOW_MS)
    defaultScheduler(flush)
    await vi.advanceTimersByTimeAsync(0)
    expect(flush).toHaveBeenCalledTimes(3)
  })

  it('can be cancelled', async () => {
    const flush = vi.fn<() => void>()
    defaultScheduler(flush)()
    await vi.advanceTimersByTimeAsync(1000)
    expect(flush).not.toHaveBeenCalled()
  })
})
