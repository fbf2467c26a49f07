import type { FlushScheduler } from '../../src/store/scheduler.js'

/** A scheduler the test drives: `frame()` runs what one animation frame would. */
export function createManualScheduler() {
  let queued: (() => void)[] = []
  let frames = 0
  const scheduler: FlushScheduler = (flush) => {
    queued.push(flush)
    return () => {
      queued = queued.filter((f) => f !== flush)
    }
  }
  return {
    scheduler,
    frame() {
      const run = queued
      queued = []
      frames++
      for (const flush of run) flush()
    },
    get pending() {
      return queued.length
    },
    get frames() {
      return frames
    },
  }
}
