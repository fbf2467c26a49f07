/**
 * The platform-neutral mock server: the contract engine and its types. The Node adapter
 * (mock-server/node.ts) and the MSW adapter (mock-server/msw.ts) are separate entry points
 * so a browser bundle never pulls in node: modules.
 */
export { createMockEngine } from './engine/engine.js'
export {
  createMemoryLogStore,
  isPrivateRow,
  loadPublic,
  PRIVATE_ROW_TYPE,
  type LogRow,
  type LogStore,
  type PrivateRow,
} from './engine/log-store.js'
export type { EventInput } from './engine/envelope.js'
export { createRunCoordinator, type ActivityStatus, type RunCoordinator } from './engine/activity.js'
export { createSubscription, type CloseReason, type LogSource, type QueueItem, type Step, type Subscription, type SubscriptionDeps } from './engine/subscription.js'
export { MockStreamReset, type CloseMode, type EventStream, type FramePayload, type FrameSource } from './engine/sse.js'
export { buildTurnScript, MOCK_MODEL, type TurnScript, type TurnSink, type TurnStep } from './engine/turn-script.js'
export type { TurnOutcome } from './engine/turns.js'
export type { FaultSettings, ServerShape, StreamTarget } from './engine/faults.js'
export { createServerFeed, MOCK_DIRECTORY, type LocatedEvent, type ServerFeed, type ServerFeedDeps } from './engine/server-stream.js'
export type { Scheduler, IdSource } from './engine/clock.js'
export { BASIC_USER, constantTimeEqual, MAX_BODY_BYTES, type Credentials, type ErrorBody, type ErrorTag } from './engine/http.js'
export { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT } from './engine/routes-api.js'
export {
  apiCreateSessionBody,
  createSessionBody,
  faultBody,
  promptBody,
  turnBody,
  type CreateSessionInput,
  type Fault,
  type ToolScript,
  type TurnInput,
} from './engine/control-schemas.js'
export type { EngineStats, HistoryPage, MockEngine, MockEngineOptions, PublishableType, SessionSummary, StartedTurn } from './engine/types.js'
