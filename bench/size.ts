import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { kb } from './lib/stats.js'
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
async function gzipped(entry: string): Promise<{ size: number; inputs: Map<string, number> }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    metafile: true,
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

/** The issue's goals; the `size-limit` budgets in package.json are what fails the build. */
const GOALS: Readonly<Record<string, number>> = { core: 10_000, react: 1_000, vue: 1_000 }

/** Where the core's bytes go: shares of the minified output per package or source folder. */
async function breakdown(): Promise<Row> {
  const { size, inputs } = await gzipped('dist/index.js')
  const total = [...inputs.values()].reduce((sum, bytes) => sum + bytes, 0)
  const shares = [...inputs]
    .toSorted((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, bytes]) => `${name} ${Math.round((bytes / total) * 100)}%`)
    .join(', ')
  return {
    name: `8. core, minified shares: ${shares}`,
    figure: `${kb(total)} min`,
    baseline: `${kb(size)} gzip -9`,
    ratio: '–',
    goal: '(reference)',
    pass: undefined,
  }
}

export async function run(): Promise<Row[]> {
  await shell('npm', ['run', 'build', '--silent'])
  const { stdout } = await shell('npx', ['--no-install', 'size-limit', '--json']).catch((error: { stdout?: string }) => ({
    stdout: error.stdout ?? '[]', // size-limit exits 1 when a budget is exceeded; its JSON is still on stdout
  }))
  const checks: unknown = JSON.parse(stdout)
  if (!isChecks(checks)) throw new Error(`unexpected size-limit output: ${stdout}`)
  const rows: Row[] = checks.map((check) => {
    const goal = GOALS[check.name]
    const budget = check.sizeLimit === undefined ? '' : ` (budget ${kb(check.sizeLimit)})`
    return {
      name: `8. bundle ${check.name === 'core' ? 'core dist/index.js + dependencies' : `${check.name} entry`} (min + gzip)`,
      figure: kb(check.size),
      baseline: '–',
      ratio: '–',
      goal: goal === undefined ? '–' : `≤ ${kb(goal)}${budget}`,
      pass: goal === undefined ? check.passed : check.size <= goal,
    }
  })
  if (existsSync('dist/index.js')) rows.push(await breakdown())
  return rows
}
