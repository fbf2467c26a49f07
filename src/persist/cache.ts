import { createStore, type UseStore } from 'idb-keyval'
import { idbBackend, memoryBackend, type Backend } from './backend.js'
import { entryKey, serverKey, serverPrefix } from './key.js'
import { planRemove, planSave } from './lru.js'
import { CACHE_VERSION, problemOf, toPlain, type CachedSession, type StoredRecord } from './record.js'

export { CACHE_VERSION, toPlain, type CachedSession } from './record.js'
export { serverKey } from './key.js'

/** Normalized here too, so a raw base URL handed in by mistake never stores its credentials. */
const keyOf = (server: string, sessionID: string): string => entryKey(serverKey(server), sessionID)

export interface SessionCache {
  /** The entry for this server + session, or undefined (missing, other format version, unreadable, other server). Never rejects: a broken store reads as a miss. */
  load(server: string, sessionID: string): Promise<CachedSession | undefined>
  /** Stores it unless it is larger than maxBytes (then drops any older entry instead). Evicts least recently saved entries beyond maxEntries. Never rejects. */
  save(server: string, sessionID: string, entry: CachedSession): Promise<void>
  drop(server: string, sessionID: string): Promise<void>
  /** Drops every entry of this server (a different server, a sign-out), or of every server. */
  clear(server?: string): Promise<void>
}

export interface SessionCacheOptions {
  /** IndexedDB database name. @default 'session-stream' */
  readonly name?: string
  /** @default 50 */
  readonly maxEntries?: number
  /** Serialized size bound per entry (UTF-16 code units of its JSON, as an estimate of bytes). @default 8 MiB */
  readonly maxBytes?: number
  /** The key-value store: idb-keyval's `createStore(name, 'sessions')` by default. */
  readonly store?: UseStore
  /** Told of what the cache swallows (a failing database, a quota, a dropped corrupt entry): it never rejects. */
  readonly onError?: (error: unknown) => void
}

/** IndexedDB through idb-keyval. Returns undefined where indexedDB is missing (Node, SSR), so callers can skip caching. */
export function indexedDBCache(options: SessionCacheOptions = {}): SessionCache | undefined {
  if (options.store === undefined && typeof globalThis.indexedDB === 'undefined') return undefined
  return cacheOver(idbBackend(options.store ?? createStore(options.name ?? 'session-stream', 'sessions')), options)
}

/** In memory, for tests and for environments without IndexedDB (same bounds and versioning). */
export function memoryCache(options: Omit<SessionCacheOptions, 'store' | 'name'> = {}): SessionCache {
  return cacheOver(memoryBackend(), options)
}

interface Pending {
  entry: CachedSession
  readonly settled: (() => void)[]
}

function cacheOver(backend: Backend, options: Omit<SessionCacheOptions, 'store' | 'name'>): SessionCache {
  const maxEntries = Math.max(1, Math.floor(options.maxEntries ?? 50))
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024
  const report = (error: unknown): void => {
    try {
      options.onError?.(error)
    } catch {
      // A throwing reporter must not make the cache reject.
    }
  }
  /** Runs a storage step; a failure is reported and swallowed. */
  const attempt = async <T>(step: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await step()
    } catch (error) {
      report(error)
      return undefined
    }
  }

  // Saves per key not yet started: a newer one replaces an older one, which never runs.
  const pending = new Map<string, Pending>()
  const running = new Set<string>()

  const remove = (matches: (key: string) => boolean) => {
    for (const [key, job] of pending) {
      if (!matches(key)) continue
      pending.delete(key)
      for (const settle of job.settled) settle()
    }
    // Queued after any save already under way, so it also removes what that one writes.
    return attempt(() => backend.change(planRemove(matches)))
  }

  const write = (key: string, sessionID: string, entry: CachedSession) =>
    attempt(async () => {
      const { cursor, savedAt, shape } = entry
      const record: StoredRecord = { version: CACHE_VERSION, key, cursor, savedAt, view: toPlain(entry.view), ...(shape === undefined ? {} : { shape }) }
      const problem = problemOf(record, key, sessionID)
      if (problem !== undefined) throw new Error(`session cache: not saved: ${problem}`)
      // The view's JSON is the estimate: what IndexedDB keeps is of the same order.
      if (JSON.stringify(record.view).length > maxBytes) return backend.change(planRemove((other) => other === key))
      return backend.change(planSave(key, record, entry.savedAt, maxEntries), [key, record])
    })

  const drain = async (key: string, sessionID: string): Promise<void> => {
    running.add(key)
    // One microtask first, so saves issued back to back in this task become one write.
    await Promise.resolve()
    for (let job = pending.get(key); job !== undefined; job = pending.get(key)) {
      pending.delete(key)
      await write(key, sessionID, job.entry)
      for (const settle of job.settled) settle()
    }
    running.delete(key)
  }

  return {
    async load(server, sessionID) {
      const key = keyOf(server, sessionID)
      const value = await attempt(() => backend.get(key))
      if (value === undefined) return undefined
      const problem = problemOf(value, key, sessionID)
      if (problem === undefined) {
        const { cursor, view, savedAt, shape } = value as StoredRecord
        // A shape this version does not know (a later one's) is as good as none.
        return shape === 'unified' || shape === 'split' ? { cursor, view, savedAt, shape } : { cursor, view, savedAt }
      }
      if (problem !== '') report(new Error(`session cache: dropped an unreadable entry: ${problem}`))
      // A save of this key may be on its way: it replaces the bad entry anyway.
      if (!pending.has(key) && !running.has(key)) await attempt(() => backend.change(planRemove((other) => other === key)))
      return undefined
    },
    save(server, sessionID, entry) {
      const key = keyOf(server, sessionID)
      return new Promise<void>((resolve) => {
        const job = pending.get(key)
        if (job !== undefined) {
          job.entry = entry
          job.settled.push(resolve)
          return
        }
        pending.set(key, { entry, settled: [resolve] })
        if (!running.has(key)) void drain(key, sessionID)
      })
    },
    async drop(server, sessionID) {
      const key = keyOf(server, sessionID)
      await remove((other) => other === key)
    },
    async clear(server) {
      const prefix = server === undefined ? '[' : serverPrefix(serverKey(server))
      await remove((key) => key.startsWith(prefix))
    },
  }
}
