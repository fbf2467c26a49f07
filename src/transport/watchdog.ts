import type { Environment } from './environment.js'

export interface Watchdog {
  start(): void
  stop(): void
  /** While paused (the consumer applies backpressure) silence is ours, not the server's. */
  pause(): void
  resume(): void
}

export type DeadCode = 'connect-timeout' | 'idle-timeout' | 'sleep-detected'

/** Lateness beyond which a timer is taken as proof the machine (or the tab) was frozen. */
const SLEEP_SLACK_MS = 10_000
/** How often the watchdog looks, at most: often enough for sleep detection to mean something. */
const MAX_TICK_MS = 5000

/**
 * One re-armed timer per attempt. Three ways an attempt is declared dead:
 * - connect: no response headers `connectMs` after the attempt began (a server that accepts
 *   while it boots and never answers);
 * - idle: the response open, no byte (comments count) for `idleMs`;
 * - sleep: the timer fired far later than scheduled AND no byte arrived since it was due.
 *   After a laptop sleeps, a TCP socket can look open for minutes; a throttled background
 *   tab fires late too, but keeps receiving heartbeats, so it is not mistaken for sleep.
 * The deadlines are read on every tick, so a stream may relax them once it knows its server.
 */
export function createWatchdog(
  env: Environment,
  deadlines: () => { readonly connectMs: number; readonly idleMs: number },
  lastByteAt: () => number | null,
  openedAt: () => number | null,
  onDead: (code: DeadCode, ms: number) => void,
): Watchdog {
  let timer: unknown
  let expectedAt = 0
  let paused = 0
  let resumedAt = 0
  let startedAt = 0

  /** Until the deadline that applies now, but at least every 5 s, so sleep is noticed. */
  const delay = () => {
    const { connectMs, idleMs } = deadlines()
    const now = env.now()
    const opened = openedAt()
    const due = opened === null ? startedAt + connectMs - now : Math.max(lastByteAt() ?? 0, resumedAt) + idleMs - now
    return Math.max(1, Math.min(MAX_TICK_MS, due))
  }
  const arm = () => {
    const ms = delay()
    expectedAt = env.now() + ms
    timer = env.setTimeout(tick, ms)
  }
  const tick = () => {
    timer = undefined
    const now = env.now()
    const last = Math.max(lastByteAt() ?? 0, resumedAt)
    if (paused === 0) {
      const { connectMs, idleMs } = deadlines()
      if (now - expectedAt > SLEEP_SLACK_MS && last < expectedAt) return onDead('sleep-detected', 0)
      if (openedAt() === null) {
        if (now - startedAt >= connectMs) return onDead('connect-timeout', connectMs)
      } else if (now - last >= idleMs) return onDead('idle-timeout', idleMs)
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
      startedAt = resumedAt = env.now()
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
