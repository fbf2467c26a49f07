import type { TabPlatform } from './platform.js'

/*
 * Timers for a frozen leader. A crashed or closed leader releases its lock by itself; a
 * leader frozen in a background tab does not, so it says `alive` while other tabs depend
 * on it and a visible follower that hears nothing for `silenceMs` takes the lock.
 */

export interface SilenceWatch {
  /** Something came from the leader: the silence starts again. */
  heard(): void
  /** Watches while `on`; turning it on starts the silence afresh. */
  set(on: boolean): void
}

/**
 * Calls `onSilent` once, after `silenceMs` without `heard()`, in a visible tab. A hidden
 * tab never steals: once it is shown again it waits `graceMs` for messages that queued
 * while it was frozen itself, so it does not depose a leader that is only quiet to it.
 */
export function createSilenceWatch(platform: TabPlatform, silenceMs: number, onSilent: () => void): SilenceWatch {
  const graceMs = Math.min(1000, silenceMs / 3)
  let on = false
  let lastHeard = 0
  let timer: unknown
  let offVisible: (() => void) | undefined

  const idle = (): void => {
    if (timer !== undefined) platform.clearTimeout(timer)
    timer = undefined
    offVisible?.()
    offVisible = undefined
  }
  const schedule = (ms: number): void => {
    idle()
    timer = platform.setTimeout(check, ms)
  }
  function check(): void {
    timer = undefined
    const quiet = platform.now() - lastHeard
    if (quiet < silenceMs) return schedule(silenceMs - quiet)
    if (!platform.isVisible()) {
      offVisible = platform.onVisible(() => schedule(graceMs))
      return
    }
    on = false
    onSilent()
  }

  return {
    heard() {
      lastHeard = platform.now()
      if (on && timer === undefined) schedule(silenceMs) // it was waiting to be shown
    },
    set(next) {
      if (next === on) return
      on = next
      if (!next) return idle()
      lastHeard = platform.now()
      schedule(silenceMs)
    },
  }
}

/** Calls `tick` every `ms` while on. */
export function createTicker(platform: TabPlatform, ms: number, tick: () => void): { set(on: boolean): void } {
  let timer: unknown
  const run = (): void => {
    timer = platform.setTimeout(run, ms)
    tick()
  }
  return {
    set(on) {
      if (on && timer === undefined) timer = platform.setTimeout(run, ms)
      if (!on && timer !== undefined) {
        platform.clearTimeout(timer)
        timer = undefined
      }
    },
  }
}
