import { fork, type ChildProcess } from 'node:child_process'

/** Requests the forked mock server answers (see server-child.ts). */
export type ServerRequest =
  | { readonly type: 'seed'; readonly durable: number }
  | { readonly type: 'live' }
  | { readonly type: 'deltas'; readonly sessionID: string; readonly assistantMessageID: string; readonly count: number; readonly rate: number }
  | { readonly type: 'drop' }
  | { readonly type: 'stats' }

export interface Seeded {
  readonly sessionID: string
  readonly lastSeq: number
  readonly messages: number
  readonly bytes: number
}

export interface LiveSession {
  readonly sessionID: string
  readonly assistantMessageID: string
}

export interface ServerReply {
  readonly id: number
  readonly value?: unknown
  readonly error?: string
}

/**
 * Each delta's text is the time it was published, fixed width, so whoever receives it can
 * tell its age. The monotonic clock (CLOCK_MONOTONIC on Linux) is one clock for every
 * process on the machine; `performance.timeOrigin` is not precise enough across processes.
 */
export const STAMP_WIDTH = 18
export const wallClock = (): number => Number(process.hrtime.bigint() / 1000n) / 1000
export const stamp = (): string => `${wallClock().toFixed(3).padStart(STAMP_WIDTH - 1, '0')};`

/** Latencies (ms) of the stamps in `text` from `from` on, measured now. */
export function ages(text: string, from: number, into: number[]): void {
  const at = wallClock()
  for (let offset = from; offset + STAMP_WIDTH <= text.length; offset += STAMP_WIDTH) {
    into.push(at - Number(text.slice(offset, offset + STAMP_WIDTH - 1)))
  }
}

export interface MockServerProcess {
  readonly url: string
  request(request: ServerRequest): Promise<unknown>
  close(): Promise<void>
}

/** The mock server (mock-server/node.ts) in its own process, so its work is not the client's. */
export async function startServerProcess(): Promise<MockServerProcess> {
  const child: ChildProcess = fork(new URL('./server-child.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  let nextID = 0
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject)
    child.once('message', (message: unknown) => {
      if (typeof message === 'string') resolve(message)
      else reject(new Error('mock server did not start'))
    })
  })
  child.on('message', (message: ServerReply) => {
    const waiter = pending.get(message.id)
    pending.delete(message.id)
    if (message.error === undefined) waiter?.resolve(message.value)
    else waiter?.reject(new Error(message.error))
  })
  return {
    url,
    request: (request) =>
      new Promise((resolve, reject) => {
        const id = nextID++
        pending.set(id, { resolve, reject })
        child.send({ id, request })
      }),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill()
      }),
  }
}
