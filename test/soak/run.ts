import { runSoak } from './soak.js'

/*
 * `npm run soak`: the long version, one phase per server shape (SOAK_SHAPES=unified,split).
 * SOAK_SESSIONS, SOAK_TURNS, SOAK_SECONDS (per phase), SOAK_MAX_INTERVAL_MS and SOAK_SEED
 * override the defaults. Exits non-zero if any durable event was lost or applied twice, a
 * delta came before its start, a session was left looking busy or on the wrong shape, or a
 * view differs from the server's fold.
 */
const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const report = await runSoak({
  sessions: number('SOAK_SESSIONS', 24),
  turnsPerSession: number('SOAK_TURNS', 8),
  deadlineMs: number('SOAK_SECONDS', 90) * 1000,
  seed: number('SOAK_SEED', Date.now() % 1_000_000),
  maxIntervalMs: number('SOAK_MAX_INTERVAL_MS', 20),
  shapes: (process.env.SOAK_SHAPES ?? 'unified,split').split(',').map((shape) => {
    if (shape !== 'unified' && shape !== 'split') throw new Error(`SOAK_SHAPES: unknown shape ${shape}`)
    return shape
  }),
  log: (line) => console.log(line),
})
const { byShape, ...totals } = report
const metrics = Object.keys(totals) as (keyof typeof totals)[]
const cell = (value: unknown) => (typeof value === 'object' ? JSON.stringify(value) : value)
console.table(metrics.map((metric) => ({ metric, total: cell(totals[metric]), ...Object.fromEntries(Object.entries(byShape).map(([shape, phase]) => [shape, cell(phase[metric])])) })))
const ok =
  report.durableLost === 0 &&
  report.appliedTwice === 0 &&
  report.deltasBeforeStart === 0 &&
  report.staleSpinners === 0 &&
  report.wrongShape === 0 &&
  report.viewsEqualToServerFold === report.sessions &&
  report.textsExact === report.completedTurns
console.log(ok ? 'soak passed' : `soak FAILED (reproduce with SOAK_SEED=${report.seed})`)
process.exit(ok ? 0 : 1)
