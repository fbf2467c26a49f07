import { describe, expect, it } from 'vitest'
import { SessionStreamError } from '../../src/errors.js'
import type { SessionEvent, UnknownEvent } from '../../src/protocol/events.js'
import { followLeader, leaderFeed, type ShareMessage, type TabShare } from '../../src/store/share.js'
import { idleConnection } from '../../src/store/status.js'
import { initialView } from '../../src/view/fold.js'
import type { SessionView } from '../../src/view/types.js'
import { activity, durable, live, textDelta } from '../support/events.js'

/*
 * The store's side of sharing (src/store/share.ts), with the tabs replaced by a plain
 * in-process share: what a follower folds from the leader's feed, and what a leader sends.
 */

function fakeShare() {
  const listeners = new Map<string, (message: unknown) => void>()
  const published: ShareMessage[] = []
  const share: TabShare = {
    leads: () => false,
    want(sessionID, listener) {
      listeners.set(sessionID, listener)
      return () => listeners.delete(sessionID)
    },
    publish(_sessionID, message) {
      published.push(message as ShareMessage)
      return true
    },
    joined: () => () => {},
  }
  const send = (message: ShareMessage) => listeners.get('ses_test')?.(message)
  return { share, published, send, wanted: () => listeners.has('ses_test') }
}

const status = idleConnection(-1)
const wire = { ...status, lastError: null }
const viewAt = (cursor: number): SessionView => ({ ...initialView('ses_test'), cursor })
/** Durable events by seq, live ones by type: the helpers give each call a fresh event id. */
const key = (event: SessionEvent): number | string => event.durable?.seq ?? event.type
const row = (seq: number) => durable('session.next.prompted', seq, { messageID: `m${seq}`, prompt: { text: 'x' }, delivery: 'steer' })

function follow() {
  const fake = fakeShare()
  const events: SessionEvent[] = []
  const views: SessionView[] = []
  const ends: unknown[] = []
  const reported: string[] = []
  const connection = followLeader(fake.share, 'ses_test', status, {
    event: (event) => events.push(event),
    unknown: (event) => reported.push(`unknown ${event.type}`),
    invalid: (event, error) => reported.push(`invalid ${event.type} ${error instanceof SessionStreamError ? error.code : '?'}: ${error.message}`),
    replace: (view) => views.push(view),
    changed: () => {},
    end: (error) => ends.push(error),
  })
  return { ...fake, connection, events, views, ends, reported }
}

