import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createSessionClient } from '../src/index.js'
import { createEventLog } from './lib/event-log.js'
import { createMockApi } from './lib/mock-api.js'
import { readSettings } from './lib/settings.js'
import { App } from './react/app.js'
import { DemoContext, type Demo } from './react/context.js'

/*
 * The demo page: one SDK client for the whole page, its `onEvent` hook feeding the event
 * log. The mock server's URL comes from `?mock=` or, under `npm run demo`, from the
 * DEMO_MOCK_URL the dev server defines.
 */

declare const DEMO_MOCK_URL: string

const container = document.getElementById('root')
if (container === null) throw new Error('#root is missing from index.html')
const root = createRoot(container)
const settings = readSettings(location.search, DEMO_MOCK_URL)

if (settings.mockUrl === undefined) {
  root.render(
    <div className="empty">
      <h1>No mock server</h1>
      <p>
        Run <code>npm run demo</code>, or open this page with <code>?mock=http://127.0.0.1:4010</code>.
      </p>
    </div>,
  )
} else {
  const log = createEventLog(500)
  const client = createSessionClient({
    baseUrl: settings.mockUrl,
    // Quick retries so recovery is something you watch, not wait for.
    backoff: { initialDelay: 400, maxDelay: 5000, multiplier: 2 },
    idleTimeoutMs: settings.idleTimeoutMs,
    onEvent: (event, sessionID) => log.push(event, sessionID),
    // Kept out of the view by the client; the log shows what arrived and why it did not fit.
    onInvalidEvent: (event, error, sessionID) => log.push(event, sessionID, error.message),
  })
  const demo: Demo = { client, api: createMockApi(settings.mockUrl), log, settings }
  addEventListener('pagehide', () => client.close())
  root.render(
    <StrictMode>
      <DemoContext.Provider value={demo}>
        <App />
      </DemoContext.Provider>
    </StrictMode>,
  )
}
