import type { SessionStreamError } from '../errors.js'
import type { SessionEvent, UnknownEvent } from '../protocol/events.js'
import { createSessionStore, type SessionHandle } from '../store/session-store.js'
import type { FlushScheduler } from '../store/scheduler.js'
import { sessionEvents, type SessionEventsOptions } from '../stream/events.js'
import { checkSessionID, hubFor, type ConnectionOptions } from '../transport/connection.js'
import { defaultEnvironment } from '../transport/environment.js'
import { serverKey } from '../persist/key.js'
import type { ViewCache } from '../store/persisted.js'
import { createSessionApi, type SessionApi } from './api.js'
import { connectTabs, type TabsOption } from './tabs.js'

export interface SessionClientOptions extends Omit<ConnectionOptions, 'sessionID' | 'after' | 'onHistoryReset' | 'hub'> {
  /** How store notifications are batched. @default once per animation frame (browser) or task */
  readonly scheduler?: FlushScheduler | undefined
  /** Valid events of a type this client does not know: kept out of the view, reported here. */
  readonly onUnknownEvent?: ((event: UnknownEvent, sessionID: string) => void) | undefined
  /**
   * Events of a known type whose `data` does not fit the catalogue (a server that changed a
   * field): still ordered and past the cursor, kept out of the view, handed here as received.
   */
  readonly onInvalidEvent?: ((event: UnknownEvent, error: SessionStreamError, sessionID: string) => void) | undefined
  /**
   * Every event a session handle receives, after the cursor gate (durable ones exactly
   * once, in order) and before it is folded: for event logs and debugging.
   */
  readonly onEvent?: ((event: SessionEvent, sessionID: string) => void) | undefined
  /**
   * One connection per session for all the tabs of this origin (`shareAcrossTabs()` from
   * `session-stream/tabs`): the tabs elect a leader that holds the connections and feeds the
   * others. Off by default: the leader's credentials serve every tab, so only an app whose tabs
   * all act as one user should turn it on (or name the user in `shareKey`).
   */
  readonly tabs?: TabsOption | undefined
  /** Tabs share only with tabs of the same `baseUrl` and `shareKey` (e.g. a user id; not a secret). */
  readonly shareKey?: string | undefined
  /**
   * Keeps each session's folded view and cursor (`indexedDBCache()` from `session-stream/persist`),
   * so a reload shows the transcript at once and resumes after the cursor. Never stores credentials.
   */
  readonly cache?: ViewCache | undefined
}

export interface SessionOptions {
  /** Resume after this durable seq (an integer ≥ 0). Absent: the whole log. Ignored when a handle for the id already exists. */
  readonly after?: number | undefined
}

export interface EventsOptions extends Pick<SessionEventsOptions, 'after' | 'signal' | 'highWaterMark'> {
  readonly sessionID: string
}

export interface SessionClient {
  /** One handle per session id per client: calling again returns the same handle. */
  session(sessionID: string, options?: SessionOptions): SessionHandle
  readonly sessions: SessionApi & {
    /** The session-scoped stream of typed events, for code that is not a UI. */
    events(options: EventsOptions): AsyncIterable<SessionEvent>
  }
  /** Closes every handle this client made, and the shared server-wide stream. Idempotent. */
  close(): void
}

export function createSessionClient(options: SessionClientOptions): SessionClient {
  const handles = new Map<string, SessionHandle>()
  const env = options.environment ?? defaultEnvironment()
  const fetchFn = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init))
  // One server-wide stream for every session this client follows on a split server.
  const hub = hubFor({ ...options, fetch: fetchFn, environment: env })
  const connectionOptions = {
    ...options,
    fetch: fetchFn,
    environment: env,
    hub,
    scheduler: undefined,
    onUnknownEvent: undefined,
    onInvalidEvent: undefined,
    onEvent: undefined,
    tabs: undefined,
    cache: undefined,
  }
  const server = serverKey(options.baseUrl)
  const cache = options.cache === undefined ? undefined : { store: options.cache, server }
  // Versioned: tabs of an older release of the app never mix their messages with ours.
  const coordinator = options.tabs?.(`v1 ${server} ${options.shareKey ?? ''}`)
  const tabs = coordinator === undefined ? undefined : connectTabs(coordinator, handles, (sessionID) => client.session(sessionID))
  const unknownFor = (sessionID: string) =>
    options.onUnknownEvent === undefined ? undefined : (event: UnknownEvent) => options.onUnknownEvent?.(event, sessionID)
  const invalidFor = (sessionID: string) =>
    options.onInvalidEvent === undefined
      ? undefined
      : (event: UnknownEvent, error: SessionStreamError) => options.onInvalidEvent?.(event, error, sessionID)
  const api = createSessionApi({
    baseUrl: options.baseUrl,
    fetch: fetchFn,
    env,
    token: options.token,
    headers: options.headers,
    timeoutMs: 30_000,
    moved: () => hub.refresh(),
    checkSessionID,
  })

  let closing = false
  const client: SessionClient = {
    session(sessionID, sessionOptions = {}) {
      const existing = handles.get(sessionID)
      if (existing !== undefined) return existing
      const handle = createSessionStore({
        ...connectionOptions,
        sessionID,
        after: sessionOptions.after,
        scheduler: options.scheduler,
        onUnknownEvent: unknownFor(sessionID),
        onInvalidEvent: invalidFor(sessionID),
        onEvent: options.onEvent === undefined ? undefined : (event) => options.onEvent?.(event, sessionID),
        share: tabs?.share,
        cache,
        onClose: () => {
          if (handles.get(sessionID) === handle) handles.delete(sessionID)
          if (!closing) tabs?.closed(sessionID)
        },
      })
      handles.set(sessionID, handle)
      return handle
    },
    sessions: {
      ...api,
      events: (eventsOptions) =>
        sessionEvents({
          ...connectionOptions,
          ...eventsOptions,
          onUnknownEvent: unknownFor(eventsOptions.sessionID),
          onInvalidEvent: invalidFor(eventsOptions.sessionID),
        }),
    },
    close() {
      closing = true
      for (const handle of handles.values()) handle.close()
      handles.clear()
      tabs?.close()
      hub.close()
    },
  }
  return client
}
