import { describe, expect, expectTypeOf, it } from 'vitest'
import { decodeEvent, type Decoded } from '../../src/protocol/decode.js'
import type { SessionEvent } from '../../src/protocol/events.js'
import { activity, created, durable, live, textDelta } from '../support/events.js'

const decode = (value: unknown): Decoded => decodeEvent(JSON.stringify(value))
/** Narrowing by `type` must reach each event's own data type. */
const summarize = (event: SessionEvent): string => {
  switch (event.type) {
    case 'session.text.delta':
      expectTypeOf(event.data.delta).toEqualTypeOf<string>()
      return event.data.delta
    case 'session.activity':
      expectTypeOf(event.data.status).toEqualTypeOf<'idle' | 'running'>()
      return event.data.status
    default:
      return event.type
  }
}
const codeOf = (decoded: Decoded) => (decoded.kind === 'error' ? decoded.error.code : decoded.kind)

describe('decodeEvent', () => {
  it('decodes durable and live events of the catalogue', () => {
    for (const event of [created(0), activity('idle', -1), textDelta('hi'), durable('session.tool.success', 3, { id: 't', content: [{ type: 'text', text: 'ok' }] })]) {
      const decoded = decode(event)
      expect(decoded).toEqual({ kind: 'event', event })
    }
  })

  it('keeps fields a newer server adds', () => {
    const decoded = decode({ ...created(0), data: { ...created(0).data, color: 'blue' }, extra: 1 })
    expect(decoded.kind === 'event' ? decoded.event.data : undefined).toMatchObject({ color: 'blue' })
  })

  it('malformed JSON is a typed error', () => {
    expect(codeOf(decodeEvent('{oops'))).toBe('malformed-json')
    expect(codeOf(decodeEvent(''))).toBe('malformed-json')
  })

  it('keeps an unknown type as an unknown event', () => {
    const decoded = decode({ id: 'e', created: 1, type: 'session.compacted', data: { sessionID: 's' } })
    expect(decoded.kind).toBe('unknown')
    expect(decoded.kind === 'unknown' ? decoded.event.type : undefined).toBe('session.compacted')
  })

  it.each([
    ['an envelope without id', { created: 1, type: 'session.created', data: {} }],
    ['a known type with invalid data', { ...created(0), data: { sessionID: 1 } }],
    ['a non-integer seq', { ...created(0), durable: { aggregateID: 's', seq: 1.5, version: 1 } }],
    ['a negative seq', { ...created(0), durable: { aggregateID: 's', seq: -1, version: 1 } }],
    ['a durable type without durable', { ...created(0), durable: undefined }],
    ['a durable block on a live-only type', { ...textDelta('x'), durable: { aggregateID: 's', seq: 4, version: 1 } }],
    ['an activity with an unknown status', live('session.activity', { status: 'busy' as 'idle', cutoff: 0 })],
    ['an array', [1, 2]],
    ['null', null],
  ])('rejects %s as invalid-event', (_name, value) => {
    expect(codeOf(decode(value))).toBe('invalid-event')
  })

  it('reports the durable seq of an invalid durable row, so the caller can resubscribe', () => {
    const decoded = decode({ ...durable('session.renamed', 7, { title: 'x' }), data: {} })
    expect(decoded.kind === 'error' ? decoded.durableSeq : 'none').toBe(7)
  })

  it('bounds the length of error messages', () => {
    const decoded = decode({ ...created(0), data: { sessionID: 's', title: 5 }, type: 'session.created', id: 'x'.repeat(10_000) })
    expect(decoded.kind === 'error' ? decoded.error.message.length : 0).toBeLessThan(300)
  })

  it('types data by event type (checked by tsc)', () => {
    expect([textDelta('x'), activity('running', 0), created(0)].map(summarize)).toEqual(['x', 'running', 'session.created'])
  })
})
