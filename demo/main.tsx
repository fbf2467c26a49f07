import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { basicAuth, createSessionClient, type SessionClient } from '../src/index.js'
import { indexedDBCache, type SessionCache } from '../src/persist/index.js'
import { shareAcrossTabs } from '../src/tabs/index.js'
import { createMockBackend } from './lib/backend.js'
import { createByteMeter, type ByteMeter } from './lib/byte-meter.js'
import { createEventLog, type EventLog } from './lib/event-log.js'
import { createMockApi } from './lib/mock-api.js'
import { readSettings, type DemoSettings } from './lib/settings.js'
import { watchTabRole, type TabRoleWatch } from './lib/tab-role.js'
import { installTestHook } from './lib/test-hook.js'
import { App } from './react/app.js'
import { DemoContext, type Demo } from './react/context.js'
import { OpencodeRoot } from './react/opencode-root.js'

/*
 * The demo page: one SDK client for the whole page, its `onEvent` hook feeding the event
 * log. The server comes from `?mock=` / `?opencode=` or, under `npm run demo`, from the
 * DEMO_MOCK_URL / DEMO_OPENCODE_URL the dev server defines. Against a real opencode server
 * the client is made anew whenever the page is pointed elsewhere (opencode-root.tsx).
 *
 * The tabs of this origin share one connection per session (`?tabs=0`: each on its own), and
 * each session's view is cached in IndexedDB, so a reload shows the transcript at once and
 * resumes after its cursor (`?cache=0`: replay the whole log). Both are skipped by the SDK
 * where the browser lacks Web Locks, BroadcastChannel or IndexedDB.
 */

declare const DEMO_MOCK_URL: string
declare const DEMO_OPENCODE_URL: string

const container = document.getElementById('root')
if (container === null) throw new Error('#root is missing from index.html')
const root = createRoot(container)
const settings = readSettings(location.search, { mockUrl: DEMO_MOCK_URL, opencodeUrl: DEMO_OPENCODE_URL })
const log = createEventLog(500)
/** One for the page: every client's streams pass through its `fetch`. */
const bytes = createByteMeter()
/** One for the page: the health panel shows whether this tab leads, follows or shares nothing. */
const tabRole = watchTabRole(settings.tabs ? shareAcrossTabs() : undefined)
/** One for the page (one IndexedDB store); undefined with `?cache=0` or without IndexedDB. */
const cache = settings.cache ? indexedDBCache() : undefined

/** The page's client for `baseUrl`; `password` (opencode mode) becomes a Basic header, held in memory only. */
function makeClient(
  baseUrl: string,
  password: string,
  demoSettings: DemoSettings,
  eventLog: EventLog,
  meter: ByteMeter,
  tabs: TabRoleWatch,
  viewCache: SessionCache | undefined,
): SessionClient {
  return createSessionClient({
    baseUrl,
    fetch: meter.fetch,
    // Tabs share only without a password: the leader's credentials serve every tab, and a
    // password typed in one tab (right or wrong) must not serve, or fail, the others.
    tabs: password === '' ? tabs.tabs : undefined,
    cache: viewCache,
    ...(password === '' ? {} : { headers: basicAuth(password) }),
    // Quick retries so recovery is something you watch, not wait for.
    backoff: { initialDelay: 400, maxDelay: 5000, multiplier: 2 },
    idleTimeoutMs: demoSettings.idleTimeoutMs,
    onEvent: (event, sessionID) => eventLog.push(event, sessionID),
    // Kept out of the view by the client; the log shows what arrived and why it did not fit.
    onInvalidEvent: (event, error, sessionID) => eventLog.push(event, sessionID, error.message),
  })
}

if (settings.serverUrl === undefined) {
  root.render(
    <div className="empty">
      <h1>No server</h1>
      <p>
        Run <code>npm run demo</code>, or open this page with <code>?mock=http://127.0.0.1:4010</code> (the mock server) or{' '}
        <code>?opencode=http://127.0.0.1:4096</code> (a real opencode server).
      </p>
    </div>,
  )
} else if (settings.mode === 'opencode') {
  root.render(
    <StrictMode>
      <OpencodeRoot
        initialUrl={settings.serverUrl}
        settings={settings}
        log={log}
        bytes={bytes}
        tabRole={tabRole.$role}
        makeClient={(url, password) => makeClient(url, password, settings, log, bytes, tabRole, cache)}
      />
    </StrictMode>,
  )
} else {
  const client = makeClient(settings.serverUrl, '', settings, log, bytes, tabRole, cache)
  if (settings.hook) installTestHook(client, tabRole.$role, { store: cache, server: settings.serverUrl })
  const demo: Demo = {
    client,
    backend: createMockBackend(createMockApi(settings.serverUrl), client, settings.intervalMs),
    log,
    bytes,
    settings,
    tabRole: tabRole.$role,
    server: undefined,
  }
  addEventListener('pagehide', () => client.close())
  root.render(
    <StrictMode>
      <DemoContext.Provider value={demo}>
        <App />
      </DemoContext.Provider>
    </StrictMode>,
  )
}
