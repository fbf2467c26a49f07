import { useId, useState, type FormEvent } from 'react'
import type { SessionHandle } from '../../src/index.js'
import { useSessionView } from '../../src/react/index.js'
import { errorLine } from '../lib/backend.js'
import { useDemo } from './context.js'

/** Prompts the mock's scripts recognise (weather, code, maths, research). */
const MOCK_SUGGESTIONS = [
  'Weather in Lisbon?',
  'Why does only one part re-render?',
  '2,500 at 7 % for 10 years?',
  'How do resumable streams work?',
]

/** Prompts for a real agent: each one makes it use a tool. */
const OPENCODE_SUGGESTIONS = ['Please use a tool to read README.md', 'What files are in this project?', 'Summarise this project in two sentences']

/**
 * The prompt box. On the mock it starts a scripted turn; on a real server it calls
 * `client.sessions.prompt()`. Either way the reply arrives over the stream. While a turn
 * runs, Stop calls `client.sessions.interrupt()`.
 */
export function Composer({ session }: { readonly session: SessionHandle }) {
  const { backend } = useDemo()
  const view = useSessionView(session)
  const [prompt, setPrompt] = useState('')
  const inputId = useId()
  const [error, setError] = useState<string | undefined>()
  const [sending, setSending] = useState(false)
  const [stopping, setStopping] = useState(false)
  const running = view.activity === 'running'
  const blocked = view.info.deleted || running || sending
  const opencode = backend.kind === 'opencode'

  const send = (text: string) => {
    const trimmed = text.trim()
    if (trimmed === '' || blocked) return
    setSending(true)
    setError(undefined)
    backend.send(session.id, trimmed).then(
      () => {
        setPrompt('')
        setSending(false)
      },
      (cause: unknown) => {
        setError(errorLine(cause))
        setSending(false)
      },
    )
  }

  const interrupt = () => {
    setStopping(true)
    setError(undefined)
    backend.interrupt(session.id).then(
      () => setStopping(false),
      (cause: unknown) => {
        setError(`Stop failed: ${errorLine(cause)}`)
        setStopping(false)
      },
    )
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    send(prompt)
  }

  return (
    <form className="composer" onSubmit={onSubmit}>
      <div className="suggestions">
        {(opencode ? OPENCODE_SUGGESTIONS : MOCK_SUGGESTIONS).map((suggestion) => (
          <button key={suggestion} type="button" className="chip" disabled={blocked} onClick={() => send(suggestion)}>
            {suggestion}
          </button>
        ))}
      </div>
      <div className="composer-row">
        <label htmlFor={inputId} className="visually-hidden">
          Prompt
        </label>
        <input
          id={inputId}
          data-testid="prompt"
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          placeholder={
            view.info.deleted
              ? 'This session was deleted'
              : opencode
                ? 'Ask something — the server’s model answers'
                : 'Ask something — the mock server scripts a reply'
          }
          autoComplete="off"
          disabled={view.info.deleted}
        />
        {running && (
          <button
            type="button"
            data-testid="interrupt"
            disabled={stopping}
            title="POST /api/session/:id/interrupt: stops the running turn"
            onClick={interrupt}
          >
            Stop
          </button>
        )}
        <button type="submit" className="primary" disabled={blocked || prompt.trim() === ''} data-testid="send">
          {running ? 'Streaming…' : 'Send'}
        </button>
      </div>
      {error !== undefined && <div className="form-error">{error}</div>}
    </form>
  )
}
