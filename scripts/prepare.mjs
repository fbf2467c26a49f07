// `prepare`: build dist/ when it is missing. npm runs `prepack` (which always builds) for
// `npm pack` and `npm publish`, but when it installs this package from git it runs only
// `prepare` (pacote: the clone gets `npm install`, then only its `prepare` script), so without
// this a git install would get a package with no dist/. It skips when dist/ already exists, so a
// developer's `npm install` does not rebuild every time (`npm run build` does, and so does pack).
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

if (existsSync('dist/index.js')) {
  console.log('prepare: dist/ exists, not rebuilding (npm run build does)')
} else {
  const run = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' })
  process.exit(run.status ?? 1)
}
