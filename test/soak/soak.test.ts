import { describe, expect, it } from 'vitest'
import { runSoak } from './soak.js'

describe('fault-injection soak (short)', () => {
  it('loses nothing, applies nothing twice, and converges every view on the server fold', { timeout: 60_000 }, async () => {
    const seed = Number(process.env.SOAK_SEED ?? 20261124)
    const report = await runSoak({ sessions: 6, turnsPerSession: 3, deadlineMs: 8000, seed })
    expect(report.turns).toBeGreaterThan(0)
    expect(Object.values(report.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
    expect({
      durableLost: report.durableLost,
      appliedTwice: report.appliedTwice,
      deltasBeforeStart: report.deltasBeforeStart,
      viewsEqual: report.viewsEqualToServerFold,
      textsExact: report.textsExact,
    }).toEqual({
      durableLost: 0,
      appliedTwice: 0,
      deltasBeforeStart: 0,
      viewsEqual: report.sessions,
      textsExact: report.completedTurns,
    })
  })
})
