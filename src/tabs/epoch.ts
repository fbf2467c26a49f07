/**
 * Which leader a tab listens to. Pure. The leader lock is the truth, but a tab whose lock
 * was stolen may publish for a moment before it learns so: every leader message carries
 * (epoch, tabID), a new leader takes an epoch above every one it has seen, and a tab
 * follows only the highest pair it has seen.
 */
export interface LeaderRef {
  readonly tabID: string
  readonly epoch: number
}

/** Orders leaders: by epoch, then by tabID so that two equal epochs still have one winner. */
export function compareLeaders(a: LeaderRef, b: LeaderRef): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1
  return a.tabID === b.tabID ? 0 : a.tabID < b.tabID ? -1 : 1
}

/** `newer`: follow it from now on; `same`: the one followed; `stale`: a deposed leader, drop. */
export function judgeLeader(current: LeaderRef | undefined, incoming: LeaderRef): 'newer' | 'same' | 'stale' {
  if (current === undefined) return 'newer'
  const order = compareLeaders(incoming, current)
  return order > 0 ? 'newer' : order === 0 ? 'same' : 'stale'
}

/**
 * The epoch a newly promoted leader takes: above every epoch it has seen, and at least the
 * wall clock, so a tab that joined too late to hear the previous leader still outranks it
 * (leaders were promoted one after another on the same clock).
 */
export const nextEpoch = (now: number, highestSeen: number): number => Math.max(Math.floor(now), Math.floor(highestSeen) + 1)
