import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/*
 * A scripted OpenAI-compatible model for the real opencode server (`@ai-sdk/openai-compatible`
 * calls `POST /v1/chat/completions` with `stream: true`). Each answer is an SSE stream of
 * `chat.completion.chunk` objects, paced so the live fragments can be watched on the wire.
 */

export interface ModelScript {
  /** Streamed as `delta.reasoning_content` before anything else; empty: none. */
  readonly reasoning: string
  /** The first step calls the `read` tool on README.md; the request after the tool result gets `answer`. */
  readonly tool: boolean
  /** The answer text, streamed one word (with its trailing space) per chunk. */
  readonly answer: string
  /** Pause between chunks. */
  readonly delayMs: number
}

export interface ScriptedModel {
  /** `http://127.0.0.1:<port>/v1`, for the provider's `baseURL`. */
  readonly baseURL: string
  /** What the next requests get; tests change it between turns. */
  script: ModelScript
  /** The chat requests received so far (parsed bodies). */
  readonly requests: ChatRequest[]
  /** Chunks of the answer text written so far, in total (to wait until a turn is mid-answer). */
  readonly answerChunksSent: () => number
  close(): Promise<void>
}

export interface ChatRequest {
  readonly messages: readonly { readonly role: string; readonly content?: unknown }[]
  readonly tools?: readonly unknown[]
}

export const DEFAULT_SCRIPT: ModelScript = {
  reasoning: 'The user wants the readme, so I will read it.',
  tool: true,
  answer: 'The README says this is a demo project.',
  delayMs: 30,
}

/** `count` distinct words, for a long answer that takes a while to stream. */
export const words = (count: number, prefix = 'word'): string => Array.from({ length: count }, (_, i) => `${prefix}${i}`).join(' ')

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export async function startModel(initial: ModelScript = DEFAULT_SCRIPT): Promise<ScriptedModel> {
  const requests: ChatRequest[] = []
  let answerChunks = 0
  let calls = 0
  const sockets = new Set<import('node:net').Socket>()

  const model = {
    baseURL: '',
    script: initial,
    requests,
    answerChunksSent: () => answerChunks,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }

  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.parse(await readBody(request)) as ChatRequest
    requests.push(body)
    const script = model.script
    const last = body.messages.at(-1)
    const afterTool = last?.role === 'tool'
    // Only the conversation's own requests carry the tools: a request without them (a title,
    // a summary) gets a short plain answer, so it never consumes the script.
    const conversational = Array.isArray(body.tools) && body.tools.length > 0
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    let open = true
    response.on('close', () => (open = false))
    const id = `chatcmpl-${++calls}`
    const send = async (delta: Record<string, unknown>, finish: string | null = null, usage?: Record<string, number>) => {
      if (!open) return false
      const chunk = {
        id,
        object: 'chat.completion.chunk',
        created: Math.floor(Date.now() / 1000),
        model: 'echo',
        choices: [{ index: 0, delta, finish_reason: finish }],
        ...(usage === undefined ? {} : { usage }),
      }
      response.write(`data: ${JSON.stringify(chunk)}\n\n`)
      await sleep(script.delayMs)
      return open
    }
    const usage = { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 }

    if (!conversational) {
      await send({ role: 'assistant', content: 'Demo session' })
      await send({}, 'stop', usage)
    } else if (script.tool && !afterTool) {
      await send({ role: 'assistant' })
      for (const piece of script.reasoning === '' ? [] : script.reasoning.split(/(?<= )/)) {
        if (!(await send({ reasoning_content: piece }))) return
      }
      const callID = `call_${calls}`
      if (!(await send({ tool_calls: [{ index: 0, id: callID, type: 'function', function: { name: 'read', arguments: '' } }] }))) return
      for (const fragment of ['{"path":', '"README.md"}']) {
        if (!(await send({ tool_calls: [{ index: 0, function: { arguments: fragment } }] }))) return
      }
      await send({}, 'tool_calls', usage)
    } else {
      await send({ role: 'assistant' })
      if (!afterTool) {
        for (const piece of script.reasoning === '' ? [] : script.reasoning.split(/(?<= )/)) {
          if (!(await send({ reasoning_content: piece }))) return
        }
      }
      for (const piece of script.answer.split(/(?<= )/)) {
        answerChunks++
        if (!(await send({ content: piece }))) return
      }
      await send({}, 'stop', usage)
    }
    if (open) response.end('data: [DONE]\n\n')
  }

  const server: Server = createServer((request, response) => {
    if (request.method === 'POST' && request.url?.endsWith('/chat/completions')) {
      answer(request, response).catch(() => response.destroy())
      return
    }
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}')
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  model.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  return model
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => (body += chunk))
    request.on('end', () => resolve(body))
    request.on('error', reject)
  })
}
