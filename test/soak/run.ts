import { runSoak } from './soak.js'

/*
 * `npm run soak`: the long version. SOAK_SESSIONS, SOAK_TURNS, SOAK_SECONDS, SOAK_MAX_INTERVAL_MS and SOAK_SEED
 * override the defaults. Exits non-zero if any durable event was lost or applied twice, a
 * delta came before its start, or a view differs from the server's fold.
 */
const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const report = await runSoak({
  sessions: number('SOAK_SESSIONS', 24),
  turnsPerSession: number('SOAK_TURNS', 8),
  deadlineMs: number('SOAK_SECONDS', 90) * 1000,
  seed: number('SOAK_SEED', Date.now() % 1_000_000),
  maxIntervalMs: number('SOAK_MAX_INTERVAL_MS', 20),
  log: (line) => console.log(line),
})
console.table(Object.entries(report).map(([metric, value]) => ({ metric, value: typeof value === 'object' ? JSON.stringify(value) : value })))
const ok =
  report.durableLost === 0 &&
  report.appliedTwice === 0 &&
  report.deltasBeforeStart === 0 &&
  report.viewsEqualToServerFold === report.sessions &&
  report.textsExact === report.completedTurns
console.log(ok ? 'soak passed' : `soak FAILED (reproduce with SOAK_SEED=${report.seed})`)
process.exit(ok ? 0 : 1)
