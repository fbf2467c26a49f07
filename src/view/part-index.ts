import type { Part } from './types.js'

/**
 * Where each part of a message's parts array is, by kind and id, so finding the part an
 * event is for costs the same with 3 parts or 20,000 (a scan made a 20,000-part message
 * quadratic to fold). Like the message list's id index (list.ts), one index is shared by an
 * array and the copies the reducer makes of it while it is exact for them (same length):
 * parts are only ever appended, so a copy that appends extends it in place, and any other
 * array then finds the length different and builds its own.
 */
interface PartIndex {
  readonly byKind: Readonly<Record<Part['type'], Map<string, number>>>
  length: number
}

const indexes = new WeakMap<readonly Part[], PartIndex>()

const exact = (parts: readonly Part[]): PartIndex | undefined => {
  const index = indexes.get(parts)
  return index !== undefined && index.length === parts.length ? index : undefined
}

function build(parts: readonly Part[]): PartIndex {
  const index: PartIndex = { byKind: { text: new Map(), reasoning: new Map(), tool: new Map() }, length: parts.length }
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]
    // The first of a kind and id wins, as a duplicate start is ignored.
    if (part !== undefined && !index.byKind[part.type].has(part.id)) index.byKind[part.type].set(part.id, i)
  }
  indexes.set(parts, index)
  return index
}

/**
 * Below this many parts a scan is as fast as a lookup, and a message keeps no index (three
 * Maps a message would be a third of a settled view's memory).
 */
const SCAN_BELOW = 16

/** Position of the part of `kind` with `id`, or -1. No allocation on the hot path. */
export function partIndexOf(parts: readonly Part[], kind: Part['type'], id: string): number {
  if (parts.length < SCAN_BELOW) {
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]
      if (part !== undefined && part.type === kind && part.id === id) return i
    }
    return -1
  }
  return (exact(parts) ?? build(parts)).byKind[kind].get(id) ?? -1
}

/** A copy of `from` (the reducer's own) shares its index while it is exact. */
export function shareIndex(from: readonly Part[], to: readonly Part[]): void {
  const index = exact(from)
  if (index !== undefined) indexes.set(to, index)
}

/** `part` was appended to `parts` at `at`: an exact index follows it. */
export function indexAppended(parts: readonly Part[], part: Part, at: number): void {
  const index = indexes.get(parts)
  if (index === undefined || index.length !== at) return
  if (!index.byKind[part.type].has(part.id)) index.byKind[part.type].set(part.id, at)
  index.length = at + 1
}
