// README "Several tabs, one connection; a reload that shows the transcript at once", verbatim.
import { createSessionClient } from 'session-stream'
import { indexedDBCache } from 'session-stream/persist'
import { shareAcrossTabs } from 'session-stream/tabs'

export const client = createSessionClient({
  baseUrl: 'https://opencode.example.com',
  // The tabs of this origin elect a leader (Web Locks) that alone holds the session streams
  // and feeds the others (BroadcastChannel). Undefined, so each tab connects alone, where
  // Web Locks or BroadcastChannel are missing (Node, old browsers, some workers).
  tabs: shareAcrossTabs(),
  shareKey: 'user-42', // tabs share only with tabs of the same baseUrl and key: not a secret
  // Each session's folded view and cursor in IndexedDB: a reload renders the transcript at
  // once, then resumes with `after=<cursor>`. Undefined where there is no IndexedDB.
  cache: indexedDBCache(),
})
