import type { Environment } from '../transport/environment.js'
import type { ServerShape } from '../transport/shape.js'
import { withoutActivity } from '../view/fold.js'
import { plainView } from '../view/list.js'
import type { SessionView } from '../view/types.js'

export interface CachedView {
  /** The last durable seq folded into `view`: the stream resumes after it. */
  readonly cursor: number
  readonly view: SessionView
  readonly savedAt: number
  /**
   * The server's shape as the connection last knew it: a reload starts from it, so a released
   * opencode server's live text flows at once instead of after the detection's 1.5 s.
   */
  readonly shape?: ServerShape | undefined
}

/** Where folded views outlive the page (session-stream/persist's `indexedDBCache()` is one). */
export interface ViewCache {
  load(server: string, sessionID: string): Promise<CachedView | undefined>
  save(server: string, sessionID: string, entry: CachedView): Promise<void>
  drop(server: string, sessionID: string): Promise<void>
}

/** A reload waits this long for the cache at most, then connects without it. */
const LOAD_WAIT_MS = 1000
/** Saves wait for this much quiet: a streaming turn is saved when it pauses or the tab hides. */
const SAVE_QUIET_MS = 1000

export interface Persistence {
  /** The cached view to show first, activity unknown (a cache cannot vouch for a run). */
  load(): Promise<CachedView | undefined>
  /** The view changed: saved after SAVE_QUIET_MS without another change, at once when a turn ended or `now`. */
  changed(view: SessionView, now?: boolean): void
  /** The history is gone or reset: what is cached must not come back. */
  drop(): void
  stop(): void
}

export function createPersistence(
  cache: ViewCache,
  server: string,
  sessionID: string,
  env: Environment,
  shape: () => ServerShape | undefined,
): Persistence {
  let timer: unknown
  /** The load's deadline, cleared by stop() if the handle closes while the cache is read. */
  let wait: unknown
  let latest: SessionView | undefined
  let saved: SessionView | undefined
  const save = () => {
    timer = undefined
    const view = latest
    if (view === undefined || view === saved || view.cursor < 0) return
    saved = view
    void cache.save(server, sessionID, { cursor: view.cursor, view: plainView(view), savedAt: env.now(), shape: shape() })
  }
  const cancel = () => {
    if (timer !== undefined) env.clearTimeout(timer)
    timer = undefined
  }
  const offVisibility = env.onVisibilityChange((visible) => {
    // A reload or a closed tab hides the page first: the last chance to save.
    if (!visible && timer !== undefined) {
      cancel()
      save()
    }
  })
  return {
    async load() {
      const late = new Promise<undefined>((resolve) => (wait = env.setTimeout(() => resolve(undefined), LOAD_WAIT_MS)))
      try {
        const entry = await Promise.race([cache.load(server, sessionID).catch(() => undefined), late])
        if (entry === undefined || entry.view.sessionID !== sessionID) return undefined
        saved = entry.view
        return { ...entry, view: withoutActivity(entry.view) }
      } finally {
        env.clearTimeout(wait)
      }
    },
    changed(view, now = false) {
      if (view === latest && !now) return
      // A turn that has just ended is saved at once: a page that unloads cannot finish a write.
      const ended = view.activity === 'idle' && latest?.activity !== 'idle'
      latest = view
      cancel()
      if (now || ended) save()
      else timer = env.setTimeout(save, SAVE_QUIET_MS)
    },
    drop() {
      cancel()
      latest = saved = undefined
      void cache.drop(server, sessionID).catch(() => {})
    },
    stop() {
      env.clearTimeout(wait)
      if (timer !== undefined) {
        cancel()
        save()
      }
      offVisibility()
    },
  }
}
