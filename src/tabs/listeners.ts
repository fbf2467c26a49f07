/** Calls every listener with `args`. A throwing listener must not leave the coordinator half-updated, nor silence the others: its error is reported on its own, as an event listener's would be. */
export function call<A extends unknown[]>(listeners: Iterable<(...args: A) => void>, ...args: A): void {
  // A copy: a listener may subscribe another during the call, which must wait for the next one.
  for (const listener of Array.from(listeners)) {
    try {
      listener(...args)
    } catch (error) {
      queueMicrotask(() => {
        throw error
      })
    }
  }
}

export function subscribe<L>(set: Set<L>, listener: L): () => void {
  set.add(listener)
  return () => void set.delete(listener)
}
