/**
 * Which server a cached entry belongs to, without anything secret: origin and path only. A
 * base URL may carry `user:pass@`, a `?token=` or a fragment; none of that may reach the
 * store, which outlives the session and is readable by any script of the origin.
 */
export function serverKey(baseUrl: string): string {
  try {
    // Relative base URLs resolve against the page, read now (never at import: SSR).
    const url = new URL(baseUrl, globalThis.location?.href)
    // An opaque URL (`user:pass@host` parses as scheme `user:`) has no host: strip by hand.
    if (url.host !== '') return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '')
  } catch {
    // Not a URL at all: strip by hand below.
  }
  return baseUrl
    .replace(/[?#].*$/s, '')
    .replace(/^([a-z][a-z\d+.-]*:\/\/)?[^/]*@/i, '$1')
    .replace(/\/+$/, '')
}

/** JSON, so no server or session id can forge another pair's key (`/` or `:` in either). */
export const entryKey = (server: string, sessionID: string): string => JSON.stringify([server, sessionID])

/** Every entry key of `server` starts so: JSON escapes make the prefix unambiguous. */
export const serverPrefix = (server: string): string => `${JSON.stringify([server]).slice(0, -1)},`
