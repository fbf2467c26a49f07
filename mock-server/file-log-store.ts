import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeEvent, isDurable, type DurableEvent } from '../src/protocol/index.js'
import { createMemoryLogStore, type LogStore } from './engine/log-store.js'

const SUFFIX = '.jsonl'
const fileOf = (dir: string, sessionID: string): string => join(dir, `${encodeURIComponent(sessionID)}${SUFFIX}`)
const line = (event: DurableEvent): string => `${JSON.stringify(event)}\n`

/**
 * Reads one session file, keeping the longest valid gapless prefix. A crash mid-append
 * leaves a torn last line; it is dropped (and the file rewritten) so the next append
 * does not land on the same line.
 */
function loadFile(path: string): { rows: DurableEvent[]; clean: boolean } {
  const rows: DurableEvent[] = []
  const lines = readFileSync(path, 'utf8').split('\n').filter((text) => text !== '')
  for (const text of lines) {
    const decoded = decodeEvent(text)
    if (decoded.kind !== 'event' || !isDurable(decoded.event) || decoded.event.durable.seq !== rows.length) break
    rows.push(decoded.event)
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
    append(sessionID, event) {
      appendFileSync(fileOf(dir, sessionID), line(event))
      memory.append(sessionID, event)
    },
    delete(sessionID) {
      rmSync(fileOf(dir, sessionID), { force: true })
      memory.delete(sessionID)
    },
  }
}
