import { getHeapSnapshot } from 'node:v8'

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] } }
  readonly nodes: number[]
  readonly strings: string[]
}

/** Node types that are program objects (not code, maps, or V8's own bookkeeping). */
const COUNTED = new Set(['object', 'closure', 'native', 'regexp'])

/** Live program objects by kind (`object:Constructor`, `closure:name`), from a heap snapshot. */
export async function objectCounts(): Promise<Map<string, number>> {
  const parts: string[] = []
  for await (const chunk of getHeapSnapshot()) parts.push(String(chunk))
  const { snapshot, nodes, strings } = JSON.parse(parts.join('')) as Snapshot
  const fields = snapshot.meta.node_fields
  const types = snapshot.meta.node_types[0]
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const counts = new Map<string, number>()
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt] ?? -1] ?? ''
    if (!COUNTED.has(type)) continue
    const kind = `${type}:${strings[nodes[i + nameAt] ?? -1] ?? '?'}`
    counts.set(kind, (counts.get(kind) ?? 0) + 1)
  }
  return counts
}

/** Kinds whose count grew by at least `threshold` between two censuses, largest first. */
export function grown(before: Map<string, number>, after: Map<string, number>, threshold: number): [string, number][] {
  return [...after]
    .map(([kind, count]): [string, number] => [kind, count - (before.get(kind) ?? 0)])
    .filter(([, delta]) => delta >= threshold)
    .toSorted((a, b) => b[1] - a[1])
}
