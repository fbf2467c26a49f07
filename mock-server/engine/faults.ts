import type { Fault } from './control-schemas.js'

/**
 * Fault switches that stay on until changed. One-shot faults (`drop`, `restart`) are
 * actions on the engine instead and never live here. `privateRows` is a log switch, not a
 * stream fault, but it lives here so `/__mock/faults` shows and clears it with the rest.
 */
export interface FaultSettings {
  /** Each stream closes after this many data frames; `id` changes each time it is set. */
  readonly dropAfter: { readonly frames: number; readonly id: number } | undefined
  /** Write nothing at all, heartbeats included, while keeping sockets open. */
  readonly stall: boolean
  /** Which streams the stall (and nothing else) holds: every stream, session streams only, or server-wide ones only. */
  readonly stallTarget: StreamTarget
  /** Write each frame in tiny chunks: `bytes` each, or 1..7 at random. */
  readonly split: { readonly bytes: number | undefined } | undefined
  /** Write each durable frame twice. */
  readonly duplicate: boolean
  /** Answer stream requests with 503 and this `Retry-After`. */
  readonly shed: { readonly retryAfterSeconds: number } | undefined
  /** Commit a private row before every public one, so public seqs skip (1, 3, 5, …). */
  readonly privateRows: boolean
  /**
   * Which server this is. `unified`: the seed's session stream (replay, one activity snapshot,
   * live fragments). `split`: the released opencode server (session streams carry durable rows
   * only; fragments on `GET /api/event`; activity from `GET /api/session/active`). Like
   * `privateRows`, a server switch rather than a stream fault; changing it ends every open
   * session stream so its client reconnects to the new shape.
   */
  readonly shape: ServerShape
}

/** The seed's shape, or the released opencode server's. */
export type ServerShape = 'unified' | 'split'

/** Which streams a targeted fault acts on: session streams, server-wide streams, or both. */
export type StreamTarget = 'all' | 'session' | 'server'

/** Whether a fault aimed at `target` reaches a stream of `kind`. */
export const hits = (target: StreamTarget | undefined, kind: 'session' | 'server'): boolean =>
  target === undefined || target === 'all' || target === kind

export interface FaultState {
  current(): FaultSettings
  update(patch: Partial<FaultSettings>): void
  /** Back to the engine's defaults: every fault off, `privateRows` as the engine option says. */
  clear(): void
  /** Streams waiting for data listen here so a stall can end without a new event. */
  subscribe(listener: () => void): () => void
}

const NONE: FaultSettings = {
  dropAfter: undefined,
  stall: false,
  stallTarget: 'all',
  split: undefined,
  duplicate: false,
  shed: undefined,
  privateRows: false,
  shape: 'unified',
}

export function createFaultState(defaults: Partial<FaultSettings> = {}): FaultState {
  const initial: FaultSettings = { ...NONE, ...defaults }
  let settings = initial
  const listeners = new Set<() => void>()
  const changed = (next: FaultSettings): void => {
    settings = next
    for (const listener of listeners) listener()
  }
  return {
    current: () => settings,
    update: (patch) => changed({ ...settings, ...patch }),
    clear: () => changed(initial),
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}

/** A fault that only flips switches (the others act on streams: drop, restart, clear). */
export type SwitchFault = Exclude<Fault, { readonly type: 'drop' | 'restart' | 'clear' }>

/** What a switch fault changes in the settings. */
export function patchFor(fault: SwitchFault, current: FaultSettings): Partial<FaultSettings> {
  switch (fault.type) {
    case 'drop-after':
      return { dropAfter: { frames: fault.frames, id: (current.dropAfter?.id ?? 0) + 1 } }
    case 'stall':
      return { stall: fault.on, stallTarget: fault.on ? (fault.target ?? 'all') : 'all' }
    case 'split':
      return { split: fault.on === false ? undefined : { bytes: fault.bytes } }
    case 'duplicate':
      return { duplicate: fault.on }
    case 'shed':
      return { shed: fault.on ? { retryAfterSeconds: fault.retryAfterSeconds ?? 1 } : undefined }
    case 'private-rows':
      return { privateRows: fault.on }
    case 'shape':
      return { shape: fault.shape }
  }
}
