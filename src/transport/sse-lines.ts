import { SessionStreamError } from '../errors.js'

/**
 * The WHATWG event-stream parser cut down to what the protocol reads: `data` payloads.
 * Feed it decoded text chunks; it returns the payloads each chunk completes. Lines end at
 * CRLF, LF or a lone CR; a CR is acted on at once and a LF opening the next chunk is
 * skipped, so a CRLF split across chunks is one break. `event`, `id`, `retry`, comments and
 * unknown fields are ignored; an empty payload is not an event; an unterminated event at
 * the end of the stream is never returned. Linear: each chunk is scanned once and a partial
 * line grows by `+=` (a rope), flattened once when it ends. Memory is bounded: more than
 * `maxEventBytes` characters of one event (partial line plus data) throws `event-too-large`.
 */
export interface Splitter {
  (text: string): string[]
  /** Characters held for the event under way (its data and the unterminated line). */
  buffered(): number
}

export function createSplitter(maxEventBytes: number): Splitter {
  let rest = '' // the unterminated line carried over from earlier chunks
  let data: string | undefined // the event's data lines joined by "\n"; undefined: none yet
  let skipLF = false // the previous chunk ended with a CR
  let frames: string[] = []
  const tooLarge = (size: number): void => {
    if (size > maxEventBytes) throw new SessionStreamError('event-too-large', `an event exceeded the ${maxEventBytes}-byte limit`)
  }
  const line = (s: string, start: number, end: number): void => {
    if (start === end) {
      if (data) frames.push(data)
      data = undefined
    } else if (
      // "data", by char codes: V8 does not inline startsWith, which cost ~10% here.
      s.charCodeAt(start) === 100 &&
      s.charCodeAt(start + 1) === 97 &&
      s.charCodeAt(start + 2) === 116 &&
      s.charCodeAt(start + 3) === 97 &&
      (start + 4 === end || s.charCodeAt(start + 4) === 58) // then ":" or the line's end
    ) {
      // One leading space is dropped; "data" with no colon is an empty value.
      const value = s.slice(start + (s.charCodeAt(start + 5) === 32 ? 6 : 5), end)
      data = data === undefined ? value : `${data}\n${value}`
      tooLarge(data.length)
    }
  }
  const split = (text: string): string[] => {
    frames = []
    const length = text.length
    let at = skipLF && text.charCodeAt(0) === 10 ? 1 : 0
    if (length > 0) skipLF = text.charCodeAt(length - 1) === 13
    // Next LF and CR at or after `at`, `length` when none: each is searched for again only
    // once passed, so a chunk without CRs is scanned for one once, not once per line.
    let lf = -1
    let cr = -1
    for (;;) {
      if (lf < at && (lf = text.indexOf('\n', at)) < 0) lf = length
      if (cr < at && (cr = text.indexOf('\r', at)) < 0) cr = length
      const end = lf < cr ? lf : cr
      if (end === length) break
      if (rest) {
        rest += text.slice(at, end)
        line(rest, 0, rest.length)
        rest = ''
      } else line(text, at, end)
      at = end + (end === cr && lf === end + 1 ? 2 : 1) // CRLF is one break
    }
    rest += text.slice(at)
    tooLarge(rest.length + (data?.length ?? 0))
    return frames
  }
  return Object.assign(split, { buffered: () => rest.length + (data?.length ?? 0) })
}
