import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8'

export const now = (): number => performance.now()

export const median = (values: readonly number[]): number => percentile(values, 50)

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = values.toSorted((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] ?? Number.NaN
}

/** Resolves in a later task (after I/O), the way a socket read arrives. */
export const nextTask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const gcFunction = (): (() => void) => {
  const candidate: unknown = Reflect.get(globalThis, 'gc')
  if (typeof candidate !== 'function') throw new Error('run with node --expose-gc')
  return () => void Reflect.apply(candidate, globalThis, [])
}

/**
 * Heap in use after full collections (several, so weak and finalizable objects go too).
 * `objects` leaves out code space: compiled code grows as the JIT (re)optimizes, which
 * is not memory the program holds.
 */
export async function settledHeap(what: 'all' | 'objects' = 'all'): Promise<number> {
  const gc = gcFunction()
  for (let i = 0; i < 3; i++) {
    gc()
    await nextTask()
  }
  if (what === 'all') return getHeapStatistics().used_heap_size
  return getHeapSpaceStatistics()
    .filter((space) => space.space_name !== 'code_space' && space.space_name !== 'code_large_object_space')
    .reduce((sum, space) => sum + space.space_used_size, 0)
}

export const heapNow = (): number => getHeapStatistics().used_heap_size

/**
 * Runs `rounds` of each variant after `warmup` rounds, interleaved (a, b, a, b, …) so
 * drift on a noisy machine hits both alike; returns each variant's samples.
 */
export async function interleave<K extends string>(
  variants: Readonly<Record<K, () => Promise<number>>>,
  rounds: number,
  warmup = 1,
): Promise<Record<K, number[]>> {
  const keys = Object.keys(variants) as K[]
  const samples = Object.fromEntries(keys.map((key) => [key, [] as number[]])) as Record<K, number[]>
  for (let round = 0; round < warmup + rounds; round++) {
    for (const key of keys) {
      const sample = await variants[key]()
      if (round >= warmup) samples[key].push(sample)
    }
  }
  return samples
}

/** Median of the per-round ratios a[i] / b[i]: drift on a shared machine hits both sides of a round alike. */
export const pairedRatio = (a: readonly number[], b: readonly number[]): number =>
  median(a.map((value, i) => value / (b[i] ?? Number.NaN)))

export const ms = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`
export const us = (value: number): string => `${value.toFixed(2)} µs`
export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
export const kb = (bytes: number): string => `${(bytes / 1000).toFixed(2)} kB`
export const ratio = (value: number): string => `${value.toFixed(2)}×`
export const count = (value: number): string => Math.round(value).toLocaleString('en-US')
