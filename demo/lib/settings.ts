/*
 * Page settings from the query string, so the same build runs against any server:
 * `?mock=<url>` (the mock server), `?opencode=<url>` (a real opencode server: the page then
 * uses only the SDK's API, no mock control surface), `?interval=<ms>` (pause between
 * scripted deltas, mock only), `?idle=<ms>` (the client's idle timeout), `?tabs=0` (each tab
 * connects on its own instead of sharing one connection per session with the other tabs of
 * this origin), `?cache=0` (no cached transcript: a reload replays the whole log), `?hook=1`
 * (exposes `window.__sessionStream` for the browser tests: the views as plain data, never
 * put into the page as markup). A password is never read from here: it is typed into the
 * page and kept in memory only.
 */

export type DemoMode = 'mock' | 'opencode'

export interface DemoSettings {
  /** `opencode` when the page follows a real server (`?opencode=`, or `npm run demo -- --opencode <url>`). */
  readonly mode: DemoMode
  /** The server the page talks to: the mock server, or the opencode server. */
  readonly serverUrl: string | undefined
  /** The mock server's URL; undefined in opencode mode or when there is none. */
  readonly mockUrl: string | undefined
  readonly intervalMs: number
  readonly idleTimeoutMs: number
  /** Tabs of this origin share one connection per session (`shareAcrossTabs()`); `?tabs=0` turns it off. */
  readonly tabs: boolean
  /** Views and cursors kept in IndexedDB for an instant reload (`indexedDBCache()`); `?cache=0` turns it off. */
  readonly cache: boolean
  /** `?hook=1`: `window.__sessionStream` for the browser tests. */
  readonly hook: boolean
}

export interface SettingsDefaults {
  /** The mock server `npm run demo` started ('' or undefined: none). */
  readonly mockUrl?: string | undefined
  /** The opencode server `npm run demo -- --opencode <url>` named ('' or undefined: none). */
  readonly opencodeUrl?: string | undefined
}

/** The mock server heartbeats every 2 s under `npm run demo`: 6 s shows a stall quickly. */
const MOCK_IDLE_MS = 6000
/**
 * opencode writes a heartbeat on its server-wide stream every 15 s and none at all on a
 * session stream: the SDK's own default (45 s) leaves room for that.
 */
const OPENCODE_IDLE_MS = 45_000

const integer = (raw: string | null, fallback: number, min: number, max: number): number => {
  if (raw === null || !/^\d+$/.test(raw)) return fallback
  return Math.min(max, Math.max(min, Number(raw)))
}

/** On unless the parameter says `0`, `false` or `off`. */
const flag = (raw: string | null, fallback: boolean): boolean => (raw === null || raw === '' ? fallback : !/^(0|false|off|no)$/i.test(raw))

const present = (value: string | null | undefined): string | undefined => (value === null || value === undefined || value === '' ? undefined : value)

export function readSettings(search: string, fallback: SettingsDefaults = {}): DemoSettings {
  const params = new URLSearchParams(search)
  // An explicit query parameter wins over what the dev server defined; opencode over mock.
  const opencode = present(params.get('opencode')) ?? (present(params.get('mock')) === undefined ? present(fallback.opencodeUrl) : undefined)
  const mock = opencode === undefined ? (present(params.get('mock')) ?? present(fallback.mockUrl)) : undefined
  const mode: DemoMode = opencode === undefined ? 'mock' : 'opencode'
  return {
    mode,
    serverUrl: opencode ?? mock,
    mockUrl: mock,
    intervalMs: integer(params.get('interval'), 25, 0, 1000),
    idleTimeoutMs: integer(params.get('idle'), mode === 'opencode' ? OPENCODE_IDLE_MS : MOCK_IDLE_MS, 1000, 120_000),
    tabs: flag(params.get('tabs'), true),
    cache: flag(params.get('cache'), true),
    hook: flag(params.get('hook'), false),
  }
}
