/**
 * The cursor rule, pure: durable seqs are gapless per session, so the next event to
 * apply is exactly `cursor + 1`. A lower seq was applied already (a replay overlap or a
 * duplicate frame); a higher one means rows were lost in between, and applying it would
 * make the lost rows unrecoverable (the cursor would move past them).
 */
export type SeqVerdict = 'apply' | 'duplicate' | 'gap'

export const classifySeq = (cursor: number, seq: number): SeqVerdict =>
  seq <= cursor ? 'duplicate' : seq === cursor + 1 ? 'apply' : 'gap'

/**
 * An activity snapshot's cutoff is the server's latest seq when it subscribed us. Below
 * our cursor means the server's history no longer contains rows we applied (it lost or
 * reset its log): our cursor is meaningless there.
 */
export const isHistoryReset = (cursor: number, cutoff: number): boolean => cutoff < cursor
