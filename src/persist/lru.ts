import type { Change, Index } from './backend.js'

const isEntryKey = (key: IDBValidKey): key is string => typeof key === 'string' && key.startsWith('[')

/**
 * The stored index as key → savedAt, trusted only where it agrees with the keys actually
 * stored: a listed key whose entry is gone is forgotten, and an entry the index does not
 * list (the index record was lost or garbled) counts as the oldest, so it goes first.
 */
function current(stored: unknown, keys: readonly IDBValidKey[]): Map<string, number> {
  const present = new Set(keys.filter(isEntryKey))
  const savedAt = new Map<string, number>()
  if (Array.isArray(stored)) {
    for (const item of stored as unknown[]) {
      if (!Array.isArray(item)) continue
      const [key, at] = item as unknown[]
      if (typeof key === 'string' && present.has(key) && typeof at === 'number' && Number.isFinite(at)) savedAt.set(key, at)
    }
  }
  for (const key of present) if (!savedAt.has(key)) savedAt.set(key, 0)
  return savedAt
}

const asIndex = (savedAt: Map<string, number>): Index => [...savedAt]

/** Puts `value` at `key` and evicts the least recently saved others beyond `maxEntries`. */
export const planSave =
  (key: string, value: unknown, at: number, maxEntries: number) =>
  (stored: unknown, keys: readonly IDBValidKey[]): Change => {
    const savedAt = current(stored, keys)
    savedAt.delete(key)
    // Oldest first; the entry being saved is never a candidate, whatever its clock said.
    const remove = [...savedAt]
      .toSorted((a, b) => a[1] - b[1])
      .slice(0, Math.max(0, savedAt.size + 1 - maxEntries))
      .map(([old]) => old)
    for (const old of remove) savedAt.delete(old)
    savedAt.set(key, at)
    return { remove, put: [key, value], index: asIndex(savedAt) }
  }

/** Removes every entry whose key `matches`. */
export const planRemove =
  (matches: (key: string) => boolean) =>
  (stored: unknown, keys: readonly IDBValidKey[]): Change => {
    const savedAt = current(stored, keys)
    const remove = [...savedAt.keys()].filter(matches)
    for (const key of remove) savedAt.delete(key)
    return { remove, index: asIndex(savedAt) }
  }
