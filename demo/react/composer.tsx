import { useState, type FormEvent } from 'react'
import type { SessionHandle } from '../../src/index.js'
import { useSessionView } from '../../src/react/index.js'
import { scriptedTurn } from '../lib/scripted-reply.js'
import { useDemo } from './context.js'

const SUGGESTIONS = [
  'Weather in Lisbon?',
  'Why does only one part re-render?',
  '2,500 at 7 % for 10 years?',
  'How do resumable streams work?',
]

/** The prompt box: starts a scripted turn on the mock server; the reply arrives over the stream. */
export function Composer({ session }: { readonly session: SessionHandle }) {
  const { api, settings } = useDemo()
  const view = useSessionView(session)
  const [prompt, setPrompt] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [sending, setSending] = useState(false)
  const blocked = view.info.deleted || view.activity === 'running' || sending

  const send = (text: string) => {
    const trimmed = text.trim()
    if (trimmed === '' || blocked) return
    setSending(true)
    setError(undefined)
    api.startTurn(session.id, scriptedTurn(trimmed, settings.intervalMs)).then(
      () => {
        setPrompt('')
        setSending(false)
      },
      (cause: unknown) => {
        setError(cause instanceof Error ? cause.message : String(cause))
        setSending(false)
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
        {SUGGESTIONS.map((suggestion) => (
          <button key={suggestion} type="button" className="chip" disabled={blocked} onClick={() => send(suggestion)}>
            {suggestion}
          </button>
        ))}
      </div>
      <div className="composer-row">
        <input
          data-testid="prompt"
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          placeholder={view.info.deleted ? 'This session was deleted' : 'Ask something — the mock server scripts a reply'}
          autoComplete="off"
          disabled={view.info.deleted}
        />
        <button type="submit" className="primary" disabled={blocked || prompt.trim() === ''} data-testid="send">
          {view.activity === 'running' ? 'Streaming…' : 'Send'}
        </button>
      </div>
      {error !== undefined && <div className="form-error">{error}</div>}
    </form>
  )
}
