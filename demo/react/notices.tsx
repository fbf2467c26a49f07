import type { Retry, RevertState } from '../../src/index.js'
import { clockTime, shortId } from '../lib/format.js'

/** The provider call failed and is being retried (`view.retry`, cleared by the next step). */
export function RetryNotice({ retry }: { readonly retry: Retry }) {
  const status = retry.error.statusCode === undefined ? '' : ` (HTTP ${retry.error.statusCode})`
  return (
    <div className="notice notice-warn" role="status" data-testid="retry">
      <strong>Retrying · attempt {retry.attempt}</strong>
      <span>
        {retry.error.message}
        {status}
      </span>
      <span className="muted">{clockTime(retry.at)}</span>
    </div>
  )
}

/**
 * A staged revert (`info.revert`): drawn where it would cut, so everything after the
 * marker is what committing it removes. CSS dims those messages.
 */
export function RevertMarker({ revert }: { readonly revert: RevertState }) {
  return (
    <div className="revert-marker" role="note" data-testid="revert">
      <span>
        Revert staged from <code>{shortId(revert.messageID)}</code>: the messages below go if it is committed
      </span>
    </div>
  )
}
