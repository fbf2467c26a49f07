import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { createMockEngine } from './engine/engine.js'
import type { MockEngine } from './engine/types.js'
import { createFileLogStore } from './file-log-store.js'

export { createFileLogStore } from './file-log-store.js'

export interface MockServerOptions {
  /** 0 picks a free port. @default 0 */
  readonly port?: number
  /** @default '127.0.0.1' */
  readonly host?: string
  /** When set, the durable log is kept in JSONL files here and survives a restart. */
  readonly dataDir?: string
  /** Accept `Authorization: Bearer <token>`. */
  readonly token?: string
  /** Accept HTTP Basic `opencode:<password>`, like opencode's `OPENCODE_SERVER_PASSWORD`. */
  readonly password?: string
  readonly heartbeatMs?: number
  readonly queueLimit?: number
  /** Start with the `private-rows` switch on. @default false */
  readonly privateRows?: boolean
  /** Pause before each delta of a turn that does not set its own. @default 15 */
  readonly intervalMs?: number
  /** `split` serves like the released opencode server (see `MockEngineOptions.shape`). @default 'unified' */
  readonly shape?: 'unified' | 'split'
}

export interface MockServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4010`. */
  readonly url: string
  readonly engine: MockEngine
  close(): Promise<void>
}

function toRequest(req: IncomingMessage, base: string, signal: AbortSignal): Request {
  const headers = new Headers()
  for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) {
    headers.append(req.rawHeaders[index] ?? '', req.rawHeaders[index + 1] ?? '')
  }
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  // Node's web-stream types and the DOM lib's describe the same runtime object.
  const body = hasBody ? (Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>) : null
  const init: RequestInit & { duplex: 'half' } = { method, headers, body, signal, duplex: 'half' }
  return new Request(new URL(req.url ?? '/', base), init)
}

/**
 * Resolves when the response can take more, or when the client is gone. Both listeners
 * go on either outcome (a race of two `once` promises would leave the loser attached on
 * every backpressure wait, and a long replay would pile them up).
 */
const writable = (res: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })

/**
 * Writes the engine's Response. Nothing, not even the status line, goes out before the engine
 * resolves it, so a split-shape session stream (whose Response waits for its first row, see
 * routes-api.ts) really sends no headers until then. `Response.error()` is a connection that
 * fails without an answer: the socket is destroyed.
 */
async function send(response: Response, res: ServerResponse, splitting: () => boolean): Promise<void> {
  if (response.type === 'error') return void res.destroy()
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => (headers[name] = value))
  res.writeHead(response.status, headers)
  if (response.body === null) return void res.end()
  res.flushHeaders()
  res.socket?.setNoDelay(true)
  const reader = response.body.getReader()
  const onClose = (): void => void reader.cancel().catch(() => {})
  res.once('close', onClose)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done || res.destroyed) break
      if (splitting()) {
        // Wait for each tiny piece to reach the socket and yield a turn, so pieces go out
        // as separate writes instead of being coalesced into one packet.
        await new Promise<void>((resolve) => res.write(value, () => resolve()))
        await new Promise<void>((resolve) => setImmediate(resolve))
      } else if (!res.write(value)) {
        await writable(res)
      }
    }
    res.end()
  } catch {
    // A reset stream (drop mode 'reset', restart, overflow) fails the connection itself.
    res.destroy()
  } finally {
    res.off('close', onClose)
  }
}

/** Serves the engine over node:http. Every route is the engine's `handle`. */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const host = options.host ?? '127.0.0.1'
  const engine = createMockEngine({
    ...(options.dataDir === undefined ? {} : { logStore: createFileLogStore(options.dataDir) }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(options.queueLimit === undefined ? {} : { queueLimit: options.queueLimit }),
    ...(options.privateRows === undefined ? {} : { privateRows: options.privateRows }),
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    ...(options.shape === undefined ? {} : { shape: options.shape }),
  })
  let base = ''
  const server = createServer((req, res) => {
    const aborter = new AbortController()
    // The client went away before the response finished: tell the engine, which drops the subscriber.
    res.once('close', () => {
      if (!res.writableFinished) aborter.abort()
    })
    const request = toRequest(req, base, aborter.signal)
    void engine
      .handle(request)
      .then((response) => send(response, res, () => engine.faults().split !== undefined))
      .catch(() => res.destroy())
  })
  server.listen(options.port ?? 0, host)
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([cause]) => Promise.reject(cause))])
  const { port } = server.address() as AddressInfo
  base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url: base,
    engine,
    async close() {
      engine.close()
      server.closeAllConnections()
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
