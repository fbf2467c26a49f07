/**
 * Time and randomness the engine uses, injectable so tests can make turns, heartbeats
 * and split sizes deterministic. Defaults are the platform's own (browser or Node).
 */
export interface Scheduler {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realScheduler: Scheduler = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
}

export interface IdSource {
  next(prefix: string): string
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/**
 * Sortable-ish IDs: time, a process counter, then random characters. The random tail
 * keeps IDs unique across a restart on the same data directory, when the counter
 * starts over.
 */
export function createIds(now: () => number, random: () => number): IdSource {
  let counter = 0
  const tail = (length: number): string => {
    let out = ''
    for (let index = 0; index < length; index++) out += ALPHABET[Math.floor(random() * ALPHABET.length)] ?? '0'
    return out
  }
  return {
    next(prefix) {
      counter++
      return `${prefix}_${now().toString(36)}${counter.toString(36).padStart(4, '0')}${tail(8)}`
    },
  }
}
