/**
 * Vue composables: `import { useSessionView } from 'session-stream/vue'`.
 * Needs `vue` (3.4+) and `@nanostores/vue`, optional peer dependencies of this package.
 */
export { useSessionConnection, useSessionHealth, useSessionMessage, useSessionMessageIDs, useSessionPart, useSessionView } from './composables.js'
