import { readFileSync } from 'node:fs'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { decodeEvent, type Decoded } from '../../src/protocol/decode.js'
import type { SessionEvent } from '../../src/protocol/events.js'
import { activity, durable, live, row, SESSION, textDelta } from '../support/events.js'

const decode = (value: unknown, sessionID?: string): Decoded => decodeEvent(JSON.stringify(value), sessionID)
/** Narrowing by `type` must reach each event's own data type. */
const summarize = (event: SessionEvent): string => {
  switch (event.type) {
    case 'session.next.text.delta':
      expectTypeOf(event.data.delta).toEqualTypeOf<string>()
      return event.data.delta
    case 'session.activity':
      expectTypeOf(event.data.status).toEqualTypeOf<'idle' | 'running'>()
      return event.data.status
    default:
      return event.type
  }
}
const codeOf = (decoded: Decoded) => (decoded.kind === 'error' || decoded.kind === 'invalid' ? decoded.error.code : decoded.kind)
const fixture = (name: string): unknown[] =>
  readFileSync(new URL(`../fixtures/opencode-1.18.34/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown)

describe('decodeEvent', () => {
  it('decodes durable and live events of the catalogue', () => {
    const success = durable('session.next.tool.success', 3, {
      assistantMessageID: 'm',
      callID: 'c',
      structured: {},
      content: [{ type: 'text', text: 'ok' }],
      provider: { executed: false },
    })
    for (const event of [row(1), activity('idle', 0), textDelta('hi'), success]) {
      expect(decode(event, SESSION)).toEqual({ kind: 'event', event })
    }
  })

  it('decodes every frame the released opencode server sent, on both streams', () => {
    for (const name of ['session-stream.jsonl', 'global-stream.jsonl']) {
      const frames = fixture(name)
      expect(frames.length).toBeGreaterThan(20)
      for (const frame of frames) expect({ name, kind: decode(frame, 'ses_dcab489d6ffe2aNz2krV4c9me9').kind }).toEqual({ name, kind: 'event' })
    }
  })

  it('keeps fields a newer server adds', () => {
    const decoded = decode({ ...row(1), data: { ...row(1).data, color: 'blue' }, extra: 1 })
    expect(decoded.kind === 'event' ? decoded.event.data : undefined).toMatchObject({ color: 'blue' })
  })

  it('malformed JSON is a typed error', () => {
    expect(codeOf(decodeEvent('{oops'))).toBe('malformed-json')
    expect(codeOf(decodeEvent(''))).toBe('malformed-json')
  })

  it('keeps an unknown type as an unknown event', () => {
    const decoded = decode({ id: 'e', type: 'session.next.compacted', data: { sessionID: SESSION } }, SESSION)
    expect(decoded.kind).toBe('unknown')
    expect(decoded.kind === 'unknown' ? decoded.event.type : undefined).toBe('session.next.compacted')
  })

  it.each([
    ['an envelope without id', { type: 'session.next.prompted', data: {} }],
    ['a non-integer seq', { ...row(1), durable: { aggregateID: SESSION, seq: 1.5, version: 1 } }],
    ['a negative seq', { ...row(1), durable: { aggregateID: SESSION, seq: -1, version: 1 } }],
    ['a location that is not an object', { ...row(1), location: 'here' }],
    ['an array', [1, 2]],
    ['null', null],
  ])('rejects %s as a broken envelope (invalid-event error)', (_name, value) => {
    const decoded = decode(value)
    expect(decoded.kind).toBe('error')
    expect(codeOf(decoded)).toBe('invalid-event')
  })

  it.each([
    ['a known type with invalid data', { ...row(1), data: { ...row(1).data, prompt: 'hi' } }],
    ['a durable type without durable', { ...row(1), durable: undefined }],
    ['a durable block on a live-only type', { ...textDelta('x'), durable: { aggregateID: SESSION, seq: 4, version: 1 } }],
    ['an activity with an unknown status', live('session.activity', { status: 'busy' as 'idle', cutoff: 0 })],
  ])('keeps %s as an invalid event with its raw envelope', (_name, value) => {
    const decoded = decode(value)
    expect(decoded.kind).toBe('invalid')
    expect(codeOf(decoded)).toBe('invalid-event')
    expect(decoded.kind === 'invalid' ? decoded.event : undefined).toEqual(JSON.parse(JSON.stringify(value)))
  })

  it('rejects an event of another session, by its aggregate or its data', () => {
    const other = durable('session.next.prompted', 2, { messageID: 'm', prompt: { text: 'x' }, delivery: 'steer' }, 'ses_other')
    expect(codeOf(decode(other, SESSION))).toBe('wrong-session')
    expect(codeOf(decode({ ...row(2), data: { ...row(2).data, sessionID: 'ses_other' } }, SESSION))).toBe('wrong-session')
    // Each alone is enough: another session's aggregate with our sessionID in its data, too.
    expect(codeOf(decode({ ...row(2), durable: { aggregateID: 'ses_other', seq: 2, version: 1 } }, SESSION))).toBe('wrong-session')
    expect(codeOf(decode(live('session.next.text.delta', { assistantMessageID: 'm', textID: 't', delta: 'x' }, 'ses_other'), SESSION))).toBe('wrong-session')
    expect(codeOf(decode({ id: 'e', type: 'session.next.new', data: { sessionID: 'ses_other' } }, SESSION))).toBe('wrong-session')
    // Without a session to compare with, decoding is about the event alone.
    expect(codeOf(decode(other))).toBe('event')
  })

  it('bounds the length of error messages', () => {
    const decoded = decode({ ...row(1), data: { ...row(1).data, prompt: 5 }, type: 'session.next.prompted', id: 'x'.repeat(10_000) })
    expect(decoded.kind === 'invalid' ? decoded.error.message.length : 0).toBeLessThan(300)
  })

  it('types data by event type (checked by tsc)', () => {
    expect([textDelta('x'), activity('running', 0), row(1)].map(summarize)).toEqual(['x', 'running', 'session.next.prompted'])
  })
})
