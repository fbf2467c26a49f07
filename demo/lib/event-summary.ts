import type { SessionEvent, UnknownEvent } from '../../src/index.js'
import { truncate } from './format.js'

/*
 * One line per event for the event log: what a person scanning the log wants to see for
 * the common types, `key=value` pairs for the rest. Ids every row of a session shares
 * (sessionID, timestamp) are left out.
 */

const quote = (text: string, max = 60): string => JSON.stringify(truncate(text, max))
const short = (id: string): string => (id.length > 10 ? `…${id.slice(-6)}` : id)

function pairs(data: Readonly<Record<string, unknown>>): string {
  const { sessionID: _session, timestamp: _time, ...rest } = data
  return Object.entries(rest)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? quote(value) : truncate(JSON.stringify(value) ?? 'undefined', 60)}`)
    .join(' ')
}

function known(event: SessionEvent): string | undefined {
  switch (event.type) {
    case 'session.next.prompt.admitted':
    case 'session.next.prompted':
      return `${quote(event.data.prompt.text)} (${event.data.delivery})`
    case 'session.next.step.started':
      return `${short(event.data.assistantMessageID)} ${event.data.agent} ${event.data.model.providerID}/${event.data.model.id}`
    case 'session.next.step.ended': {
      const { input, output } = event.data.tokens
      return `finish=${event.data.finish} ${input}→${output} tokens`
    }
    case 'session.next.step.failed':
      return quote(event.data.error.message)
    case 'session.next.text.started':
      return event.data.textID
    case 'session.next.reasoning.started':
      return event.data.reasoningID
    case 'session.next.text.ended':
    case 'session.next.reasoning.ended':
    case 'session.next.tool.input.ended':
      return quote(event.data.text)
    case 'session.next.text.delta':
    case 'session.next.reasoning.delta':
    case 'session.next.tool.input.delta':
      return JSON.stringify(event.data.delta)
    case 'session.next.tool.input.started':
      return `${event.data.name} ${short(event.data.callID)}`
    case 'session.next.tool.called':
      return `${event.data.tool} ${truncate(JSON.stringify(event.data.input), 80)}`
    case 'session.next.tool.progress':
      return `${short(event.data.callID)} ${truncate(JSON.stringify(event.data.structured), 80)}`
    case 'session.next.tool.success':
      return `${short(event.data.callID)} ${event.data.content.length} content item(s)`
    case 'session.next.tool.failed':
      return `${short(event.data.callID)} ${event.data.error.type}: ${quote(event.data.error.message)}`
    case 'session.next.shell.started':
      return `$ ${event.data.command}`
    case 'session.next.shell.ended':
      return quote(event.data.output)
    case 'session.next.synthetic':
    case 'session.next.context.updated':
      return quote(event.data.text)
    case 'session.next.agent.switched':
      return event.data.agent
    case 'session.next.model.switched':
      return `${event.data.model.providerID}/${event.data.model.id}`
    case 'session.next.compaction.started':
      return event.data.reason
    case 'session.next.compaction.ended':
    case 'session.next.compaction.delta':
      return quote(event.data.text)
    case 'session.next.revert.staged':
      return `from ${event.data.revert.messageID}`
    case 'session.next.revert.committed':
      return event.data.messageID
    case 'session.next.retried':
      return `attempt ${event.data.attempt}: ${quote(event.data.error.message)}`
    case 'session.activity':
      return `${event.data.status} (cutoff ${event.data.cutoff})`
    default:
      return undefined
  }
}

export function summarize(event: SessionEvent | UnknownEvent, invalid: boolean): string {
  const line = invalid ? undefined : known(event as SessionEvent)
  return truncate(line ?? pairs(event.data), 160)
}
