// After the build: the testing entry (dist/testing) was compiled with its own copy of the
// src/ modules it imports (dist/testing/src). Two copies mean two `SessionStreamError`
// classes, so `instanceof` would fail across entries. This points every import of that copy
// at the core build (dist/), which tsc emitted from the same sources, and deletes the copy.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'

const dist = resolve('dist')
const copy = join(dist, 'testing', 'src')

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* files(path)
    else if (/\.(js|d\.ts)$/.test(entry.name)) yield path
  }
}

let rewritten = 0
for await (const file of files(join(dist, 'testing', 'mock-server'))) {
  const text = await readFile(file, 'utf8')
  const next = text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\2/g, (match, head, quote, specifier) => {
    const target = resolve(dirname(file), specifier)
    if (!target.startsWith(copy + sep)) return match
    let path = relative(dirname(file), join(dist, relative(copy, target))).split(sep).join('/')
    if (!path.startsWith('.')) path = `./${path}`
    rewritten++
    return `${head}${quote}${path}${quote}`
  })
  if (next !== text) await writeFile(file, next)
}
await rm(copy, { recursive: true, force: true })
console.log(`testing entry: ${rewritten} imports point at the core build; its own copy of src/ removed`)
