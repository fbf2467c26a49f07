import { describe, expect, it } from 'vitest'
import { indexedDBCache, memoryCache, toPlain, type SessionCache } from '../../src/persist/index.js'
import { isDurable } from '../../src/protocol/events.js'
import { foldEvents } from '../../src/view/fold.js'
import { selectMessage } from '../../src/view/select.js'
import { fakeStore, SERVER, SESSION, turns } from './support.js'

/**
 * The point of the cache: a view loaded after a reload, folded on with the events after its
 * cursor, is the view a fold of the whole log gives. Cut anywhere, even mid-stream.
 */
async function resumed(cache: SessionCache, events: ReturnType<typeof turns>, cut: number) {
  const before = foldEvents(events.slice(0, cut))
  await cache.save(SERVER, SESSION, { cursor: before.cursor, view: before, savedAt: cut })
  const loaded = await cache.load(SERVER, SESSION)
  expect(loaded?.cursor).toBe(before.cursor)
  return foldEvents(events.slice(cut), loaded!.view)
}

describe('folding onto a loaded view', () => {
  it('memoryCache: equals folding everything, at every cut of five turns (an empty view is never stored)', async () => {
    const events = turns(5)
    const whole = toPlain(foldEvents(events))
    const cache = memoryCache()
    for (let cut = 1; cut <= events.length; cut++) expect(toPlain(await resumed(cache, events, cut))).toStrictEqual(whole)
  })

  it('IndexedDB: equals folding everything for a 300-message session cut mid-turn', async () => {
    const events = turns(100)
    const whole = toPlain(foldEvents(events))
    const cache = indexedDBCache({ store: fakeStore() })!
    // Mid-stream (a live delta folded), at a durable row, and in the settled head.
    const cuts = [events.length - 3, events.findLastIndex(isDurable), 40]
    for (const cut of cuts) {
      const view = await resumed(cache, events, cut)
      expect(toPlain(view)).toStrictEqual(whole)
      expect(selectMessage(view, 'msg_b99')).toStrictEqual(whole.messages.at(-1))
    }
  })
})
