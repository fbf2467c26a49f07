/**
 * The cursor rule, pure. The server sends exactly the public rows after the cursor, in seq
 * order, but public seqs are not gapless: opencode numbers private rows too and never sends
 * them (and starts its public seqs at 1). So a seq at or below the cursor was applied
 * already (a replay overlap or a duplicate frame) and is dropped; any higher seq is the next
 * row, and a jump past `cursor + 1` is counted as a skip, never treated as a loss.
 */
export type SeqVerdict = 'apply' | 'skip' | 'duplicate'

export const classifySeq = (cursor: number, seq: number): SeqVerdict =>
  seq <= cursor ? 'duplicate' : seq === cursor + 1 || cursor < 0 ? 'apply' : 'skip'

/**
 * An activity snapshot's cutoff is the server's latest seq when it subscribed us. Below
 * our cursor means the server's history no longer contains rows we applied (it lost or
 * reset its log): our cursor is meaningless there.
 */
export const isHistoryReset = (cursor: number, cutoff: number): boolean => cutoff < cursor
