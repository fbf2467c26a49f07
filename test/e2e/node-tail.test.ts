import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMockServer, type MockServer } from '../../mock-server/node.js'

const ROOT = join(import.meta.dirname, '..', '..')
const SCRIPT = join(ROOT, 'demo', 'node-tail.ts')

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs demo/node-tail.ts under tsx as a child process; kills it if it outlives `timeoutMs`. */
function runTail(args: readonly string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', (cause) => {
      clearTimeout(timer)
      reject(cause)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

let mock: MockServer | undefined

beforeAll(async () => {
  mock = await startMockServer({ heartbeatMs: 1000 })
})

afterAll(async () => {
  await mock?.close()
})

describe('demo/node-tail.ts', () => {
  it('creates a session, tails its scripted turn with text streamed inline, and exits 0 after the turn', async () => {
    const run = await runTail(['--url', mock!.url, '--exit-after-turn', '--interval', '3'], 25_000)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)

    const sessionID = /created (\S+)/.exec(run.stdout)?.[1]
    expect(sessionID).toBeDefined()
    const rows = mock!.engine.history(sessionID!, 0, 1000)?.data ?? []
    const ended = rows.find((row) => row.type === 'session.next.text.ended')
    if (ended?.type !== 'session.next.text.ended') throw new Error('the turn wrote no text.ended')
    const { assistantMessageID, textID, text } = ended.data
    const started = rows.find((row) => row.type === 'session.next.text.started' && row.data.textID === textID && row.data.assistantMessageID === assistantMessageID)
    expect(text.length).toBeGreaterThan(50)

    // The deltas spell the server's text on one line, between text.started and text.ended.
    expect(run.stdout).toContain(`${started?.durable.seq} session.next.text.started\n${text}\n${ended.durable.seq} session.next.text.ended`)
    expect(run.stdout).not.toContain('(full text)')
    // A tool turn has two steps: the first ends with tool calls and the tail keeps going;
    // it stops at the answer step's end, the last line it prints.
    const stepEnds = rows.filter((row) => row.type === 'session.next.step.ended')
    expect(stepEnds.map((row) => (row.type === 'session.next.step.ended' ? row.data.finish : ''))).toEqual(['tool-calls', 'stop'])
    expect(run.stdout).toContain(`${stepEnds[0]!.durable.seq} session.next.step.ended\n`)
    expect(run.stdout.trimEnd().endsWith(`${stepEnds[1]!.durable.seq} session.next.step.ended`)).toBe(true)
  }, 30_000)

  it('fails with the SDK error code and exit 1 for a session that does not exist', async () => {
    const run = await runTail(['--url', mock!.url, '--session', 'ses_missing'], 15_000)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('session-not-found')
  }, 20_000)

  it('says which URL it tried and what to run when no server answers, and exits 1', async () => {
    const run = await runTail(['--url', 'http://127.0.0.1:1'], 15_000)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('nothing answered at http://127.0.0.1:1')
    expect(run.stderr).toContain('npm run mock-server')
  }, 20_000)
})
