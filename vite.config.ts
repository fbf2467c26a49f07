import { defineConfig } from 'vitest/config'

// Vitest configuration. The demo's Vite server is created by demo/run.ts with its own root.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The machine is shared and has two cores: keep parallelism modest and deterministic.
    pool: 'forks',
    maxWorkers: 2,
  },
})
