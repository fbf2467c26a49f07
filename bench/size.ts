import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { kb, ratio } from './lib/stats.js'
import type { Row } from './lib/table.js'

const exec = promisify(execFile)
const shell = (command: string, args: readonly string[]) => exec(command, [...args], { maxBuffer: 16 * 1024 * 1024 })

interface Check {
  readonly name: string
  readonly size: number
  readonly sizeLimit?: number
  readonly passed?: boolean
}

const isChecks = (value: unknown): value is Check[] =>
  Array.isArray(value) && value.every((item: unknown) => typeof item === 'object' && item !== null && 'size' in item)

/** Minified, bundled ESM of `entry`, gzipped: the same recipe as size-limit's esbuild + file plugins. */
async function gzipped(entry: string, external: readonly string[] = []): Promise<{ size: number; inputs: Map<string, number> }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    metafile: true,
    external: [...external],
    logLevel: 'silent',
  })
  const output = Object.values(result.metafile.outputs)[0]
  const inputs = new Map<string, number>()
  for (const [file, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const owner = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.replace(/^dist\/([^/]+).*/, 'src/$1')
    inputs.set(owner, (inputs.get(owner) ?? 0) + bytesInOutput)
  }
  return { size: gzipSync(result.outputFiles[0]?.contents ?? new Uint8Array(), { level: 9 }).length, inputs }
}

/** Where the core's bytes go: minified bytes per package or source folder, and gzip without zod. */
async function breakdown(core: number): Promise<Row> {
  const full = await gzipped('dist/index.js')
  const withoutZod = await gzipped('dist/index.js', ['zod', 'zod/*'])
  const total = [...full.inputs.values()].reduce((sum, size) => sum + size, 0)
  const top = [...full.inputs]
    .toSorted((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, size]) => `${name} ${Math.round((size / total) * 100)}%`)
    .join(', ')
  return {
    name: `8. core without zod (minified shares: ${top})`,
    figure: kb(withoutZod.size),
    baseline: kb(core),
    ratio: ratio(withoutZod.size / core),
    goal: '(reference)',
    pass: undefined,
  }
}

export async function run(): Promise<Row[]> {
  await shell('npm', ['run', 'build', '--silent'])
  const { stdout } = await shell('npx', ['--no-install', 'size-limit', '--json']).catch((error: { stdout?: string }) => ({
    stdout: error.stdout ?? '[]', // size-limit exits 1 when a limit is exceeded; its JSON is still on stdout
  }))
  const checks: unknown = JSON.parse(stdout)
  if (!isChecks(checks)) throw new Error(`unexpected size-limit output: ${stdout}`)
  const rows: Row[] = checks.map((check) => ({
    name: `8. bundle ${check.name === 'core' ? 'core dist/index.js + dependencies' : `${check.name} on top of core`} (min + gzip)`,
    figure: kb(check.size),
    baseline: '–',
    ratio: '–',
    goal: check.sizeLimit === undefined ? '–' : `≤ ${kb(check.sizeLimit)}`,
    pass: check.passed,
  }))
  const core = checks.find((check) => check.name === 'core')
  if (core !== undefined && existsSync('dist/index.js')) rows.push(await breakdown(core.size))
  return rows
}
