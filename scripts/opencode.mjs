// `npm run test:opencode`: the SDK against the REAL released opencode server.
//
// Installs the server binary (opencode-linux-x64, pinned) into a cache directory outside the
// project's dependencies, reused when present, so a plain `npm install` never downloads 180 MB;
// then runs test/opencode/ with its own vitest config and a JSON report of its own
// (test-results/opencode.json, which .ci/run adds to its closing count line).
//
// The only allowed skip: the binary cannot be installed (registry unreachable, other
// platform). That prints a loud SKIPPED block and exits 0. Everything else runs or fails.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'

const VERSION = '1.18.34'
const PACKAGE = 'opencode-linux-x64'
const ROOT = join(import.meta.dirname, '..')
const REPORT = join(ROOT, 'test-results', 'opencode.json')
const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
const dir = join(cacheRoot, 'session-stream', `opencode-${VERSION}`)
const binaryIn = (prefix) => join(prefix, 'node_modules', PACKAGE, 'bin', 'opencode')

/** Installed, complete, and the pinned version. */
function installed(prefix) {
  try {
    const manifest = JSON.parse(readFileSync(join(prefix, 'node_modules', PACKAGE, 'package.json'), 'utf8'))
    return manifest.version === VERSION && existsSync(binaryIn(prefix))
  } catch {
    return false
  }
}

function skip(reason, detail) {
  // A stale report from an earlier run must not be counted as this run's.
  rmSync(REPORT, { force: true })
  const bar = '='.repeat(78)
  const lines = [
    bar,
    'SKIPPED: npm run test:opencode',
    `SKIPPED: ${reason}`,
    ...detail
      .trim()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(0, 6)
      .map((line) => `SKIPPED:   ${line}`),
    'SKIPPED: the tests against the real opencode server did NOT run.',
    bar,
  ]
  console.log(lines.join('\n'))
  process.exit(0)
}

/** npm, the one running this script when there is one. */
function npm(args) {
  const cli = process.env.npm_execpath
  const [command, prefix] = cli !== undefined && cli.endsWith('.js') ? [process.execPath, [cli]] : ['npm', []]
  return spawnSync(command, [...prefix, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, npm_config_update_notifier: 'false' } })
}

if (!installed(dir)) {
  // Into a fresh sibling first, then renamed: an interrupted install never looks complete.
  const staging = `${dir}.partial-${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(staging, { recursive: true })
  console.log(`installing ${PACKAGE}@${VERSION} into ${dir} …`)
  const result = npm(['install', '--prefix', staging, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${PACKAGE}@${VERSION}`])
  if (result.status !== 0 || !installed(staging)) {
    rmSync(staging, { recursive: true, force: true })
    const why = result.error !== undefined ? String(result.error) : `${result.stdout ?? ''}\n${result.stderr ?? ''}`
    skip(`could not install ${PACKAGE}@${VERSION} (registry unreachable or another platform than linux-x64)`, why)
  }
  mkdirSync(dirname(dir), { recursive: true })
  rmSync(dir, { recursive: true, force: true })
  renameSync(staging, dir)
}

rmSync(REPORT, { force: true })
const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs')
const run = spawnSync(
  process.execPath,
  [
    vitest,
    'run',
    '--config',
    'test/opencode/vitest.config.ts',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${REPORT}`,
    ...process.argv.slice(2),
  ],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, OPENCODE_BIN: binaryIn(dir) } },
)
process.exit(run.status ?? 1)
