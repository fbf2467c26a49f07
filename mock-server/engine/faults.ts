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
  /** Write each frame in tiny chunks: `bytes` each, or 1..7 at random. */
  readonly split: { readonly bytes: number | undefined } | undefined
  /** Write each durable frame twice. */
  readonly duplicate: boolean
  /** Answer stream requests with 503 and this `Retry-After`. */
  readonly shed: { readonly retryAfterSeconds: number } | undefined
  /** Commit a private row before every public one, so public seqs skip (1, 3, 5, …). */
  readonly privateRows: boolean
}

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
  split: undefined,
  duplicate: false,
  shed: undefined,
  privateRows: false,
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
