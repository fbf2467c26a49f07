/**
 * Fault switches that stay on until changed. One-shot faults (`drop`, `restart`) are
 * actions on the engine instead and never live here.
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
}

export interface FaultState {
  current(): FaultSettings
  update(patch: Partial<FaultSettings>): void
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
}

export function createFaultState(): FaultState {
  let settings = NONE
  const listeners = new Set<() => void>()
  const changed = (next: FaultSettings): void => {
    settings = next
    for (const listener of listeners) listener()
  }
  return {
    current: () => settings,
    update: (patch) => changed({ ...settings, ...patch }),
    clear: () => changed(NONE),
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}
