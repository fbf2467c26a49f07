import type { Environment } from './environment.js'

export interface Watchdog {
  start(): void
  stop(): void
  /** While paused (the consumer applies backpressure) silence is ours, not the server's. */
  pause(): void
  resume(): void
}

/** Lateness beyond which a timer is taken as proof the machine (or the tab) was frozen. */
const SLEEP_SLACK_MS = 10_000

/**
 * One re-armed timer per open connection. Two ways a socket is declared dead:
 * - idle: no byte (comments count) for `idleTimeoutMs`;
 * - sleep: the timer fired far later than scheduled AND no byte arrived since it was due.
 *   After a laptop sleeps, a TCP socket can look open for minutes; a throttled background
 *   tab fires late too, but keeps receiving heartbeats, so it is not mistaken for sleep.
 */
export function createWatchdog(
  env: Environment,
  idleTimeoutMs: number,
  lastByteAt: () => number | null,
  onDead: (code: 'idle-timeout' | 'sleep-detected') => void,
): Watchdog {
  const interval = Math.max(1, Math.min(5000, Math.floor(idleTimeoutMs / 3)))
  let timer: unknown
  let expectedAt = 0
  let paused = 0
  let resumedAt = 0

  const arm = () => {
    expectedAt = env.now() + interval
    timer = env.setTimeout(tick, interval)
  }
  const tick = () => {
    timer = undefined
    const now = env.now()
    const last = Math.max(lastByteAt() ?? 0, resumedAt)
    if (paused === 0) {
      if (now - expectedAt > SLEEP_SLACK_MS && last < expectedAt) return onDead('sleep-detected')
      if (now - last >= idleTimeoutMs) return onDead('idle-timeout')
    }
    arm()
  }
  const stop = () => {
    if (timer !== undefined) env.clearTimeout(timer)
    timer = undefined
  }
  return {
    start: () => {
      stop()
      paused = 0
      resumedAt = env.now()
      arm()
    },
    stop,
    pause: () => {
      paused++
    },
    resume: () => {
      paused = Math.max(0, paused - 1)
      resumedAt = env.now()
    },
  }
}
