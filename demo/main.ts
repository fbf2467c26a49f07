import { createParser } from 'eventsource-parser'
import { AFTER_PARAM, CURSOR_START, decodeEvent, sessionEventPath } from '../src/protocol/index.js'

/*
 * The demo's data path: raw fetch + eventsource-parser, printing every event. It will be
 * swapped for the SDK client; keep it small. Server text only ever goes through
 * textContent, never innerHTML.
 */

declare const DEMO_MOCK_URL: string
const MOCK_URL = new URLSearchParams(location.search).get('mock') ?? DEMO_MOCK_URL
const MAX_ROWS = 500

const byId = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id)
  if (found === null) throw new Error(`#${id} is missing`)
  return found as T
}
const list = byId<HTMLOListElement>('events')
const sessionLabel = byId<HTMLSpanElement>('session')
const status = byId<HTMLSpanElement>('status')
const form = byId<HTMLFormElement>('prompt-form')
const input = byId<HTMLInputElement>('prompt')

let sessionID: string | undefined
let following: AbortController | undefined

function row(text: string, kind: 'durable' | 'live' | 'error'): void {
  const item = document.createElement('li')
  item.className = kind
  item.textContent = text
  list.append(item)
  while (list.childElementCount > MAX_ROWS) list.firstElementChild?.remove()
  list.scrollTop = list.scrollHeight
}

function show(data: string): void {
  const decoded = decodeEvent(data)
  if (decoded.kind === 'error') return row(`error  ${decoded.error.message}`, 'error')
  const { event } = decoded
  const { sessionID: _session, ...rest } = event.data
  const detail = JSON.stringify(rest)
  const seq = event.durable === undefined ? 'live' : String(event.durable.seq)
  row(`${seq.padStart(4)}  ${event.type}  ${detail.length > 160 ? `${detail.slice(0, 160)}…` : detail}`, event.durable === undefined ? 'live' : 'durable')
}

async function follow(id: string): Promise<void> {
  following?.abort()
  const controller = new AbortController()
  following = controller
  status.textContent = 'connecting…'
  try {
    const response = await fetch(`${MOCK_URL}${sessionEventPath(id)}?${AFTER_PARAM}=${CURSOR_START}`, { signal: controller.signal })
    if (!response.ok || response.body === null) throw new Error(`stream answered ${response.status}`)
    status.textContent = 'live'
    const parser = createParser({ onEvent: (message) => show(message.data) })
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) parser.feed(chunk.value)
    status.textContent = 'stream ended'
  } catch (cause) {
    if (!controller.signal.aborted) status.textContent = `stream failed: ${cause instanceof Error ? cause.message : String(cause)}`
  }
}

async function post(path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${MOCK_URL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${path} answered ${response.status}`)
  return response.json()
}

byId<HTMLButtonElement>('create').addEventListener('click', () => {
  void post('/__mock/sessions', { title: 'demo' }).then((created) => {
    sessionID = (created as { sessionID: string }).sessionID
    sessionLabel.textContent = sessionID
    list.replaceChildren()
    for (const control of form.elements) (control as HTMLInputElement).disabled = false
    input.focus()
    void follow(sessionID)
  }, (cause: unknown) => (status.textContent = String(cause)))
})

form.addEventListener('submit', (event) => {
  event.preventDefault()
  const prompt = input.value.trim()
  if (sessionID === undefined || prompt === '') return
  input.value = ''
  void post(`/__mock/sessions/${encodeURIComponent(sessionID)}/turn`, {
    prompt,
    reasoning: `The user wrote ${prompt.length} characters; a scripted answer will do.`,
    text: `You said: "${prompt}". This reply is scripted by the mock server and streamed in small deltas.`,
    tools: [{ name: 'echo', input: { prompt }, output: prompt }],
    intervalMs: 30,
  }).catch((cause: unknown) => (status.textContent = String(cause)))
})
