import { useState, type FormEvent } from 'react'
import { describeServerError } from '../lib/backend.js'
import { parseServerUrl } from '../lib/server-url.js'
import { useDemo } from './context.js'

/** What the page knows about the server, from its last `GET /api/session`. */
export type ServerStatus =
  | { readonly kind: 'checking' }
  | { readonly kind: 'ok'; readonly count: number }
  /** Reachable and authorized, but it does not list sessions (405): the mock server. */
  | { readonly kind: 'no-list'; readonly cause: unknown }
  | { readonly kind: 'failed'; readonly cause: unknown }

/**
 * The real server's address and optional password, with what the server said next to
 * them. The inputs have no `name`: even a form submitted without script puts nothing in a
 * URL. The password stays in memory (React state, then the client's Basic header).
 */
export function ServerForm({ status }: { readonly status: ServerStatus }) {
  const { server, backend } = useDemo()
  const [url, setUrl] = useState(server?.url ?? '')
  const [password, setPassword] = useState(server?.password ?? '')
  const [invalid, setInvalid] = useState<string | undefined>()
  if (server === undefined) return null

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    const parsed = parseServerUrl(url)
    if ('error' in parsed) {
      setInvalid(parsed.error)
      return
    }
    setInvalid(undefined)
    server.connect(parsed.url, password)
  }

  return (
    <form className="server-form" onSubmit={onSubmit} aria-label="opencode server" data-testid="server-form" data-generation={server.generation} autoComplete="off">
      <label className="server-field">
        <span>opencode server</span>
        <input
          data-testid="server-url"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
          placeholder="http://127.0.0.1:4096"
          spellCheck={false}
          autoComplete="off"
          size={26}
        />
      </label>
      <label className="server-field">
        <span>password</span>
        <input
          data-testid="server-password"
          type="password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          placeholder="none"
          autoComplete="off"
          size={12}
          title="Only if the server runs with OPENCODE_SERVER_PASSWORD. Kept in memory, sent as HTTP Basic opencode:<password>."
        />
      </label>
      <button type="submit" data-testid="server-connect">
        Connect
      </button>
      {invalid !== undefined ? (
        <div className="server-error" role="alert" data-testid="server-error">
          <strong>{invalid}</strong>
        </div>
      ) : (
        <StatusLine status={status} baseUrl={backend.baseUrl} withPassword={server.password !== ''} />
      )}
    </form>
  )
}

function StatusLine({ status, baseUrl, withPassword }: { readonly status: ServerStatus; readonly baseUrl: string; readonly withPassword: boolean }) {
  if (status.kind === 'failed') {
    const text = describeServerError(status.cause, baseUrl, withPassword)
    return (
      <div className="server-error" role="alert" data-testid="server-error" data-code={text.code}>
        <strong>{text.words}</strong> {text.code !== undefined && <code>{text.code}</code>} <span className="muted">{text.message}</span>
      </div>
    )
  }
  return (
    <div className="server-status muted" role="status" data-testid="server-status" data-state={status.kind}>
      {status.kind === 'checking'
        ? 'connecting…'
        : status.kind === 'ok'
          ? `connected · ${status.count} session${status.count === 1 ? '' : 's'}`
          : 'connected · this server does not list sessions'}
    </div>
  )
}
