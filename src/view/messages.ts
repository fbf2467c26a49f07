import type { SessionEventOf } from '../protocol/events.js'
import type { ApplyOutcome, Draft, DraftAssistant, DraftPart } from './draft.js'
import { findAssistant, lastAssistant, newAssistant } from './lookup.js'
import { isActive } from './parts.js'
import type { AssistantMessage, AssistantStatus, Part, UserMessage } from './types.js'

export function inboxEnqueued(d: Draft, event: SessionEventOf<'session.inbox.enqueued'>): ApplyOutcome {
  const { messageID, text } = event.data
  if (d.indexOf(messageID) !== -1) return 'ignored'
  const message: UserMessage = { role: 'user', id: messageID, created: event.created, text }
  d.append(message)
  return 'applied'
}

export function stepStarted(d: Draft, event: SessionEventOf<'session.step.started'>): ApplyOutcome {
  const { assistantMessageID, agent, model } = event.data
  const found = findAssistant(d, assistantMessageID)
  if (found === undefined) {
    d.append(newAssistant(assistantMessageID, event.created, agent, model))
    return 'applied'
  }
  const message = d.assistantAt(found.index)
  // A message created implicitly by an early part event learns its agent and model here.
  message.agent = agent ?? message.agent
  message.model = model ?? message.model
  message.status = 'streaming'
  return 'applied'
}

type StepEnd = SessionEventOf<'session.step.ended' | 'session.step.failed'>

export function stepEnd(d: Draft, event: StepEnd): ApplyOutcome {
  const found = findAssistant(d, event.data.assistantMessageID)
  if (found === undefined) return 'orphan'
  const message = d.assistantAt(found.index)
  if (event.type === 'session.step.ended') {
    message.finish = event.data.finish
    message.cost = event.data.cost
    message.tokens = event.data.tokens
    settle(d, message, 'completed')
  } else {
    message.error = event.data.error
    settle(d, message, 'failed')
  }
  return 'applied'
}

export function retryScheduled(d: Draft, event: SessionEventOf<'session.retry.scheduled'>): ApplyOutcome {
  const { assistantMessageID, attempt, at, error } = event.data
  const found = findAssistant(d, assistantMessageID)
  if (found === undefined) return 'orphan'
  d.retriesOf(d.assistantAt(found.index)).push({ attempt, at, error })
  return 'applied'
}

export function usageUpdated(d: Draft, event: SessionEventOf<'session.usage.updated'>): ApplyOutcome {
  const { assistantMessageID, cost, tokens } = event.data
  const found =
    assistantMessageID === undefined
      ? lastAssistant(d, (message) => message.status === 'streaming')
      : findAssistant(d, assistantMessageID)
  if (found === undefined) return assistantMessageID === undefined ? 'ignored' : 'orphan'
  // Usage after the step ended would outlive the durable totals that replace it.
  if (found.message.status !== 'streaming') return 'ignored'
  d.assistantAt(found.index).usage = { cost, tokens }
  return 'applied'
}

/** Open = still streaming, or a tool that was never given a result. */
const isOpen = (part: Part): boolean => part.streaming || (part.type === 'tool' && isActive(part))

/**
 * Ends a part whose run is over without its end event: what it shows may be partial, and
 * a tool with no result is interrupted, so nothing keeps spinning.
 */
function closePart(part: DraftPart): void {
  part.streaming = false
  part.incomplete = true
  if (part.type === 'tool' && isActive(part)) {
    part.status = 'interrupted'
    part.progress = undefined
  }
}

/**
 * Moves a message out of `streaming`: its open parts will never get their end events,
 * and its live usage is superseded (or, on failure, simply over), so both are cleared to
 * keep the view a function of the durable log.
 */
function settle(d: Draft, message: DraftAssistant, status: AssistantStatus): void {
  message.status = status
  message.usage = undefined
  closeOpenParts(d, message)
}

function closeOpenParts(d: Draft, message: DraftAssistant): void {
  const parts = message.parts
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]
    if (part !== undefined && isOpen(part)) closePart(d.partAt(message, i))
  }
}

const hasOpenPart = (message: AssistantMessage): boolean => message.parts.some(isOpen)

/** The run ended: every message still streaming gets `status` and loses its open parts. */
export function settleStreaming(d: Draft, status: AssistantStatus): void {
  for (let i = d.streamingFloor(); i < d.messageCount(); i++) {
    const message = d.message(i)
    if (message?.role === 'assistant' && message.status === 'streaming') settle(d, d.assistantAt(i), status)
  }
  d.settledAll()
}

/**
 * Applies a `session.activity` snapshot. Live fragments sent before it may have been lost,
 * so every streaming part is flagged incomplete; an idle session additionally has nothing
 * running, so every open part and streaming message is closed as interrupted.
 */
export function applySnapshot(d: Draft, idle: boolean): void {
  for (let i = 0; i < d.messageCount(); i++) {
    const message = d.message(i)
    if (message?.role !== 'assistant') continue
    if (idle) {
      if (message.status === 'streaming') settle(d, d.assistantAt(i), 'interrupted')
      else if (hasOpenPart(message)) closeOpenParts(d, d.assistantAt(i))
      continue
    }
    const parts = message.parts
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p]
      if (part?.streaming === true && !part.incomplete) d.partAt(d.assistantAt(i), p).incomplete = true
    }
  }
}
