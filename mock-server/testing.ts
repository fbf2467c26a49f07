import type { Fault, MockEngine, StartedTurn, StreamTarget, TurnInput } from './index.js'

/*
 * `session-stream/testing`: the contract engine and MSW handlers, plus named fault
 * controls, so an application team can test its own UI against drops, stalls, restarts
 * and split frames in a few lines. Platform-neutral: runs under happy-dom, jsdom, Node
 * and in a browser with msw's worker.
 */
export { createMockEngine } from './engine/engine.js'
export { createMockHandlers, releaseResponseClones, type MockHandlersOptions } from './msw.js'
export type { Fault, MockEngine, MockEngineOptions, StartedTurn, TurnInput, EngineStats, ServerShape, StreamTarget } from './index.js'

export interface FaultControls {
  /**
   * Ends every open stream now: `end` closes cleanly, `reset` fails the connection. `target`
   * limits it to session streams or to server-wide ones (`GET /api/event`).
   */
  drop(mode?: 'end' | 'reset', target?: StreamTarget): void
  /** Every stream closes after `frames` data frames, until `clear()`. */
  dropAfter(frames: number): void
  /** Writes nothing (heartbeats included) while keeping sockets open, until `resume()`; `target` as for `drop`. */
  stall(target?: StreamTarget): void
  resume(): void
  /** Writes every frame in tiny separate chunks (1–7 bytes, or `bytes`). */
  split(bytes?: number): void
  /** Writes every durable frame twice. */
  duplicate(): void
  /** Crash and restart: streams reset, turns cancelled without a write, activity idle, log kept. */
  restart(): void
  /** Answers stream requests with 503 and `Retry-After`, until `clear()`. */
  shed(retryAfterSeconds?: number): void
  /** Commits a private row before every public one, so public seqs skip (1, 3, 5, …), until `clear()`. */
  privateRows(on?: boolean): void
  /**
   * Serves as the seed (`unified`) or as the released opencode server (`split`) from now on:
   * open session streams end, so their clients reconnect to the new shape.
   */
  shape(shape: 'unified' | 'split'): void
  /** Every fault off (`privateRows` and `shape` back to the engine's options). */
  clear(): void
}

/** Named fault switches over `engine.applyFault`. */
export function faultControls(engine: MockEngine): FaultControls {
  const apply = (fault: Fault) => engine.applyFault(fault)
  return {
    drop: (mode = 'end', target) => apply(target === undefined ? { type: 'drop', mode } : { type: 'drop', mode, target }),
    dropAfter: (frames) => apply({ type: 'drop-after', frames }),
    stall: (target) => apply(target === undefined ? { type: 'stall', on: true } : { type: 'stall', on: true, target }),
    resume: () => apply({ type: 'stall', on: false }),
    split: (bytes) => apply(bytes === undefined ? { type: 'split', on: true } : { type: 'split', on: true, bytes }),
    duplicate: () => apply({ type: 'duplicate', on: true }),
    restart: () => apply({ type: 'restart' }),
    shed: (retryAfterSeconds = 1) => apply({ type: 'shed', on: true, retryAfterSeconds }),
    privateRows: (on = true) => apply({ type: 'private-rows', on }),
    shape: (shape) => apply({ type: 'shape', shape }),
    clear: () => apply({ type: 'clear' }),
  }
}

/** Starts a scripted turn and fails loudly if the session is unknown. */
export function startTurn(engine: MockEngine, sessionID: string, input: TurnInput): StartedTurn {
  const turn = engine.startTurn(sessionID, input)
  if (turn === undefined) throw new Error(`session-stream/testing: no session ${sessionID}`)
  return turn
}
