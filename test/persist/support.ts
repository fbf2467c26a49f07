import { IDBFactory } from 'fake-indexeddb'
import { entries, promisifyRequest, type UseStore } from 'idb-keyval'
import type { SessionEvent } from '../../src/protocol/events.js'
import { foldEvents } from '../../src/view/fold.js'
import type { SessionView } from '../../src/view/types.js'
import { Script, scriptedTurn } from '../view/fixtures.js'

export { SESSION } from '../view/fixtures.js'
export const SERVER = 'http://127.0.0.1:4096'

/**
 * idb-keyval's createStore on an injected factory instead of the global `indexedDB`: each
 * call is one connection, as each tab of a browser has its own.
 */
export function fakeStore(factory: IDBFactory = new IDBFactory(), name = 'session-stream'): UseStore {
  let db: Promise<IDBDatabase> | undefined
  return (mode, callback) => {
    db ??= (() => {
      const request = factory.open(name)
      request.onupgradeneeded = () => request.result.createObjectStore('sessions')
      return promisifyRequest(request)
    })()
    return db.then((opened) => callback(opened.transaction('sessions', mode).objectStore('sessions')))
  }
}

/** Every key and value the store holds, as another tab would read them. */
export const raw = (store: UseStore) => entries<string, unknown>(store)

/** Counts the transactions a cache opens and the object store methods it calls. */
export function counted(store: UseStore) {
  const calls = { readonly: 0, readwrite: 0, methods: new Set<string>() }
  const use: UseStore = (mode, callback) => {
    calls[mode === 'readwrite' ? 'readwrite' : 'readonly']++
    return store(mode, (objectStore) => {
      const watched = new Proxy(objectStore, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target)
          if (typeof value !== 'function') return value
          calls.methods.add(String(property))
          return (...args: unknown[]) => Reflect.apply(value, target, args)
        },
      })
      return callback(watched)
    })
  }
  return { use, calls }
}

/** `turns` complete tool turns (3 messages each) with live deltas between the durable rows. */
export const turns = (count: number): SessionEvent[] => {
  const script = new Script()
  for (let turn = 0; turn < count; turn++) scriptedTurn(script, turn)
  return script.events
}

export const viewOf = (events: readonly SessionEvent[]): SessionView => foldEvents(events)

export const entryOf = (view: SessionView, savedAt = 1) => ({ cursor: view.cursor, view, savedAt })

/** A small view of session `sessionID` (the fixtures fold `ses_test`). */
export const viewFor = (sessionID: string): SessionView => ({ ...viewOf(turns(1)), sessionID })
