import { it } from 'vitest'
import { foldEvents, foldEvent } from '../../src/view/fold.js'
import { Script, live } from './fixtures.js'
it('bench', () => {
  for (const n of [10, 10_000]) {
    const script = new Script()
    let t0 = performance.now()
    for (let i = 0; i < n / 2; i++) script.durable('session.inbox.enqueued', { messageID: `u${i}`, text: 'q' }).durable('session.text.ended', { assistantMessageID: `a${i}`, ordinal: 0, text: 'a' })
    script.durable('session.text.started', { assistantMessageID: `a${n/2-1}`, ordinal: 1 })
    const before = foldEvents(script.events)
    const build = performance.now() - t0
    const deltas = Array.from({ length: 10_000 }, () => live('session.text.delta', { assistantMessageID: `a${n/2-1}`, ordinal: 1, delta: '.' }))
    t0 = performance.now(); foldEvents(deltas, before); const batch = performance.now() - t0
    t0 = performance.now(); let v = before; for (let i = 0; i < 1000; i++) v = foldEvent(v, deltas[i]!); const single = performance.now() - t0
    console.log({ n, build, batch10k: batch, single1k: single })
  }
})
