import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

// The tests against the real opencode server (`npm run test:opencode`, which installs it
// first). Kept out of the default suite: each file boots a 180 MB binary, one at a time.
export default defineConfig({
  root: join(import.meta.dirname, '..', '..'),
  test: {
    include: ['test/opencode/**/*.opencode.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
