import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeEvent, isDurable } from '../src/protocol/index.js'
import { createMemoryLogStore, PRIVATE_ROW_TYPE, type LogRow, type LogStore, type PrivateRow } from './engine/log-store.js'

const SUFFIX = '.jsonl'
const fileOf = (dir: string, sessionID: string): string => join(dir, `${encodeURIComponent(sessionID)}${SUFFIX}`)
const line = (row: LogRow): string => `${JSON.stringify(row)}\n`

/** A line as a row: a durable event that decodes, or a private row (no catalogue knows its type). */
function parseRow(text: string): LogRow | undefined {
  const decoded = decodeEvent(text)
  if (decoded.kind === 'event' && isDurable(decoded.event)) return decoded.event
  // An unknown type in a sound envelope: only the engine's own private rows are that.
  if (decoded.kind === 'unknown' && decoded.event.type === PRIVATE_ROW_TYPE && decoded.event.durable !== undefined) {
    return decoded.event as PrivateRow
  }
  return undefined
}

/**
 * Reads one session file, keeping the longest valid gapless prefix. A crash mid-append
 * leaves a torn last line; it is dropped (and the file rewritten) so the next append
 * does not land on the same line.
 */
function loadFile(path: string): { rows: LogRow[]; clean: boolean } {
  const rows: LogRow[] = []
  const lines = readFileSync(path, 'utf8').split('\n').filter((text) => text !== '')
  for (const text of lines) {
    const row = parseRow(text)
    if (row === undefined || row.durable.seq !== rows.length) break
    rows.push(row)
  }
  return { rows, clean: rows.length === lines.length }
}

/**
 * A node-only log store: one JSONL file per session, one append per commit, the file
 * removed on deletion. Rows are also kept in memory for reads. Writes are synchronous so
 * a row is on disk before any subscriber is woken, which is what lets the log survive a
 * real process restart with nothing a client already saw missing.
 */
export function createFileLogStore(dir: string): LogStore {
  mkdirSync(dir, { recursive: true })
  const memory = createMemoryLogStore()
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(SUFFIX)) continue
    const sessionID = decodeURIComponent(name.slice(0, -SUFFIX.length))
    const path = join(dir, name)
    const { rows, clean } = loadFile(path)
    if (!clean) writeFileSync(path, rows.map(line).join(''))
    for (const row of rows) memory.append(sessionID, row)
  }
  return {
    ...memory,
    append(sessionID, row) {
      appendFileSync(fileOf(dir, sessionID), line(row))
      memory.append(sessionID, row)
    },
    delete(sessionID) {
      rmSync(fileOf(dir, sessionID), { force: true })
      memory.delete(sessionID)
    },
  }
}
