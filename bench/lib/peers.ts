import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { sleep } from './stats.js'

/*
 * Libraries the benchmarks compare against that are not devDependencies of this package:
 * installed on demand into a cache directory of their own (its own package.json), never into
 * the project, and imported from there by absolute path. Versions are pinned to releases that
 * support Node 20 (eventsource 5, ai 7 and @ai-sdk/react 4 need Node 22).
 */
export const PEERS = {
  eventsource: '4.1.1',
  '@electric-sql/client': '1.5.28',
  ai: '6.0.325',
  '@ai-sdk/react': '3.0.328',
  '@langchain/langgraph-sdk': '1.15.0',
  // A required peer of the LangGraph SDK; pinned so npm does not pick one for us.
  '@langchain/core': '1.4.0',
  // Peers of the AI SDK and of the React entries; the size benchmark marks react external.
  zod: '4.1.12',
  react: '19.3.1',
  'react-dom': '19.3.1',
} as const

export type Peer = keyof typeof PEERS

/** BENCH_PEERS_DIR overrides the cache directory. */
export const PEERS_DIR = process.env.BENCH_PEERS_DIR ?? join(homedir(), '.cache', 'session-stream', 'bench-peers')

const exec = promisify(execFile)
const LOCK = `${PEERS_DIR}.lock`
/** A lock older than this was left by a killed install. */
const STALE_LOCK_MS = 5 * 60_000

const installedVersion = (name: string): string | undefined => {
  const file = join(PEERS_DIR, 'node_modules', name, 'package.json')
  if (!existsSync(file)) return undefined
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
  return typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string' ? parsed.version : undefined
}

const missing = (): string[] => Object.entries(PEERS).filter(([name, version]) => installedVersion(name) !== version).map(([name]) => name)

/** One installer at a time across processes: an atomic mkdir, waited on, broken when stale. */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK)
      break
    } catch {
      const since = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs
      if (since !== undefined && Date.now() - since > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true })
      await sleep(500)
    }
  }
  try {
    return await work()
  } finally {
    rmSync(LOCK, { recursive: true, force: true })
  }
}

let ready: Promise<void> | undefined

/** Installs the pinned peers into PEERS_DIR if any is missing or at another version. */
export function ensurePeers(): Promise<void> {
  ready ??= (async () => {
    if (missing().length === 0) return
    mkdirSync(PEERS_DIR, { recursive: true })
    await withLock(async () => {
      const wanted = missing()
      if (wanted.length === 0) return // another process installed them meanwhile
      const manifest = { name: 'session-stream-bench-peers', private: true, type: 'module', dependencies: PEERS }
      writeFileSync(join(PEERS_DIR, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
      process.stderr.write(`bench: installing ${wanted.join(', ')} into ${PEERS_DIR}…\n`)
      await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEERS_DIR, maxBuffer: 16 * 1024 * 1024 })
      const still = missing()
      if (still.length > 0) throw new Error(`npm install in ${PEERS_DIR} did not install ${still.join(', ')}`)
    })
  })()
  return ready
}

let resolver: Promise<(specifier: string) => string> | undefined

/**
 * Resolves a bare specifier (`eventsource`, `@langchain/langgraph-sdk/react`) as code in the
 * cache directory would: through a module written there, whose `import.meta.resolve` starts
 * from that directory, so package `exports` and ESM-only packages resolve as they would for a user.
 */
export async function resolvePeer(specifier: string): Promise<string> {
  await ensurePeers()
  resolver ??= (async () => {
    const file = join(PEERS_DIR, 'resolve.mjs')
    const source = 'export const resolve = (specifier) => import.meta.resolve(specifier)\n'
    if (!existsSync(file) || readFileSync(file, 'utf8') !== source) writeFileSync(file, source)
    const module = (await import(pathToFileURL(file).href)) as { resolve: (specifier: string) => string }
    return module.resolve
  })()
  return (await resolver)(specifier)
}

/** Imports a peer from the cache directory (installing it first if needed). */
export async function importPeer<T>(specifier: string): Promise<T> {
  return (await import(await resolvePeer(specifier))) as T
}

export const peerVersion = (name: Peer): string => installedVersion(name) ?? PEERS[name]
