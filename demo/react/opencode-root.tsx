import type { ReadableAtom } from 'nanostores'
import { useEffect, useRef, useState } from 'react'
import type { SessionClient } from '../../src/index.js'
import { createOpencodeBackend } from '../lib/backend.js'
import type { ByteMeter } from '../lib/byte-meter.js'
import type { EventLog } from '../lib/event-log.js'
import type { DemoSettings } from '../lib/settings.js'
import type { TabRoleLabel } from '../lib/tab-role.js'
import { App } from './app.js'
import { DemoContext, type Demo } from './context.js'

interface Target {
  readonly url: string
  /** In memory only: typed into the page, handed to `basicAuth`, never stored or logged. */
  readonly password: string
}

interface OpencodeRootProps {
  readonly initialUrl: string
  readonly settings: DemoSettings
  readonly log: EventLog
  readonly bytes: ByteMeter
  readonly tabRole: ReadableAtom<TabRoleLabel>
  readonly makeClient: (url: string, password: string) => SessionClient
}

/** Points the address bar at `url` (`?opencode=`), keeping the other settings; never the password. */
function rememberUrl(url: string, sameServer: boolean): void {
  const params = new URLSearchParams(location.search)
  params.delete('mock')
  params.set('opencode', url)
  // Session ids belong to one server: a selection does not carry over to another.
  history.replaceState(null, '', `${location.pathname}?${params.toString()}${sameServer ? location.hash : ''}`)
}

/**
 * The page against a real opencode server: one SDK client per (address, password), made
 * anew when the server form connects, the previous one closed. Everything below talks to
 * the server through that client's API only.
 */
export function OpencodeRoot({ initialUrl, settings, log, bytes, tabRole, makeClient }: OpencodeRootProps) {
  const [target, setTarget] = useState<Target>({ url: initialUrl, password: '' })
  const [current, setCurrent] = useState<{ readonly demo: Demo; readonly key: number } | undefined>()
  const generation = useRef(0)

  useEffect(() => {
    const client = makeClient(target.url, target.password)
    const key = ++generation.current
    log.clear()
    const connect = (url: string, password: string) => {
      rememberUrl(url, url === target.url)
      // A new object even for the same values: connecting again asks the server again.
      setTarget({ url, password })
    }
    setCurrent({
      key,
      demo: {
        client,
        backend: createOpencodeBackend(client, target.url),
        log,
        bytes,
        settings,
        tabRole,
        server: { url: target.url, password: target.password, generation: key, connect },
      },
    })
    const close = () => client.close()
    addEventListener('pagehide', close)
    return () => {
      removeEventListener('pagehide', close)
      client.close()
    }
  }, [target, makeClient, log, bytes, settings, tabRole])

  if (current === undefined) return null
  return (
    <DemoContext.Provider value={current.demo}>
      <App key={current.key} />
    </DemoContext.Provider>
  )
}
