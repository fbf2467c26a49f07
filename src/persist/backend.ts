import { promisifyRequest, type UseStore } from 'idb-keyval'

/** The record listing every entry's key and savedAt, so eviction never reads the entries. */
export const INDEX_KEY = 'index'

export type Index = readonly (readonly [key: string, savedAt: number])[]

/** What one step writes: entries to delete, at most one to put, and the new index. */
export interface Change {
  readonly remove: readonly string[]
  readonly put?: readonly [key: string, value: unknown]
  readonly index: Index
}

/**
 * The storage under a cache. `change` is one atomic read-modify-write (one IndexedDB
 * transaction): two tabs saving at once are serialized by the database, so the index always
 * matches the entries and the last write wins.
 */
export interface Backend {
  get(key: string): Promise<unknown>
  /**
   * `early`: the entry the plan will put, written before the reads. A page that is unloading
   * (a reload) runs no more callbacks, so a put issued from the reads' answer would never be
   * made; one issued at once is committed with the transaction.
   */
  change(plan: (index: unknown, keys: readonly IDBValidKey[]) => Change, early?: readonly [key: string, value: unknown]): Promise<void>
}

export const idbBackend = (use: UseStore): Backend => ({
  get: (key) => use('readonly', (store) => promisifyRequest(store.get(key))),
  change: (plan, early) =>
    use('readwrite', (store) => {
      const done = promisifyRequest(store.transaction)
      try {
        if (early !== undefined) store.put(early[1], early[0])
      } catch {
        // A value the database cannot clone: write nothing. `done` rejects with the abort.
        store.transaction.abort()
        return done
      }
      // Both reads are queued at once and answer in order; the other writes go in from the last
      // answer's callback, not after an await, which could let the transaction commit first.
      const index = store.get(INDEX_KEY)
      const keys = store.getAllKeys()
      keys.onsuccess = () => {
        try {
          const change = plan(index.result, keys.result)
          for (const key of change.remove) store.delete(key)
          if (change.put !== undefined && change.put[0] !== early?.[0]) store.put(change.put[1], change.put[0])
          store.put(change.index, INDEX_KEY)
        } catch {
          // A value the database cannot clone: write nothing. `done` rejects with the abort.
          store.transaction.abort()
        }
      }
      return done
    }),
})

/**
 * A Map, cloned on the way in and out as IndexedDB would: a loaded view shares nothing with
 * the saved one, and a value IndexedDB could not store fails here too.
 */
const clone = <T>(value: T): T => structuredClone(value)

export function memoryBackend(): Backend {
  const map = new Map<string, unknown>()
  return {
    get: async (key) => clone(map.get(key)),
    change: async (plan) => {
      const change = plan(map.get(INDEX_KEY), [...map.keys()])
      const put = change.put === undefined ? undefined : clone(change.put[1])
      for (const key of change.remove) map.delete(key)
      if (change.put !== undefined) map.set(change.put[0], put)
      map.set(INDEX_KEY, clone(change.index))
    },
  }
}