describe('following the leading tab', () => {
  it('takes events only of the epoch whose snapshot it holds', () => {
    const f = follow()
    f.send({ kind: 'events', epoch: 'a', events: [row(1)] })
    expect(f.events).toEqual([])
    f.send({ kind: 'snapshot', epoch: 'a', view: viewAt(1), status: wire })
    f.send({ kind: 'events', epoch: 'a', events: [row(2)] })
    f.send({ kind: 'events', epoch: 'b', events: [row(3)] })
    expect(f.views.map((view) => view.cursor)).toEqual([1])
    expect(f.events.map(key)).toEqual([2])
  })

  it('a snapshot of the epoch it follows changes nothing; a new epoch replaces the view', () => {
    const f = follow()
    f.send({ kind: 'snapshot', epoch: 'a', view: viewAt(3), status: wire })
    f.send({ kind: 'snapshot', epoch: 'a', view: viewAt(5), status: wire })
    expect(f.views.map((view) => view.cursor)).toEqual([3])
    f.send({ kind: 'snapshot', epoch: 'b', view: viewAt(4), status: wire })
    expect(f.views.map((view) => view.cursor)).toEqual([3, 4])
  })

  it('folds durable events past its cursor only, live ones always', () => {
    const f = follow()
    f.send({ kind: 'snapshot', epoch: 'a', view: viewAt(5), status: wire })
    const delta = textDelta('x')
    f.send({ kind: 'events', epoch: 'a', events: [row(4), row(5), delta, row(6), row(6), activity('idle', 6)] })
    expect(f.events.map(key)).toEqual(['session.next.text.delta', 6, 'session.activity'])
  })

  it('shows the leader’s status, error as a SessionStreamError, and ends (releasing its want) on its end', () => {
    const f = follow()
    expect(f.connection.status().state).toBe('connecting')
    f.send({ kind: 'status', status: { ...wire, state: 'backoff', lastError: { code: 'network-error', message: 'down' } } })
    expect(f.connection.status().state).toBe('backoff')
    expect(f.connection.status().lastError?.code).toBe('network-error')
    f.send({ kind: 'end', error: { code: 'session-not-found', message: 'gone' } })
    expect(f.ends).toHaveLength(1)
    expect(f.wanted()).toBe(false)
  })

  it('reports what the leader could not fold, each durable row once across leaders, and folds none of it', () => {
    const f = follow()
    const odd = (seq: number) => ({ ...row(seq), type: 'session.next.future' }) as unknown as UnknownEvent
    const invalid = { code: 'invalid-event', message: 'invalid data' } as const
    // Before its snapshot a tab follows no epoch: it reports nothing it would not fold either.
    f.send({ kind: 'report', epoch: 'a', event: odd(2), error: null })
    f.send({ kind: 'snapshot', epoch: 'a', view: viewAt(1), status: wire })
    f.send({ kind: 'report', epoch: 'a', event: odd(2), error: null })
    f.send({ kind: 'report', epoch: 'a', event: odd(3), error: invalid })
    expect(f.reported).toEqual(['unknown session.next.future', 'invalid session.next.future invalid-event: invalid data'])
    // Its cursor is what it was given, so it would resume after the reported rows.
    expect(f.connection.status().cursor).toBe(3)
    // A new leader's snapshot says where its stream is: past its view by the rows it did not fold,
    // so a tab promoted after it does not replay them.
    f.send({ kind: 'snapshot', epoch: 'a2', view: viewAt(1), status: wire, cursor: 3 })
    expect(f.connection.status().cursor).toBe(3)
    f.send({ kind: 'events', epoch: 'a2', events: [row(3), row(4)] })
    expect(f.events.map(key)).toEqual([4])
    // A new leader that was behind replays them: not reported again.
    f.send({ kind: 'snapshot', epoch: 'b', view: viewAt(1), status: wire })
    f.send({ kind: 'report', epoch: 'b', event: odd(2), error: null })
    f.send({ kind: 'report', epoch: 'b', event: odd(3), error: invalid })
    expect(f.reported).toHaveLength(2)
    // After a history reset the seqs start again: reported anew.
    f.send({ kind: 'snapshot', epoch: 'c', view: viewAt(-1), status: wire, reset: true })
    f.send({ kind: 'report', epoch: 'c', event: odd(2), error: null })
    expect(f.reported).toHaveLength(3)
    // Another version's report without an event, or with an error of another shape, is ignored.
    f.send({ kind: 'report', epoch: 'c', event: undefined, error: null } as never)
    f.send({ kind: 'report', epoch: 'c', event: odd(9), error: { message: 'no code' } } as never)
    expect(f.reported).toHaveLength(3)
    expect(f.events.map(key)).toEqual([4])
  })

  it('takes no report before its first snapshot, whatever epoch the report names', () => {
    const f = follow()
    const odd = { ...row(5), type: 'session.next.future' } as unknown as UnknownEvent
    // An older app's report names no epoch; before a snapshot this tab follows none either.
    f.send({ kind: 'report', event: odd, error: null } as never)
    expect(f.reported).toEqual([])
    expect(f.connection.status().cursor).toBe(-1)
  })

  it('ignores what is not one of its messages', () => {
    const f = follow()
    f.send({ kind: 'snapshot', epoch: 'a', view: viewAt(1), status: wire })
    for (const junk of [null, 42, 'events', { kind: 'nope' }]) f.send(junk as never)
    expect(f.events).toEqual([])
    expect(f.views).toHaveLength(1)
  })
})

