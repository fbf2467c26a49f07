/**
 * React bindings: `import { useSessionView } from 'session-stream/react'`.
 * Needs `react` (18+) and `@nanostores/react`, optional peer dependencies of this package.
 */
export { useSessionConnection, useSessionHealth, useSessionMessage, useSessionMessageIDs, useSessionPart, useSessionView } from './hooks.js'
export { SessionMessages, type SessionMessagesProps } from './messages.js'
