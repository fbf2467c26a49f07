import type { Message, ModelRef, ToolContent, ToolPart } from '../../src/index.js'
import { prettyJson, prettyValue } from './format.js'

/*
 * How the flat message list reads as a conversation, shared by the React and Vue views.
 * The view holds one assistant message per model step (a tool turn is two); a reader
 * expects one assistant reply per turn, so consecutive steps are grouped into one block.
 */

export type Block =
  | { readonly kind: 'assistant'; readonly key: string; readonly ids: readonly string[] }
  | { readonly kind: 'message'; readonly key: string; readonly id: string }

/** Consecutive assistant steps become one block; every other message is a block of its own. */
export function groupMessages(messages: readonly Message[]): Block[] {
  const blocks: Block[] = []
  let steps: string[] | undefined
  for (const message of messages) {
    if (message.role !== 'assistant') {
      steps = undefined
      blocks.push({ kind: 'message', key: message.id, id: message.id })
    } else if (steps === undefined) {
      steps = [message.id]
      blocks.push({ kind: 'assistant', key: message.id, ids: steps })
    } else steps.push(message.id)
  }
  return blocks
}

/** Where the staged-revert marker goes: before the block holding `messageID`, else at the end. */
export function revertIndex(blocks: readonly Block[], messageID: string | undefined): number {
  if (messageID === undefined) return -1
  const index = blocks.findIndex((block) => (block.kind === 'assistant' ? block.ids.includes(messageID) : block.id === messageID))
  return index === -1 ? blocks.length : index
}

export const sameIds = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((id, index) => id === b[index])

export const modelLabel = (model: ModelRef): string =>
  `${model.providerID}/${model.id}${model.variant === undefined ? '' : ` · ${model.variant}`}`

export const wordCount = (text: string): number => (text.trim() === '' ? 0 : text.trim().split(/\s+/).length)

/** The input as the reader wants it: raw while it streams, then the parsed object laid out. */
export function toolInput(part: ToolPart): string {
  if (part.streaming) return part.inputText
  if (part.input !== undefined) return prettyValue(part.input)
  return prettyJson(part.inputText)
}

/** One line of a tool's output list: text (JSON laid out when it is JSON), a file, or anything else as sent. */
export type OutputItem =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'file'; readonly label: string; readonly mime: string; readonly uri: string }
  | { readonly kind: 'other'; readonly type: string; readonly text: string }

export function outputItems(content: readonly ToolContent[] | undefined): OutputItem[] {
  return (content ?? []).map((item): OutputItem => {
    const fields = item as Readonly<Record<string, unknown>>
    if (item.type === 'text' && typeof fields.text === 'string') return { kind: 'text', text: prettyJson(fields.text) }
    if (item.type === 'file' && typeof fields.uri === 'string') {
      const name = typeof fields.name === 'string' ? fields.name : fields.uri
      return { kind: 'file', label: name, mime: typeof fields.mime === 'string' ? fields.mime : '', uri: fields.uri }
    }
    return { kind: 'other', type: item.type, text: prettyValue(item) }
  })
}

/**
 * Structured output worth showing: an object with at least one field that the text content
 * does not already say (a tool often puts its text in both).
 */
export function structuredText(part: ToolPart): string | undefined {
  const value = part.structured
  if (value === undefined) return undefined
  const texts = new Set((part.content ?? []).map((item) => (item as { text?: unknown }).text))
  const fields = Object.values(value)
  if (fields.every((field) => typeof field === 'string' && texts.has(field))) return undefined
  return prettyValue(value)
}

export const SWITCH_TEXT = {
  'agent-switched': 'Agent switched to',
  'model-switched': 'Model switched to',
} as const
