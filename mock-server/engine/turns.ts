import type { Scheduler } from './clock.js'
import type { TurnSink, TurnStep } from './turn-script.js'

export type TurnOutcome = 'completed' | 'cancelled'

export interface RunningTurn {
  readonly sessionID: string
  readonly done: Promise<TurnOutcome>
  /**
   * Stops the turn without writing a durable event (a crash cannot write one) and ends
   * its run. On restart the coordinator is reset first, so that end changes nothing.
   */
  cancel(): void
}

export interface TurnRunner {
  start(sessionID: string, steps: readonly TurnStep[], sink: TurnSink, intervalMs: number): RunningTurn
  cancel(filter?: (turn: RunningTurn) => boolean): void
  readonly size: number
}

/**
 * Runs scripted turns on the injected scheduler. Unpaced steps run back to back in the
 * same tick; each delta waits `intervalMs` (0 still yields to the event loop).
 */
export function createTurnRunner(scheduler: Scheduler): TurnRunner {
  const turns = new Set<RunningTurn>()

  return {
    start(sessionID, steps, sink, intervalMs) {
      let index = 0
      let timer: unknown
      let waited = false
      let settle: ((outcome: TurnOutcome) => void) | undefined
      const done = new Promise<TurnOutcome>((resolve) => (settle = resolve))
      const finish = (outcome: TurnOutcome): void => {
        turns.delete(turn)
        settle?.(outcome)
      }
      const advance = (): void => {
        timer = undefined
        while (turns.has(turn)) {
          const next = steps[index]
          if (next === undefined) return finish('completed')
          if (next.paced && !waited) {
            waited = true
            timer = scheduler.setTimeout(advance, intervalMs)
            return
          }
          waited = false
          index++
          next.run(sink)
        }
      }
      const turn: RunningTurn = {
        sessionID,
        done,
        cancel() {
          if (!turns.has(turn)) return
          if (timer !== undefined) scheduler.clearTimeout(timer)
          finish('cancelled')
          sink.endRun()
        },
      }
      turns.add(turn)
      // The unpaced head (the prompt rows, the run's start, the first step.started) runs
      // before this returns, so the session is already running when the request answers.
      advance()
      return turn
    },
    cancel(filter = () => true) {
      for (const turn of turns) if (filter(turn)) turn.cancel()
    },
    get size() {
      return turns.size
    },
  }
}
