import { IDBFactory } from 'fake-indexeddb'
import { promisifyRequest, set, type UseStore } from 'idb-keyval'
import { describe, expect, it, vi } from 'vitest'
import { CACHE_VERSION, indexedDBCache, serverKey, toPlain } from '../../src/persist/index.js'
import { entryKey } from '../../src/persist/key.js'
import { counted, entryOf, fakeStore, raw, SERVER, SESSION, turns, viewFor, viewOf } from './support.js'

const KEY = entryKey(serverKey(SERVER), SESSION)

const open = (store: UseStore = fakeStore(), onError?: (error: unknown) => void) =>
  indexedDBCache({ store, maxEntries: 3, ...(onError && { onError }) })!

describe('what reaches IndexedDB', () => {
  it('never a credential, a query or a fragment of the base URL: only origin and path', async () => {
    const store = fakeStore()
    const url = 'https://opencode:hunter2@Example.com:443/api/?token=sekrit#fr4gment'
    expect(serverKey(url)).toBe('https://example.com/api')
    // Handed the raw URL by mistake, the cache still normalizes it.
    await open(store).save(url, SESSION, entryOf(viewOf(turns(1))))
    await open(store).save(serverKey(url), 'ses_b', entryOf(viewFor('ses_b')))
    const stored = JSON.stringify(await raw(store))
    for (const secret of ['hunter2', 'opencode:', 'sekrit', 'token=', 'fr4gment', '@']) expect(stored).not.toContain(secret)
    expect(await open(store).load('https://example.com/api', SESSION)).toBeDefined()
  })

  it('only cursor, view, savedAt, version and key in an entry, and an index of keys and savedAt', async () => {
    const store = fakeStore()
    const view = viewOf(turns(1))
    await open(store).save(SERVER, SESSION, { cursor: view.cursor, view, savedAt: 5, extra: 'no' } as never)
    expect(await raw(store)).toStrictEqual([
      [KEY, { version: CACHE_VERSION, key: KEY, cursor: view.cursor, savedAt: 5, view: toPlain(view) }],
      ['index', [[KEY, 5]]],
    ])
  })

  it('a save reads the index and the keys, never every value', async () => {
    const { use, calls } = counted(fakeStore())
    const cache = open(use)
    for (const id of ['ses_a', 'ses_b', 'ses_c', 'ses_d']) await cache.save(SERVER, id, entryOf(viewFor(id)))
    expect([...calls.methods].toSorted()).toEqual(['delete', 'get', 'getAllKeys', 'put'])
  })

  it('saves of one key issued back to back become one write; one issued during a write waits for it', async () => {
    const { use, calls } = counted(fakeStore())
    const cache = open(use)
    const views = [1, 2, 3, 4, 5].map((n) => viewOf(turns(n)))
    await Promise.all(views.slice(0, 3).map((view) => cache.save(SERVER, SESSION, entryOf(view))))
    expect(calls.readwrite).toBe(1)
    // The first starts; the next two arrive while it is under way: only the newer of them runs.
    const first = cache.save(SERVER, SESSION, entryOf(views[3]!))
    await Promise.resolve()
    const later = [cache.save(SERVER, SESSION, entryOf(views[0]!)), cache.save(SERVER, SESSION, entryOf(views[4]!))]
    await Promise.all([first, ...later])
    expect(calls.readwrite).toBe(3)
    expect((await cache.load(SERVER, SESSION))?.view).toStrictEqual(toPlain(views[4]!))
  })
})

