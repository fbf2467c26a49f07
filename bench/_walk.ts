import { foldEvents, initialView, type SessionEvent } from '../src/index.js'
import { decodeEvent } from '../src/protocol/index.js'
import { realisticTurn, Recording, seeded } from './lib/wire.js'
const random = seeded(13)
const recording = new Recording('ses_bench0000000000000001', random)
recording.durable('session.created', { sessionID: recording.sessionID, title: 'memory' })
for (let i = 0; i < 5000; i++) recording.turn(realisticTurn(random, 1500), false)
const events: SessionEvent[] = []
for (const e of recording.events) { const d = decodeEvent(JSON.stringify(e)); if (d.kind === 'event') events.push(d.event) }
const view = foldEvents(events, initialView('x'))
const seen = new Set<unknown>(); let strings = 0, stringBytes = 0, objects = 0, props = 0, wide = 0
const walk = (v: unknown) => {
  if (typeof v === 'string') { if (seen.has(v)) return; seen.add(v); strings++; const w = /[^\u0000-\u00ff]/.test(v); if (w) wide++; stringBytes += v.length * (w ? 2 : 1); return }
  if (typeof v !== 'object' || v === null || seen.has(v)) return
  seen.add(v); objects++
  for (const x of Object.values(v)) { props++; walk(x) }
}
walk(view)
console.log({ strings, wide, stringMB: stringBytes / 2 ** 20, objects, props, perMessageObjects: objects / view.messages.length })
