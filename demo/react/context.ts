import { createContext, useContext } from 'react'
import type { SessionClient } from '../../src/index.js'
import type { EventLog } from '../lib/event-log.js'
import type { MockApi } from '../lib/mock-api.js'
import type { DemoSettings } from '../lib/settings.js'

/** What every panel needs: one SDK client, the mock's control surface, the event log. */
export interface Demo {
  readonly client: SessionClient
  readonly api: MockApi
  readonly log: EventLog
  readonly settings: DemoSettings
}

export const DemoContext = createContext<Demo | undefined>(undefined)

export function useDemo(): Demo {
  const demo = useContext(DemoContext)
  if (demo === undefined) throw new Error('useDemo() outside <DemoContext.Provider>')
  return demo
}
