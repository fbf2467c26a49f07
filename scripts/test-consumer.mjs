// The consumer fixture (test/consumer): a tiny app outside src/ that installs the packed tarball
// like any user and type-checks the README's examples under `moduleResolution: bundler`
// (a browser app without Node's types) and `node16` (a Node program), then runs them in Node
// against the testing kit's MSW server: the client + `$view.subscribe` example, the async
// iterable, the React and Vue examples rendered on the server, the testing kit's fault example.
//
// It works on a copy in the OS temp dir, so nothing resolves through this repository's
// node_modules. The fixture's dependencies are pinned to the versions installed here (so npm
// takes their tarballs from its cache, `--prefer-offline`; only metadata it has not cached comes
// from the registry) and the tarball is installed from its file. Usage:
//   node scripts/test-consumer.mjs [.pack/session-stream.tgz]   (KEEP_CONSUMER=1 keeps the copy)
import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const tarball = resolve(process.argv[2] ?? '.pack/session-stream.tgz')
if (!existsSync(tarball)) {
  console.error(`consumer: ${tarball} is missing: run \`npm run build && node scripts/pack.mjs\` first`)
  process.exit(1)
}
const fixture = resolve('test/consumer')
const dir = mkdtempSync(join(tmpdir(), 'session-stream-consumer-'))
cpSync(fixture, dir, { recursive: true, filter: (path) => !/[/\\](node_modules|out)$/.test(path) })
copyFileSync(tarball, join(dir, 'session-stream.tgz'))

// Pin each dependency to the version this repository tests with, when it has it.
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
for (const field of ['dependencies', 'devDependencies']) {
  for (const name of Object.keys(manifest[field] ?? {})) {
    const installed = resolve('node_modules', name, 'package.json')
    if (existsSync(installed)) manifest[field][name] = JSON.parse(readFileSync(installed, 'utf8')).version
  }
}
manifest.dependencies['session-stream'] = 'file:session-stream.tgz'
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)

const steps = [
  ['install the tarball', 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error']],
  ['tsc, moduleResolution bundler', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.bundler.json']],
  ['tsc, moduleResolution node16', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node16.json']],
  ['run the README examples', process.execPath, ['out/main.js']],
]
const started = performance.now()
let failed
for (const [name, command, args] of steps) {
  const t0 = performance.now()
  const run = spawnSync(command, args, { cwd: dir, stdio: 'inherit', shell: process.platform === 'win32' && command === 'npm' })
  const ms = Math.round(performance.now() - t0)
  if (run.status !== 0) {
    failed = name
    console.log(`FAIL consumer: ${name} (${ms} ms)`)
    break
  }
  console.log(`ok   consumer: ${name} (${ms} ms)`)
}
const total = `${((performance.now() - started) / 1000).toFixed(1)} s`
if (failed || process.env.KEEP_CONSUMER) console.log(`consumer: the fixture's copy is kept in ${dir}`)
else rmSync(dir, { recursive: true, force: true })
console.log(failed ? `consumer: failed at "${failed}" after ${total}` : `consumer: the packed package installs, type-checks and runs the README's examples (${total})`)
process.exit(failed ? 1 : 0)
