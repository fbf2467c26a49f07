/**
 * What the tabs of one origin say to each other, and the names of their locks and channel.
 * Pure. A message carries only kind, key, tabID, epoch, sessionID and the opaque payload:
 * never a credential (the coordinator is never given one) and nothing the leader's
 * connection knows about its server.
 */

/** Sent by the leader: it took the lock (`hello`), it is still there (`alive`), an event (`publish`). */
export interface LeaderMessage {
  readonly kind: 'hello' | 'alive'
  readonly key: string
  readonly tabID: string
  readonly epoch: number
}

export interface PublishMessage {
  readonly kind: 'publish'
  readonly key: string
  readonly tabID: string
  readonly epoch: number
  readonly sessionID: string
  readonly payload: unknown
}

/** Sent by any tab to whoever leads: it needs a session (`want`), or no longer (`release`). */
export interface WantMessage {
  readonly kind: 'want' | 'release'
  readonly key: string
  readonly tabID: string
  readonly sessionID: string
}

export type TabMessage = LeaderMessage | PublishMessage | WantMessage

export const fromLeader = (message: TabMessage): message is LeaderMessage | PublishMessage =>
  message.kind === 'hello' || message.kind === 'alive' || message.kind === 'publish'

export const leaderLockName = (key: string): string => `session-stream:${key}:leader`
export const tabLockName = (key: string, tabID: string): string => `session-stream:${key}:tab:${tabID}`
export const channelName = (key: string): string => `session-stream:${key}`

const isText = (value: unknown): value is string => typeof value === 'string' && value !== ''

/**
 * The message, if `data` is a well-formed one for `key`; undefined for anything else
 * (another version of the SDK on the same origin, or a stranger on the channel).
 */
export function parseTabMessage(data: unknown, key: string): TabMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const message = data as Record<string, unknown>
  if (message.key !== key || !isText(message.tabID)) return undefined
  const { kind } = message
  const leader = kind === 'hello' || kind === 'alive' || kind === 'publish'
  if (leader && (typeof message.epoch !== 'number' || !Number.isFinite(message.epoch))) return undefined
  if ((kind === 'publish' || kind === 'want' || kind === 'release') && !isText(message.sessionID)) return undefined
  if (leader || kind === 'want' || kind === 'release') return message as unknown as TabMessage
  return undefined
}
