// Runs the README's examples against the installed tarball, in Node, with the testing kit's
// MSW server standing in for opencode. Prints one line per check; exits non-zero on a failure.
import assert from 'node:assert/strict'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { createSessionClient, type SessionHandle } from 'session-stream'
import * as react from 'session-stream/react'
import * as testing from 'session-stream/testing'
import * as vue from 'session-stream/vue'
import { createSSRApp } from 'vue'
import { renderToString as renderVue } from 'vue/server-renderer'
import { clientExample } from './readme-client.js'
import { iterableExample } from './readme-iterable.js'
import { client as sharedClient } from './readme-tabs.js'
import * as persist from 'session-stream/persist'
import * as tabs from 'session-stream/tabs'
import { Transcript } from './readme-react.js'
import { baseUrl, faultExample, server } from './readme-testing.js'
import { Transcript as VueTranscript } from './readme-vue.js'

let failed = 0
async function check(name: string, run: () => Promise<string> | string): Promise<void> {
  const started = performance.now()
  try {
    const detail = await run()
    console.log(`ok   ${name} (${Math.round(performance.now() - started)} ms)${detail ? `: ${detail}` : ''}`)
  } catch (error) {
    failed++
    console.log(`FAIL ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  }
}

server.listen({ onUnhandledRequest: 'error' })
const watchdog = setTimeout(() => {
  console.log('FAIL the examples did not finish within 30 s')
  process.exit(1)
}, 30_000)

await check('every entry resolves and exports its API', () => {
  for (const name of ['useSessionView', 'useSessionConnection', 'useSessionMessage', 'useSessionMessageIDs', 'useSessionHealth', 'useSessionPart'] as const) {
    assert.equal(typeof react[name], 'function', `session-stream/react ${name}`)
    assert.equal(typeof vue[name], 'function', `session-stream/vue ${name}`)
  }
  for (const name of ['createMockEngine', 'createMockHandlers', 'faultControls', 'releaseResponseClones', 'startTurn'] as const) {
    assert.equal(typeof testing[name], 'function', `session-stream/testing ${name}`)
  }
  assert.equal(typeof tabs.shareAcrossTabs, 'function', 'session-stream/tabs shareAcrossTabs')
  assert.equal(typeof persist.indexedDBCache, 'function', 'session-stream/persist indexedDBCache')
  return ''
})

await check('README tabs and cache: in Node both are off, and the client works alone', () => {
  assert.equal(tabs.shareAcrossTabs(), undefined, 'no Web Locks in Node')
  assert.equal(persist.indexedDBCache(), undefined, 'no IndexedDB in Node')
  assert.equal(sharedClient.session('ses_readme').id, 'ses_readme')
  sharedClient.close()
  return ''
})

let sessionID = ''
await check('README "Using it": createSessionClient, client.session, $view.subscribe', async () => {
  const result = await clientExample(baseUrl, 'secret')
  sessionID = result.sessionID
  assert.ok(result.answer && result.answer.length > 0, 'the echo reply reached the view')
  assert.equal(result.connection.shape, 'unified')
  assert.ok(result.connection.cursor > 0, 'the cursor moved')
  return `${result.views} views, answer ${JSON.stringify(result.answer.slice(0, 40))}, cursor ${result.connection.cursor}`
})

await check('README async iterable: client.sessions.events({ sessionID, after, signal })', async () => {
  const result = await iterableExample(baseUrl)
  assert.ok(result.deltas.length > 0, 'live text deltas arrived')
  assert.deepEqual(result.seqs.toSorted((a, b) => a - b), result.seqs, 'durable seqs in order')
  assert.equal(new Set(result.seqs).size, result.seqs.length, 'each durable seq once')
  assert.deepEqual(result.resumed, result.seqs.slice(2), 'resuming after a saved seq yields exactly the rows after it')
  return `${result.seqs.length} durable events, ${result.deltas.length} characters of deltas`
})

// The UI examples render on the server (no DOM): a subscription keeps the session's stream open
// and its view current, as a mounted component would.
async function withLiveSession<T>(render: (session: SessionHandle) => Promise<T>): Promise<T> {
  const client = createSessionClient({ baseUrl })
  const session = client.session(sessionID)
  const synced = new Promise<void>((resolve) => {
    const stop = session.$connection.subscribe((connection) => {
      if (connection.synced && session.$view.get().activity === 'idle') queueMicrotask(() => (stop(), resolve()))
    })
  })
  const keep = session.$view.listen(() => {})
  await synced
  try {
    return await render(session)
  } finally {
    keep()
    client.close()
  }
}

await check('README React example renders the answer (react-dom/server)', () =>
  withLiveSession(async (session) => {
    const html = renderToString(createElement(Transcript, { session }))
    assert.match(html, /<h3>Please read the README<\/h3>/)
    assert.match(html, /<p>[^<]+<\/p>/, 'the answer part was found by its key')
    return `${html.length} characters of HTML`
  }),
)

await check('README Vue example renders the answer (vue/server-renderer)', () =>
  withLiveSession(async (session) => {
    const html = await renderVue(createSSRApp(VueTranscript, { session }))
    assert.match(html, /<h3>Please read the README<\/h3>/)
    assert.match(html, /<p>[^<]+<\/p>/, 'the answer was rendered')
    return `${html.length} characters of HTML`
  }),
)

await check('README testing kit: msw/node engine, a turn, a dropped stream', async () => {
  const { outcome, text } = await faultExample()
  assert.equal(outcome, 'completed')
  assert.equal(text, 'hello from the mock')
  return `turn ${outcome}, text ${JSON.stringify(text)}`
})

server.close()
clearTimeout(watchdog)
console.log(failed === 0 ? 'consumer: all README examples ran' : `consumer: ${failed} failed`)
process.exitCode = failed === 0 ? 0 : 1
