/*
 * Page settings from the query string, so the same build runs against any mock server:
 * `?mock=<url>` (the mock server), `?interval=<ms>` (pause between scripted deltas),
 * `?idle=<ms>` (the client's idle timeout).
 */

export interface DemoSettings {
  readonly mockUrl: string | undefined
  readonly intervalMs: number
  readonly idleTimeoutMs: number
}

const integer = (raw: string | null, fallback: number, min: number, max: number): number => {
  if (raw === null || !/^\d+$/.test(raw)) return fallback
  return Math.min(max, Math.max(min, Number(raw)))
}

export function readSettings(search: string, fallbackMockUrl: string | undefined): DemoSettings {
  const params = new URLSearchParams(search)
  const mock = params.get('mock') ?? fallbackMockUrl
  return {
    mockUrl: mock === undefined || mock === '' ? undefined : mock,
    intervalMs: integer(params.get('interval'), 25, 0, 1000),
    idleTimeoutMs: integer(params.get('idle'), 6000, 1000, 120_000),
  }
}
