import { foldEvents, initialView, type SessionEvent, type SessionView } from '../src/index.js'
import { createDraft } from '../src/view/draft.js'
import { decodeEvent } from '../src/protocol/decode.js'
import { Recording, seeded, prose, frame } from './lib/wire.js'

function build(messages: number): SessionView {
  const random = seeded(7)
  const r = new Recording('ses_x', random)
  r.durable('session.created', { sessionID: 'ses_x' })
  for (let i = 0; i < messages / 2; i++) r.turn({ prompt: prose(random, 80), text: prose(random, 300), chunk: 4 }, false)
  const m = { sessionID: 'ses_x', assistantMessageID: 'msg_open' }
  r.durable('session.step.started', m)
  r.durable('session.text.started', { ...m, ordinal: 0 })
  const events: SessionEvent[] = []
  for (const e of r.events) { const d = decodeEvent(frame(e).slice(6, -2)); if (d.kind === 'event') events.push(d.event) }
  return foldEvents(events, initialView('ses_x'))
}
const tick = () => new Promise<void>((resolve) => setImmediate(resolve))
const delta = (i: number) => decodeEvent(JSON.stringify({ id: `e${i}`, created: 1, type: 'session.text.delta', data: { sessionID: 'ses_x', assistantMessageID: 'msg_open', ordinal: 0, delta: 'abcd' } }))
for (const n of [10, 10_000]) {
  let view: SessionView & { messages: any } = build(n)
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now()
    for (let i = 0; i < 2000; i++) {
      const d = delta(i)
      void d; { const r = { ...view }; const c = [...r.messages]; r.messages = c; view = r }
    }
    console.log(n, ((performance.now() - t0) * 1000 / 2000).toFixed(1), 'µs/delta')
  }
}
