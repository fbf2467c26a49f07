import { atom, type ReadableAtom } from 'nanostores'
import type { SessionEvent } from '../../src/index.js'
import { truncate } from './format.js'

/*
 * A bounded log of the events the client let through its gate, fed by the client's
 * `onEvent` hook. Rows are batched into one store update per frame (a turn is hundreds of
 * deltas); pausing freezes what is shown while rows keep arriving underneath.
 */

export interface LogRow {
  readonly id: number
  readonly sessionID: string
  readonly at: number
  /** The durable seq, or undefined for a live-only event. */
  readonly seq: number | undefined
  readonly type: string
  readonly detail: string
}

export interface EventLog {
  /** What the panel shows: the last `limit` rows, frozen while paused. */
  readonly $rows: ReadableAtom<readonly LogRow[]>
  readonly $paused: ReadableAtom<boolean>
  /** Rows that arrived since the log was paused. */
  readonly $missed: ReadableAtom<number>
  push(event: SessionEvent, sessionID: string): void
  setPaused(paused: boolean): void
  clear(): void
}

const schedule = (run: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run)
  else setTimeout(run, 16)
}

/** `key=value` pairs of the event's data, ids every row shares left out. */
function describe(event: SessionEvent): string {
  const { sessionID: _session, assistantMessageID: _message, id: _tool, ...rest } = event.data as Record<string, unknown>
  if (typeof rest.delta === 'string') return JSON.stringify(rest.delta)
  return truncate(
    Object.entries(rest)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? JSON.stringify(truncate(value, 60)) : JSON.stringify(value)}`)
      .join(' '),
    160,
  )
}

export function createEventLog(limit = 500): EventLog {
  const $rows = atom<readonly LogRow[]>([])
  const $paused = atom(false)
  const $missed = atom(0)
  let buffer: LogRow[] = []
  let nextId = 1
  let scheduled = false

  const publish = () => {
    scheduled = false
    if (buffer.length > limit) buffer = buffer.slice(-limit)
    if ($paused.get()) return
    $rows.set(buffer.slice())
  }

  return {
    $rows,
    $paused,
    $missed,
    push(event, sessionID) {
      buffer.push({
        id: nextId++,
        sessionID,
        at: event.created,
        seq: event.durable?.seq,
        type: event.type,
        detail: describe(event),
      })
      if ($paused.get()) $missed.set($missed.get() + 1)
      if (!scheduled) {
        scheduled = true
        schedule(publish)
      }
    },
    setPaused(paused) {
      $paused.set(paused)
      if (!paused) {
        $missed.set(0)
        publish()
      }
    },
    clear() {
      buffer = []
      $missed.set(0)
      $rows.set([])
    },
  }
}
