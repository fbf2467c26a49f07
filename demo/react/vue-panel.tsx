import { useEffect, useRef } from 'react'
import type { SessionHandle } from '../../src/index.js'
import { mountVueView } from '../vue/mount.js'

/**
 * Hosts a Vue app rendering the same session handle with session-stream/vue. React owns
 * the empty host element; Vue owns what is inside it. Both views share one stream.
 */
export function VuePanel({ session }: { readonly session: SessionHandle }) {
  const host = useRef<HTMLDivElement | null>(null)
  useEffect(() => {
    if (host.current === null) return undefined
    return mountVueView(host.current, session)
  }, [session])
  return <div className="vue-host" ref={host} data-testid="vue-view" />
}
