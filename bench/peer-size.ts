import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { ensurePeers, PEERS_DIR, peerVersion } from './lib/peers.js'
import { kb, ratio } from './lib/stats.js'
import type { Row } from './lib/table.js'

/*
 * Benchmark 8b: what a user's bundle grows by, ours and peers' measured the same way. Each
 * entry is a tiny module that imports the named exports and uses them; esbuild bundles it for
 * the browser (ESM, minified, tree-shaken, production), with react and react-dom external
 * (an app has them anyway), everything else bundled, then gzip -9 (node:zlib). Peers come
 * from the benchmark's own install (bench/lib/peers.ts), ours from the built dist/.
 */

const dist = (path: string): string => JSON.stringify(fileURLToPath(new URL(`../dist/${path}`, import.meta.url)))

interface Entry {
  readonly name: string
  readonly source: string
}

const OURS_CORE: Entry = {
  name: 'session-stream core: createSessionClient',
  source: `import { createSessionClient } from ${dist('index.js')}
export const client = createSessionClient({ baseUrl: '/' })`,
}

const OURS: Entry = {
  name: 'session-stream core + react: createSessionClient + useSessionView',
  source: `import { createSessionClient } from ${dist('index.js')}
import { useSessionView } from ${dist('react/index.js')}
export const client = createSessionClient({ baseUrl: '/' })
export function useSession(id) { return useSessionView(client.session(id)) }`,
}

const PEER_ENTRIES = (): Entry[] => [
  {
    name: `@electric-sql/client ${peerVersion('@electric-sql/client')}: ShapeStream + Shape`,
    source: `import { Shape, ShapeStream } from '@electric-sql/client'
export const follow = (url) => new Shape(new ShapeStream({ url }))`,
  },
  {
    name: `AI SDK React (@ai-sdk/react ${peerVersion('@ai-sdk/react')}, ai ${peerVersion('ai')}): useChat`,
    source: `import { useChat } from '@ai-sdk/react'
export function useAssistant() { return useChat() }`,
  },
  {
    name: `LangGraph React (@langchain/langgraph-sdk ${peerVersion('@langchain/langgraph-sdk')}/react): useStream`,
    source: `import { useStream } from '@langchain/langgraph-sdk/react'
export function useThread() { return useStream({ apiUrl: 'http://localhost:2024', assistantId: 'agent' }) }`,
  },
]

interface Size {
  readonly min: number
  readonly gzip: number
  /** The packages with the largest shares of the minified output. */
  readonly top: string
}

/** `node_modules/@scope/name/…` → `@scope/name`; our dist/ files → `session-stream`. */
const owner = (file: string): string => /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? (file.includes('dist/') ? 'session-stream' : file)

async function measure(entry: Entry): Promise<Size> {
  const result = await build({
    // Resolved from the peers' directory, so bare imports find their install.
    stdin: { contents: entry.source, resolveDir: PEERS_DIR, loader: 'js', sourcefile: 'entry.js' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['react', 'react-dom'],
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]?.contents ?? new Uint8Array()
  const shares = new Map<string, number>()
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) shares.set(owner(file), (shares.get(owner(file)) ?? 0) + bytesInOutput)
  }
  const top = [...shares]
    .filter(([name]) => !name.endsWith('entry.js'))
    .toSorted((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, bytes]) => `${name} ${Math.round((bytes / code.length) * 100)}%`)
    .join(', ')
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, top }
}

const figure = (size: Size): string => `${kb(size.gzip)} gzip (${kb(size.min)} min)`


export async function run(): Promise<Row[]> {
  await ensurePeers()
  const ours = await measure(OURS)
  const rows: Row[] = []
  for (const entry of [OURS_CORE, OURS, ...PEER_ENTRIES()]) {
    const size = entry === OURS ? ours : await measure(entry)
    rows.push({
      name: `8b. bundle, same recipe (esbuild min, react external, gzip -9): ${entry.name} [${size.top}]`,
      figure: figure(size),
      baseline: `${kb(ours.gzip)} ours (core + react)`,
      ratio: ratio(size.gzip / ours.gzip),
      goal: '(reference)',
      pass: undefined,
    })
  }
  return rows
}
