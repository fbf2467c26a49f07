import { indexedDB as fakeIndexedDB } from 'fake-indexeddb'
import { describe, expect, it, vi } from 'vitest'
import { indexedDBCache, memoryCache, toPlain, type SessionCache, type SessionCacheOptions } from '../../src/persist/index.js'
import { initialView } from '../../src/view/fold.js'
import { entryOf, fakeStore, SERVER, SESSION, turns, viewFor, viewOf } from './support.js'

type Options = Omit<SessionCacheOptions, 'store' | 'name'>

/** The same contract, kept by both caches. */
const kinds: [string, (options?: Options) => SessionCache][] = [
  ['memoryCache', (options) => memoryCache(options)],
  ['indexedDBCache (fake-indexeddb)', (options) => indexedDBCache({ ...options, store: fakeStore() })!],
]

describe.each(kinds)('%s', (_, make) => {
  it('round trip: loads what it saved, as a plain view equal to the one saved', async () => {
    const cache = make()
    const view = viewOf(turns(30)) // 90 messages: more than the list's tail
    await cache.save(SERVER, SESSION, { cursor: view.cursor, view, savedAt: 123 })
    const loaded = await cache.load(SERVER, SESSION)
    expect(loaded).toStrictEqual({ cursor: view.cursor, view: toPlain(view), savedAt: 123 })
    expect(Object.getOwnPropertyDescriptor(loaded!.view, 'messages')).toHaveProperty('value')
    expect(Object.getOwnPropertySymbols(loaded!.view)).toEqual([])
    // The server's shape, when the connection knew it, comes back with the entry.
    await cache.save(SERVER, SESSION, { cursor: view.cursor, view, savedAt: 124, shape: 'split' })
    expect(await cache.load(SERVER, SESSION)).toStrictEqual({ cursor: view.cursor, view: toPlain(view), savedAt: 124, shape: 'split' })
    // A shape a later version may know: the entry loads, the shape as unknown.
    await cache.save(SERVER, SESSION, { cursor: view.cursor, view, savedAt: 125, shape: 'sideways' as never })
    expect(await cache.load(SERVER, SESSION)).toStrictEqual({ cursor: view.cursor, view: toPlain(view), savedAt: 125 })
  })

  it('misses: another session, another server, nothing saved', async () => {
    const cache = make()
    expect(await cache.load(SERVER, SESSION)).toBeUndefined()
    await cache.save(SERVER, SESSION, entryOf(viewOf(turns(1))))
    expect(await cache.load(SERVER, 'ses_other')).toBeUndefined()
    expect(await cache.load('http://127.0.0.1:4097', SESSION)).toBeUndefined()
    // One server however its URL is spelled: trailing slash, case of the host, default port.
    expect(await cache.load('HTTP://127.0.0.1:4096/', SESSION)).toBeDefined()
  })

  it('drop removes one entry; clear(server) that server only; clear() everything', async () => {
    const cache = make()
    const entry = entryOf(viewOf(turns(1)))
    const other = 'https://other.example/api'
    await cache.save(SERVER, SESSION, entry)
    await cache.save(other, SESSION, entry)
    await cache.drop(SERVER, SESSION)
    expect(await cache.load(SERVER, SESSION)).toBeUndefined()
    expect(await cache.load(other, SESSION)).toBeDefined()
    await cache.save(SERVER, SESSION, entry)
    await cache.clear('https://other.example/api/')
    expect(await cache.load(other, SESSION)).toBeUndefined()
    expect(await cache.load(SERVER, SESSION)).toBeDefined()
    await cache.save(other, SESSION, entry)
    await cache.clear()
    expect(await cache.load(SERVER, SESSION)).toBeUndefined()
    expect(await cache.load(other, SESSION)).toBeUndefined()
  })

  it('evicts the least recently saved entries beyond maxEntries', async () => {
    const cache = make({ maxEntries: 3 })
    const save = (id: string, savedAt: number) => cache.save(SERVER, id, entryOf(viewFor(id), savedAt))
    for (const [i, id] of ['ses_test', 'ses_b', 'ses_c'].entries()) await save(id, i + 1)
    await save(SESSION, 10) // saved again: now the newest
    await save('ses_d', 11)
    await save('ses_e', 12)
    const present = []
    for (const id of ['ses_test', 'ses_b', 'ses_c', 'ses_d', 'ses_e']) if (await cache.load(SERVER, id)) present.push(id)
    expect(present).toEqual(['ses_test', 'ses_d', 'ses_e'])
  })

  it('keeps the entry just saved even when its clock says it is the oldest', async () => {
    const cache = make({ maxEntries: 1 })
    await cache.save(SERVER, 'ses_b', entryOf(viewFor('ses_b'), 100))
    expect(await cache.load(SERVER, 'ses_b')).toBeDefined()
    await cache.save(SERVER, SESSION, entryOf(viewOf(turns(1)), 1))
    expect(await cache.load(SERVER, SESSION)).toBeDefined()
    expect(await cache.load(SERVER, 'ses_b')).toBeUndefined()
  })

  it('an entry over maxBytes is not stored, and drops the older one instead', async () => {
    const small = viewOf(turns(1))
    const limit = JSON.stringify(toPlain(small)).length
    const cache = make({ maxBytes: limit })
    await cache.save(SERVER, SESSION, entryOf(small))
    expect(await cache.load(SERVER, SESSION)).toBeDefined()
    await cache.save(SERVER, SESSION, entryOf(viewOf(turns(2))))
    expect(await cache.load(SERVER, SESSION)).toBeUndefined()
  })

  it('back-to-back saves of one key: every promise settles and the newest is stored', async () => {
    const cache = make()
    const views = [1, 2, 3].map((n) => viewOf(turns(n)))
    await Promise.all(views.map((view) => cache.save(SERVER, SESSION, entryOf(view))))
    expect((await cache.load(SERVER, SESSION))?.view).toStrictEqual(toPlain(views[2]!))
  })

  it('a drop cancels a save still pending, so a reset never comes back from the cache', async () => {
    const cache = make()
    const saved = cache.save(SERVER, SESSION, entryOf(viewOf(turns(1))))
    await cache.drop(SERVER, SESSION)
    await saved
    expect(await cache.load(SERVER, SESSION)).toBeUndefined()
  })

  it('refuses to store a view of another session, or none, and says why', async () => {
    const onError = vi.fn()
    const cache = make({ onError })
    await cache.save(SERVER, 'ses_other', entryOf(viewOf(turns(1))))
    await cache.save(SERVER, SESSION, entryOf(initialView()))
    await cache.save(SERVER, SESSION, { ...entryOf(viewOf(turns(1))), cursor: 1.5 })
    expect(await cache.load(SERVER, 'ses_other')).toBeUndefined()
    expect(await cache.load(SERVER, SESSION)).toBeUndefined()
    expect(onError.mock.calls.map(([error]) => String(error))).toEqual([
      'Error: session cache: not saved: view.sessionID: another session',
      'Error: session cache: not saved: view.sessionID: expected a string',
      'Error: session cache: not saved: cursor: expected an integer ≥ -1',
    ])
  })

  it('a value that cannot be cloned is reported, never thrown, and the old entry stays', async () => {
    const onError = vi.fn()
    const cache = make({ onError })
    const view = viewOf(turns(1))
    await cache.save(SERVER, SESSION, entryOf(view))
    const unclonable = { ...toPlain(view), retry: { attempt: 1, at: 0, error: { message: 'x', isRetryable: true }, callback: () => 1 } }
    await expect(cache.save(SERVER, SESSION, entryOf(unclonable))).resolves.toBeUndefined()
    expect(onError).toHaveBeenCalledOnce()
    expect((await cache.load(SERVER, SESSION))?.view).toStrictEqual(toPlain(view))
  })
})

it('indexedDBCache is undefined where there is no indexedDB (Node, SSR)', () => {
  expect(globalThis.indexedDB).toBeUndefined()
  expect(indexedDBCache()).toBeUndefined()
  expect(indexedDBCache({ store: fakeStore() })).toBeDefined()
})

it('without a store, uses the global indexedDB through idb-keyval: tabs share it, names separate', async () => {
  Object.assign(globalThis, { indexedDB: fakeIndexedDB })
  try {
    const view = viewOf(turns(2))
    await indexedDBCache()!.save(SERVER, SESSION, entryOf(view))
    expect((await indexedDBCache()!.load(SERVER, SESSION))?.view).toStrictEqual(toPlain(view))
    expect(await indexedDBCache({ name: 'another' })!.load(SERVER, SESSION)).toBeUndefined()
  } finally {
    Reflect.deleteProperty(globalThis, 'indexedDB')
  }
})
