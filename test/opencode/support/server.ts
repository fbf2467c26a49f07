import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ScriptedModel } from './model.js'

/*
 * The released opencode server (opencode-linux-x64, installed by scripts/opencode.mjs into a
 * cache directory outside the project's dependencies), run offline: every home and XDG
 * directory in a temp dir, no update or catalogue fetches, one provider pointing at the
 * scripted model.
 */

export const OPENCODE_VERSION = '1.18.34'

export function opencodeBinary(): string {
  const fromEnv = process.env.OPENCODE_BIN
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  return join(cache, 'session-stream', `opencode-${OPENCODE_VERSION}`, 'node_modules', 'opencode-linux-x64', 'bin', 'opencode')
}

export interface OpencodeServer {
  readonly url: string
  readonly port: number
  /** Headers every request of this server needs (Basic auth when it has a password). */
  readonly headers: Record<string, string>
  /** stdout and stderr of every run so far, for failure messages. */
  log(): string
  /** `kill -9` of the server's process group: no chance to write anything. */
  kill9(): Promise<void>
  /** Starts it again on the same port with the same data directories. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export interface StartOptions {
  readonly model: ScriptedModel
  readonly password?: string | undefined
}

export async function startOpencode(options: StartOptions): Promise<OpencodeServer> {
  const binary = opencodeBinary()
  if (!existsSync(binary)) throw new Error(`no opencode binary at ${binary}: run \`npm run test:opencode\`, which installs it`)
  const root = await mkdtemp(join(tmpdir(), 'session-stream-opencode-'))
  const project = join(root, 'project')
  const home = join(root, 'home')
  const xdg = {
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
  }
  for (const dir of [project, home, ...Object.values(xdg), join(xdg.XDG_CONFIG_HOME, 'opencode')]) await mkdir(dir, { recursive: true })
  await writeFile(join(project, 'README.md'), '# Demo project\n')
  const config = {
    provider: {
      fake: {
        npm: '@ai-sdk/openai-compatible',
        options: { baseURL: options.model.baseURL, apiKey: 'x' },
        models: { echo: { name: 'Echo', tool_call: true } },
      },
    },
    model: 'fake/echo',
  }
  await writeFile(join(xdg.XDG_CONFIG_HOME, 'opencode', 'opencode.json'), JSON.stringify(config, null, 2))

  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const headers: Record<string, string> =
    options.password === undefined ? {} : { authorization: `Basic ${Buffer.from(`opencode:${options.password}`).toString('base64')}` }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    ...xdg,
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    ...(options.password === undefined ? {} : { OPENCODE_SERVER_PASSWORD: options.password }),
  }

  let output = ''
  let child: ChildProcess | undefined

  const launch = async () => {
    // Its own process group, so a kill reaches whatever it spawned too.
    const current = spawn(binary, ['serve', '--port', String(port), '--hostname', '127.0.0.1'], {
      cwd: project,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = current
    const listening = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`opencode did not listen within 60 s:\n${output}`)), 60_000)
      const onData = (chunk: string) => {
        output += chunk
        if (output.includes(`listening on ${url}`)) {
          clearTimeout(timer)
          resolve()
        }
      }
      current.stdout!.setEncoding('utf8').on('data', onData)
      current.stderr!.setEncoding('utf8').on('data', onData)
      current.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`opencode exited (${code ?? signal}) before listening:\n${output}`))
      })
    })
    await listening
    await waitForModel(url, headers, () => output)
  }

  const signalGroup = (signal: NodeJS.Signals) => {
    const pid = child?.pid
    if (pid === undefined || child?.exitCode !== null || child.signalCode !== null) return false
    try {
      process.kill(-pid, signal)
      return true
    } catch {
      return false
    }
  }
  // A worker that exits (a timeout, a crash) must not leave a detached server behind.
  const onExit = () => signalGroup('SIGKILL')
  process.once('exit', onExit)

  const server: OpencodeServer = {
    url,
    port,
    headers,
    log: () => output,
    async kill9() {
      const current = child
      signalGroup('SIGKILL')
      await exited(current, 5_000)
      output += '\n--- kill -9 ---\n'
    },
    async restart() {
      await launch()
    },
    async stop() {
      const current = child
      if (signalGroup('SIGTERM')) await exited(current, 3_000)
      signalGroup('SIGKILL')
      await exited(current, 3_000)
      process.removeListener('exit', onExit)
      await rm(root, { recursive: true, force: true }).catch(() => {})
    },
  }
  try {
    await launch()
  } catch (error) {
    await server.stop()
    throw error
  }
  return server
}

/** Resolves once `child` exited, or after `ms` anyway. */
function exited(child: ChildProcess | undefined, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(resolve, ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** The catalogue loads seconds after the port opens; a prompt before it fails. Requests during boot may hang: each try has its own timeout. */
async function waitForModel(url: string, headers: Record<string, string>, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/api/model`, { headers, signal: AbortSignal.timeout(2_000) })
      if (response.ok && (await response.text()).includes('"providerID":"fake"')) return
    } catch {
      // booting
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`opencode never listed the fake model:\n${log()}`)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}
