import type { Environment } from '../../src/transport/environment.js'

/**
 * An Environment on vitest's fake timers (install them with vi.useFakeTimers() first),
 * with online and visibility signals the test flips, and listener counts to prove that
 * close() leaves nothing behind.
 */
export function createTestEnvironment(random = () => 0.9999) {
  let online = true
  const onlineListeners = new Set<(online: boolean) => void>()
  const visibilityListeners = new Set<(visible: boolean) => void>()
  const environment: Environment = {
    now: () => Date.now(),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    random: () => random(),
    isOnline: () => online,
    onOnlineChange: (listener) => {
      onlineListeners.add(listener)
      return () => onlineListeners.delete(listener)
    },
    onVisibilityChange: (listener) => {
      visibilityListeners.add(listener)
      return () => visibilityListeners.delete(listener)
    },
  }
  return {
    environment,
    setOnline(next: boolean) {
      online = next
      for (const listener of onlineListeners) listener(next)
    },
    setVisible(next: boolean) {
      for (const listener of visibilityListeners) listener(next)
    },
    listenerCount: () => onlineListeners.size + visibilityListeners.size,
  }
}
