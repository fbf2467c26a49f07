import { atom, type ReadableAtom } from 'nanostores'
import type { SessionEvent, UnknownEvent } from '../../src/index.js'
import { summarize } from './event-summary.js'

/*
 * A bounded log of the events the client let through its gate, fed by the client's
 * `onEvent` hook. Rows are batched into one store update per frame (a turn is hundreds of
 * deltas); pausing freezes what is shown while rows keep arriving underneath.
 */

export interface LogRow {
  readonly id: number
  readonly sessionID: string
  /** The event's `data.timestamp`, epoch ms (0 when it has none). */
  readonly at: number
  /** The durable seq, or undefined for a live-only event. */
  readonly seq: number | undefined
  readonly type: string
  readonly detail: string
  /** A known type whose data did not fit the catalogue: the client kept it out of the view. */
  readonly invalid: boolean
}

export interface EventLog {
  /** What the panel shows: the last `limit` rows, frozen while paused. */
  readonly $rows: ReadableAtom<readonly LogRow[]>
  readonly $paused: ReadableAtom<boolean>
  /** Rows that arrived since the log was paused. */
  readonly $missed: ReadableAtom<number>
  /** `invalid` is the decode error of an event the client reported through `onInvalidEvent`. */
  push(event: SessionEvent | UnknownEvent, sessionID: string, invalid?: string): void
  setPaused(paused: boolean): void
  clear(): void
}

const schedule = (run: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run)
  else setTimeout(run, 16)
}

/** `session.next.text.delta` → `text.delta`: the prefix every row shares. */
export const shortType = (type: string): string => type.replace(/^session\.(next\.)?/, '')

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
    push(event, sessionID, invalid) {
      const at = (event.data as { timestamp?: unknown }).timestamp
      buffer.push({
        id: nextId++,
        sessionID,
        at: typeof at === 'number' ? at : 0,
        seq: event.durable?.seq,
        type: event.type,
        detail: invalid === undefined ? summarize(event, false) : `invalid: ${invalid}`,
        invalid: invalid !== undefined,
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
