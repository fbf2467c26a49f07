import { plainView } from '../view/list.js'
import { array, describeIssue, integer, number, object, oneOf, string } from '../protocol/shape.js'
import type { SessionView } from '../view/types.js'

/**
 * The format of a stored entry. Bump it whenever SessionView (src/view/types.ts), anything it
 * holds (messages, parts, info), or the record below changes shape: entries of another version
 * read as a miss and are dropped, so an old tab's cache never feeds a newer reducer.
 */
export const CACHE_VERSION = 1

export interface CachedSession {
  /** Last durable seq folded into `view`: the connection resumes with after=cursor. */
  readonly cursor: number
  /** The folded view as plain data (view.messages an array), activity as it was when saved. */
  readonly view: SessionView
  readonly savedAt: number
  /** The server's shape when saved; optional, so entries from before it was kept still load. */
  readonly shape?: 'unified' | 'split' | undefined
}

/** All that is ever stored: the entry, its format version, and its own key (a moved value is a miss). */
export interface StoredRecord extends CachedSession {
  readonly version: number
  readonly key: string
}

/** A plain copy of a view, as IndexedDB stores it (the view's own `plainView`). */
export const toPlain = plainView

/**
 * Just enough to keep a broken or foreign value from crashing the client: deeper fields are
 * the version's promise. Loose, like the wire shapes, and the cost is one pass over messages.
 */
const recordShape = object({
  key: string,
  cursor: integer(-1),
  savedAt: number,
  // Not checked: a later version may know another shape, and its entry must not be dropped for it.
  view: object({
    sessionID: string,
    info: object({}),
    activity: oneOf(['unknown', 'idle', 'running']),
    cursor: integer(-1),
    messages: array(object({ id: string, role: string })),
  }),
})

/**
 * Why `value` is not a usable entry for `key` and `sessionID`: undefined when it is one, '' for
 * another format version (not a fault, just old), else a description for diagnostics.
 */
export function problemOf(value: unknown, key: string, sessionID: string): string | undefined {
  if (typeof value !== 'object' || value === null) return '(root): expected an object'
  const record = value as Partial<StoredRecord>
  if (record.version !== CACHE_VERSION) return ''
  const issue = recordShape(value)
  if (issue !== undefined) return describeIssue(issue)
  if (record.key !== key) return 'key: stored under another key'
  if (record.view?.sessionID !== sessionID) return 'view.sessionID: another session'
  return undefined
}
