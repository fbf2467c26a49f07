import { createApp, h } from 'vue'
import type { SessionHandle } from '../../src/index.js'
import { VueSessionView } from './view.js'

/** Mounts a Vue app showing `session` into `element`; returns the unmount. */
export function mountVueView(element: HTMLElement, session: SessionHandle): () => void {
  const app = createApp({ setup: () => () => h(VueSessionView, { session }) })
  app.mount(element)
  return () => app.unmount()
}
