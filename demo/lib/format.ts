/** Small formatting helpers shared by the React and Vue views. */

/** `850 ms`, `3.2 s`, `4 min`: how long ago, or how long until. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms)
  if (value < 1000) return `${Math.round(value)} ms`
  if (value < 60_000) return `${(value / 1000).toFixed(1)} s`
  return `${Math.round(value / 60_000)} min`
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** JSON on one line, with a space after each colon and comma. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${inline(item)}`).join(', ')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** JSON indented by two, with any object or array that fits in `width` characters kept on one line. */
function layout(value: unknown, indent: string, width: number): string {
  const flat = inline(value)
  if (typeof value !== 'object' || value === null || flat.length <= width) return flat
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    return `[\n${value.map((item) => inner + layout(item, inner, width)).join(',\n')}\n${indent}]`
  }
  const entries = Object.entries(value).map(([key, item]) => `${inner}${JSON.stringify(key)}: ${layout(item, inner, width)}`)
  return `{\n${entries.join(',\n')}\n${indent}}`
}

/** A JSON value laid out for reading: short objects on one line, longer ones indented. */
export const prettyValue = (value: unknown): string => layout(value, '', 64)

/** Pretty-prints JSON text when it parses (a finished tool input); a fragment stays as it came. */
export function prettyJson(text: string): string {
  try {
    return prettyValue(JSON.parse(text))
  } catch {
    return text
  }
}

/** `12:04:31`: the clock time of an event's `data.timestamp`. */
export const clockTime = (at: number): string => new Date(at).toLocaleTimeString()

export function shortId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id
}

export const INCOMPLETE_HELP =
  'Some live fragments of this part may have been lost: the stream reconnected (or the run ended) while it was open. ' +
  "The part's end event carries the full value and clears this mark; if the run stopped without one, this is what arrived."