describe('what comes back from IndexedDB', () => {
  const view = toPlain(viewOf(turns(1)))
  const good = { version: CACHE_VERSION, key: KEY, cursor: view.cursor, savedAt: 1, view }
  const cases: [string, unknown, string | undefined][] = [
    ['another format version', { ...good, version: CACHE_VERSION + 1 }, undefined],
    ['no version', { ...good, version: undefined }, undefined],
    ['null', null, '(root): expected an object'],
    ['a string', 'text', '(root): expected an object'],
    ['a cursor below -1', { ...good, cursor: -2 }, 'cursor: expected an integer ≥ -1'],
    ['a fractional cursor', { ...good, cursor: 1.5 }, 'cursor: expected an integer ≥ -1'],
    ['a view without messages', { ...good, view: { ...view, messages: undefined } }, 'view.messages: expected an array'],
    ['a message that is null', { ...good, view: { ...view, messages: [null] } }, 'view.messages.0: expected an object'],
    ['a view of another session', { ...good, view: { ...view, sessionID: 'ses_x' } }, 'view.sessionID: another session'],
    ['an entry moved from another key', { ...good, key: entryKey('http://x', SESSION) }, 'key: stored under another key'],
  ]

  it.each(cases)('%s: a miss, dropped, never thrown', async (_, value, problem) => {
    const store = fakeStore()
    const onError = vi.fn()
    await set(KEY, value, store)
    expect(await open(store, onError).load(SERVER, SESSION)).toBeUndefined()
    expect(await raw(store)).toEqual([['index', []]])
    const reported = onError.mock.calls.map(([error]) => String(error))
    expect(reported).toEqual(problem === undefined ? [] : [`Error: session cache: dropped an unreadable entry: ${problem}`])
  })

  it('a garbled index is rebuilt from the stored keys; entries it did not list are evicted first', async () => {
    const store = fakeStore()
    const cache = open(store)
    for (const [i, id] of ['ses_a', 'ses_b', 'ses_c'].entries()) await cache.save(SERVER, id, entryOf(viewFor(id), 100 + i))
    await set('index', [['not', 'pairs'], 7], store)
    await cache.save(SERVER, 'ses_d', entryOf(viewFor('ses_d'), 1))
    await cache.save(SERVER, 'ses_e', entryOf(viewFor('ses_e'), 2))
    const keys = (await raw(store)).map(([key]) => key)
    expect(keys).toHaveLength(4) // the index and three entries
    for (const id of ['ses_d', 'ses_e']) expect(await cache.load(SERVER, id)).toBeDefined()
  })
})

describe('two tabs', () => {
  it('saving the same sessions at once: the index matches the entries, each entry whole, from one tab or the other', async () => {
    const factory = new IDBFactory()
    const [a, b] = [open(fakeStore(factory)), open(fakeStore(factory))]
    const ids = ['ses_1', 'ses_2', 'ses_3', 'ses_4', 'ses_5', 'ses_6']
    const ofA = (id: string) => viewFor(id)
    const ofB = (id: string) => ({ ...viewFor(id), activity: 'idle' as const, messages: viewFor(id).messages.slice(1) })
    await Promise.all(
      ids.flatMap((id, i) => [a.save(SERVER, id, entryOf(ofA(id), i)), b.save(SERVER, id, entryOf(ofB(id), i))]),
    )
    const stored = new Map(await raw(fakeStore(factory)))
    const index = stored.get('index') as [string, number][]
    expect(index.map(([key]) => key).toSorted()).toEqual([...stored.keys()].filter((key) => key !== 'index').toSorted())
    expect(index.map(([key]) => key).toSorted()).toEqual(['ses_4', 'ses_5', 'ses_6'].map((id) => entryKey(SERVER, id)))
    for (const id of ['ses_4', 'ses_5', 'ses_6']) {
      const view = (await b.load(SERVER, id))?.view
      expect([toPlain(ofA(id)), toPlain(ofB(id))]).toContainEqual(view)
    }
  })
})

describe('a failing IndexedDB', () => {
  const failures: [string, UseStore][] = [
    [
      'throws',
      () => {
        throw new Error('InvalidStateError')
      },
    ],
    ['rejects', () => Promise.reject(new Error('QuotaExceededError'))],
    // Another app's database of the same name, without our object store: NotFoundError.
    [
      'has no such object store',
      (mode, callback) =>
        promisifyRequest(new IDBFactory().open('other-app')).then((db) => callback(db.transaction('sessions', mode).objectStore('sessions'))),
    ],
  ]

  it.each(failures)('that %s: every call resolves, the errors are reported, a load is a miss', async (_, store) => {
    const onError = vi.fn(() => {
      throw new Error('a reporter that throws too')
    })
    const cache = open(store, onError)
    await expect(cache.save(SERVER, SESSION, entryOf(viewOf(turns(1))))).resolves.toBeUndefined()
    await expect(cache.load(SERVER, SESSION)).resolves.toBeUndefined()
    await expect(cache.drop(SERVER, SESSION)).resolves.toBeUndefined()
    await expect(cache.clear(SERVER)).resolves.toBeUndefined()
    await expect(cache.clear()).resolves.toBeUndefined()
    expect(onError).toHaveBeenCalledTimes(5)
  })
})
