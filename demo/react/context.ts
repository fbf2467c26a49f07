import type { ReadableAtom } from 'nanostores'
import { createContext, useContext } from 'react'
import type { SessionClient } from '../../src/index.js'
import type { Backend } from '../lib/backend.js'
import type { ByteMeter } from '../lib/byte-meter.js'
import type { EventLog } from '../lib/event-log.js'
import type { DemoSettings } from '../lib/settings.js'
import type { TabRoleLabel } from '../lib/tab-role.js'

/**
 * The server the page follows in opencode mode, and how to point it elsewhere. The
 * password lives here, in memory only: never in the URL, in storage or in a log.
 */
export interface ServerTarget {
  readonly url: string
  readonly password: string
  /** Counts connects: 1 for the first client, one more for each. */
  readonly generation: number
  connect(url: string, password: string): void
}

/** What every panel needs: one SDK client, what the page does beside the stream, the event log. */
export interface Demo {
  readonly client: SessionClient
  readonly backend: Backend
  readonly log: EventLog
  /** When the page last saw a byte on each stream (the health panel's stall check). */
  readonly bytes: ByteMeter
  readonly settings: DemoSettings
  /** Whether this tab leads the tabs of the origin, follows the leading one, or shares nothing. */
  readonly tabRole: ReadableAtom<TabRoleLabel>
  /** Set in opencode mode only. */
  readonly server: ServerTarget | undefined
}

export const DemoContext = createContext<Demo | undefined>(undefined)

export function useDemo(): Demo {
  const demo = useContext(DemoContext)
  if (demo === undefined) throw new Error('useDemo() outside <DemoContext.Provider>')
  return demo
}
