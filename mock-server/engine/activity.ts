import type { ACTIVITY_STATUSES } from '../../src/protocol/index.js'

export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number]

/**
 * The process-local foreground run coordinator: the only source of `session.activity`.
 * It lives in memory on purpose, so a restart forgets every run and every session is
 * idle again, exactly like the real server.
 */
export interface RunCoordinator {
  /**
   * Starts a run and returns its idempotent `end`. Background runs never change
   * activity, and a run on a child session only ever touches the child.
   */
  begin(sessionID: string, options?: { readonly background?: boolean }): () => void
  status(sessionID: string): ActivityStatus
  /** Sessions with at least one foreground run. */
  running(): readonly string[]
  /** Crash semantics: everything idle, no transitions emitted, pending `end`s become no-ops. */
  reset(): void
}

export function createRunCoordinator(onTransition: (sessionID: string, status: ActivityStatus) => void): RunCoordinator {
  const counts = new Map<string, number>()
  let generation = 0

  return {
    begin(sessionID, options = {}) {
      if (options.background === true) return () => {}
      const born = generation
      const before = counts.get(sessionID) ?? 0
      counts.set(sessionID, before + 1)
      if (before === 0) onTransition(sessionID, 'running')
      let ended = false
      return () => {
        if (ended || born !== generation) return
        ended = true
        const now = (counts.get(sessionID) ?? 1) - 1
        if (now > 0) return void counts.set(sessionID, now)
        counts.delete(sessionID)
        onTransition(sessionID, 'idle')
      }
    },
    status: (sessionID) => ((counts.get(sessionID) ?? 0) > 0 ? 'running' : 'idle'),
    running: () => [...counts.keys()],
    reset() {
      generation++
      counts.clear()
    },
  }
}