describe('leading', () => {
  it('sends queued events at the flush, then the snapshot it owes once ready; a reset starts a new epoch', () => {
    const { share, published } = fakeShare()
    const feed = leaderFeed(share, 'ses_test', () => 0.5)
    feed.event(row(1))
    feed.flush(viewAt(1), status, false, 1)
    expect(published.map((m) => m.kind)).toEqual(['events'])
    feed.flush(viewAt(1), status, true, 1)
    expect(published.map((m) => m.kind)).toEqual(['events', 'snapshot'])
    const first = published[1]!.kind === 'snapshot' ? published[1]!.epoch : ''
    feed.flush(viewAt(1), status, true, 1)
    expect(published).toHaveLength(2)
    feed.join()
    feed.event(live('session.next.text.delta', { assistantMessageID: 'a', textID: 't', delta: 'x' }))
    feed.flush(viewAt(1), status, true, 1)
    expect(published.map((m) => m.kind)).toEqual(['events', 'snapshot', 'events', 'snapshot'])
    feed.reset()
    feed.flush(viewAt(0), status, true, 0)
    const last = published.at(-1)!
    expect(last.kind === 'snapshot' && last.epoch !== first).toBe(true)
  })

  it('passes a report on at once, after the events before it, the error as its code and message; a reset snapshot says so', () => {
    const { share, published } = fakeShare()
    const feed = leaderFeed(share, 'ses_test', () => 0.5)
    const odd = { ...row(2), type: 'session.next.future' } as unknown as UnknownEvent
    const first = row(1)
    feed.event(first)
    feed.report(odd)
    feed.report(odd, new SessionStreamError('invalid-event', 'invalid data'))
    const epoch = published[0]?.kind === 'events' ? published[0].epoch : ''
    expect(published).toEqual([
      { kind: 'events', epoch, events: [first] },
      { kind: 'report', epoch, event: odd, error: null },
      { kind: 'report', epoch, event: odd, error: { code: 'invalid-event', message: 'invalid data' } },
    ])
    // Plain data: it crosses a BroadcastChannel as it is.
    expect(structuredClone(published)).toEqual(published)
    // Its stream is past the view by the rows it did not fold: the snapshot says so.
    feed.flush(viewAt(1), status, true, 3)
    expect(published.at(-1)).toMatchObject({ kind: 'snapshot', cursor: 3, reset: false })
    feed.reset()
    feed.flush(viewAt(-1), status, true, -1)
    expect(published.at(-1)).toMatchObject({ kind: 'snapshot', reset: true })
  })
})

describe('a follower promoted to leader', () => {
  it('connects after what it folded and reported, not the leader’s last published status, knowing the shape', async () => {
    const { createSessionStore } = await import('../../src/store/session-store.js')
    const { createFakeServer } = await import('../support/fake-server.js')
    const { hubFor } = await import('../../src/transport/connection.js')
    const { defaultEnvironment } = await import('../../src/transport/environment.js')
    const server = createFakeServer()
    const fake = fakeShare()
    let leads = false
    const hub = hubFor({ baseUrl: 'http://server.test', fetch: server.fetch, environment: defaultEnvironment() })
    const handle = createSessionStore({
      baseUrl: 'http://server.test',
      sessionID: 'ses_test',
      hub,
      fetch: server.fetch,
      scheduler: (flush) => {
        queueMicrotask(flush)
        return () => {}
      },
      share: { ...fake.share, leads: () => leads },
    })
    const stop = handle.$view.listen(() => {})
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(fake.wanted()).toBe(true)
    fake.send({ kind: 'snapshot', epoch: 'a', view: viewAt(2), status: wire })
    // The leader's status lags: it says 3 while its events reach 6.
    fake.send({ kind: 'status', status: { ...wire, state: 'open', cursor: 3, shape: 'unified' } })
    fake.send({ kind: 'events', epoch: 'a', events: [row(3), row(4), row(5), row(6)] })
    // A row of a type this app does not know: reported, not folded.
    fake.send({ kind: 'report', epoch: 'a', event: { ...row(7), type: 'session.next.future' } as unknown as UnknownEvent, error: null })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(handle.$view.get().cursor).toBe(6)
    leads = true
    handle.reconnect()
    await new Promise((resolve) => setTimeout(resolve, 0))
    // After what it folded and what it reported: the unknown row is not replayed (and reported) again.
    expect(new URL(server.requests.at(-1)!.url).searchParams.get('after')).toBe('7')
    // It knows the server's shape from the leader it followed: no detection delay.
    expect(hub.shape).toBe('unified')
    stop()
    handle.close()
    hub.close()
  })
})
