// Packs the built dist/ into .pack/session-stream.tgz exactly as `npm publish` would, without
// rebuilding (`npm test` has just built; `npm pack` alone runs `prepack`, which builds), and
// checks what the tarball holds: package.json, README.md, LICENSE and dist/ only, every
// `exports` target present, and no source map pointing at a file the tarball does not ship.
// publint, attw and the consumer fixture (scripts/test-consumer.mjs) then read this tarball.
//
// Source maps: the build emits none (tsconfig.build.json). tsc's output is the source minus its
// types, one .js and one .d.ts per module with the same names and doc comments, so a map would
// add little to a stack trace or "go to definition" (the .d.ts carries the docs), and the maps
// it emitted pointed at ../src, which is not shipped: bundlers warn about such maps in users'
// builds. Shipping src/ instead would add ~54 kB gzip to a ~100 kB tarball for that.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join, posix } from 'node:path'

const out = '.pack'
const tarball = join(out, 'session-stream.tgz')
if (!existsSync('dist/index.js')) {
  console.error('pack: dist/ is missing: run `npm run build` first')
  process.exit(1)
}
rmSync(out, { recursive: true, force: true })
mkdirSync(out)
const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], {
  encoding: 'utf8',
  shell: process.platform === 'win32',
})
if (packed.status !== 0) {
  console.error(packed.stderr)
  process.exit(1)
}
const [info] = JSON.parse(packed.stdout)
renameSync(join(out, info.filename), tarball)

const files = new Set(info.files.map((file) => file.path))
const problems = []
for (const required of ['package.json', 'README.md', 'LICENSE']) if (!files.has(required)) problems.push(`missing ${required}`)
for (const file of files) {
  if (!['package.json', 'README.md', 'LICENSE'].includes(file) && !file.startsWith('dist/')) problems.push(`ships ${file}`)
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
for (const [entry, target] of Object.entries(pkg.exports)) {
  for (const path of typeof target === 'string' ? [target] : Object.values(target)) {
    if (!files.has(posix.normalize(path))) problems.push(`exports["${entry}"] → ${path} is not in the tarball`)
  }
}
for (const file of files) {
  if (!/\.(js|d\.ts)$/.test(file)) continue
  const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(file, 'utf8'))?.[1]
  if (url === undefined || url.startsWith('data:')) continue
  const map = posix.join(posix.dirname(file), url)
  if (!files.has(map)) {
    problems.push(`${file} points at ${map}, not shipped`)
    continue
  }
  const { sources = [], sourceRoot = '' } = JSON.parse(readFileSync(map, 'utf8'))
  for (const source of sources) {
    const path = posix.normalize(posix.join(posix.dirname(map), sourceRoot, source))
    if (!files.has(path)) problems.push(`${map} needs ${path}, not shipped`)
  }
}
for (const problem of problems) console.log(`FAIL ${problem}`)
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`
console.log(`pack: ${tarball}: ${files.size} files, ${kB(info.size)} packed, ${kB(info.unpackedSize)} unpacked${problems.length ? `, ${problems.length} problems` : ''}`)
process.exit(problems.length === 0 ? 0 : 1)
