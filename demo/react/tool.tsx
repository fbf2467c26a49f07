import type { ReactNode } from 'react'
import type { ToolPart } from '../../src/index.js'
import { outputItems, structuredText, toolInput, type OutputItem } from '../lib/transcript.js'
import { IncompleteBadge, StatusPill } from './badges.js'

/**
 * A tool call as a card: name and status, the input, what it returned, or why it failed.
 * Each block scrolls past a height, so each is a tab stop: a keyboard can scroll it too.
 */
export function ToolCard({ part }: { readonly part: ToolPart }) {
  const items = outputItems(part.content)
  const structured = structuredText(part)
  const texts = items.filter((item) => item.kind === 'text')
  const others = items.filter((item) => item.kind !== 'text')
  return (
    <div className="tool" data-status={part.status}>
      <div className="tool-head">
        <span className="tool-icon" aria-hidden="true">
          ⚙
        </span>
        <code className="tool-name" data-testid="tool-name">
          {part.name}
        </code>
        <StatusPill status={part.status} />
        {part.incomplete && <IncompleteBadge />}
        {part.provider?.executed === true && <span className="muted">run by the provider</span>}
      </div>
      <Section label="input">
        <pre className={part.streaming ? 'streaming' : ''} data-testid="tool-input" tabIndex={0}>
          {toolInput(part)}
        </pre>
      </Section>
      {texts.length > 0 && (
        <Section label="output">
          <pre data-testid="tool-output" tabIndex={0}>{texts.map((item) => item.text).join('\n')}</pre>
        </Section>
      )}
      {others.length > 0 && (
        <Section label={others.every((item) => item.kind === 'file') ? 'files' : 'content'}>
          <ul className="tool-items">
            {others.map((item, index) => (
              <OtherItem key={index} item={item} />
            ))}
          </ul>
        </Section>
      )}
      {structured !== undefined && (
        <Section label={texts.length > 0 ? 'data' : 'output'}>
          <pre data-testid="tool-structured" tabIndex={0}>{structured}</pre>
        </Section>
      )}
      {part.outputPaths !== undefined && part.outputPaths.length > 0 && (
        <Section label="wrote">
          <code>{part.outputPaths.join(', ')}</code>
        </Section>
      )}
      {part.error !== undefined && (
        <div className="tool-error" data-testid="tool-error">
          <code>{part.error.type}</code> {part.error.message}
        </div>
      )}
    </div>
  )
}

function Section({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <div className="tool-section">
      <div className="tool-label">{label}</div>
      {children}
    </div>
  )
}

function OtherItem({ item }: { readonly item: Exclude<OutputItem, { kind: 'text' }> }) {
  if (item.kind === 'file') {
    return (
      <li title={item.uri}>
        {item.label} <span className="muted">{item.mime}</span>
      </li>
    )
  }
  return (
    <li>
      <code>{item.type}</code> <pre>{item.text}</pre>
    </li>
  )
}
