import { describe, expect, it } from 'vitest'
import { runSoak } from './soak.js'

describe('fault-injection soak (short)', () => {
  it('loses nothing, applies nothing twice, leaves no stale spinner and converges every view, on both server shapes', { timeout: 90_000 }, async () => {
    const seed = Number(process.env.SOAK_SEED ?? 20261124)
    const report = await runSoak({ sessions: 6, turnsPerSession: 3, deadlineMs: 8000, seed })
    expect(Object.keys(report.byShape)).toEqual(['unified', 'split'])
    for (const [shape, phase] of Object.entries(report.byShape)) {
      const faults = Object.values(phase.faults).reduce((a, b) => a + b, 0)
      expect({ shape, turns: phase.turns > 0, faults: faults > 0, live: phase.liveApplied > 0 }).toEqual({ shape, turns: true, faults: true, live: true })
      expect({
        shape,
        durableLost: phase.durableLost,
        appliedTwice: phase.appliedTwice,
        deltasBeforeStart: phase.deltasBeforeStart,
        staleSpinners: phase.staleSpinners,
        wrongShape: phase.wrongShape,
        viewsEqual: phase.viewsEqualToServerFold,
        textsExact: phase.textsExact,
      }).toEqual({
        shape,
        durableLost: 0,
        appliedTwice: 0,
        deltasBeforeStart: 0,
        staleSpinners: 0,
        wrongShape: 0,
        viewsEqual: phase.sessions,
        textsExact: phase.completedTurns,
      })
    }
  })
})
