import * as z from 'zod/mini'

/*
 * Request bodies. The control surface (`/__mock/*`) uses strict objects: a typo in a
 * test's fault (`{ type: 'stal' }`) must fail loudly instead of silently doing nothing.
 * The `/api` bodies are loose, as opencode's are: a field it does not know is ignored.
 */

const modelRef = z.object({ id: z.string(), providerID: z.string(), variant: z.optional(z.string()) })

export const createSessionBody = z.strictObject({
  /** Kept in engine memory for `GET /__mock/sessions`; opencode's log has no title row. */
  title: z.optional(z.string().check(z.maxLength(500))),
  parentID: z.optional(z.string().check(z.minLength(1))),
  model: z.optional(modelRef),
})

/** `POST /api/session`: everything optional; the body itself may be absent. */
export const apiCreateSessionBody = z.object({ model: z.optional(modelRef) })

/** `POST /api/session/:id/prompt`. */
export const promptBody = z.object({ prompt: z.object({ text: z.string().check(z.maxLength(100_000)) }) })

export const toolScript = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  /** The call's arguments: an object, as `tool.called.input` is. @default {} */
  input: z.optional(z.record(z.string(), z.unknown())),
  output: z.string(),
  fail: z.optional(z.boolean()),
})

export const turnBody = z.strictObject({
  prompt: z.string(),
  text: z.string(),
  reasoning: z.optional(z.string()),
  tools: z.optional(z.array(toolScript).check(z.maxLength(100))),
  /** Characters (code points) per delta. @default 3 */
  chunk: z.optional(z.int().check(z.gte(1), z.lte(1_000_000))),
  /** Pause before each delta; 0 yields to the event loop only. @default the engine's `intervalMs` */
  intervalMs: z.optional(z.int().check(z.gte(0), z.lte(600_000))),
  /** Background work never makes the session active. @default false */
  background: z.optional(z.boolean()),
})

/** Which streams a drop or stall acts on. @default 'all' */
const target = z.optional(z.enum(['all', 'session', 'server']))

export const faultBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('drop'), mode: z.optional(z.enum(['end', 'reset'])), target }),
  z.strictObject({ type: z.literal('drop-after'), frames: z.int().check(z.gte(1)) }),
  z.strictObject({ type: z.literal('stall'), on: z.boolean(), target }),
  z.strictObject({
    type: z.literal('split'),
    on: z.optional(z.boolean()),
    bytes: z.optional(z.int().check(z.gte(1), z.lte(65_536))),
  }),
  z.strictObject({ type: z.literal('duplicate'), on: z.boolean() }),
  z.strictObject({ type: z.literal('restart') }),
  z.strictObject({
    type: z.literal('shed'),
    on: z.boolean(),
    retryAfterSeconds: z.optional(z.int().check(z.gte(0), z.lte(86_400))),
  }),
  z.strictObject({ type: z.literal('private-rows'), on: z.boolean() }),
  /** Switches the server's shape live (an upgrade or a downgrade); open session streams end. */
  z.strictObject({ type: z.literal('shape'), shape: z.enum(['unified', 'split']) }),
  z.strictObject({ type: z.literal('clear') }),
])

export type CreateSessionInput = z.infer<typeof createSessionBody>
export type ToolScript = z.infer<typeof toolScript>
export type TurnInput = z.infer<typeof turnBody>
export type Fault = z.infer<typeof faultBody>

/** A short, human-readable reason for a 400. */
export const describeIssues = (issues: readonly { path: readonly PropertyKey[]; message: string }[]): string =>
  issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
    .join('; ')
