import { parseArgs } from 'node:util'
import { startMockServer } from './node.js'

const USAGE =
  'usage: npm run mock-server -- [--port <n>] [--host <h>] [--data-dir <dir>] [--token <t>] [--password <p>] ' +
  '[--heartbeat-ms <n>] [--interval-ms <n>] [--private-rows] [--shape unified|split]'

const integer = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a non-negative integer`)
  return Number(raw)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      token: { type: 'string' },
      password: { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'interval-ms': { type: 'string' },
      'private-rows': { type: 'boolean' },
      shape: { type: 'string' },
      help: { type: 'boolean' },
    },
  })
  if (values.help === true) return console.log(USAGE)
  const port = integer('port', values.port)
  const heartbeatMs = integer('heartbeat-ms', values['heartbeat-ms'])
  const intervalMs = integer('interval-ms', values['interval-ms'])
  const shape = values.shape
  if (shape !== undefined && shape !== 'unified' && shape !== 'split') throw new Error('--shape must be unified or split')
  const server = await startMockServer({
    ...(port === undefined ? {} : { port }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(values.password === undefined ? {} : { password: values.password }),
    ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
    ...(intervalMs === undefined ? {} : { intervalMs }),
    ...(values['private-rows'] === true ? { privateRows: true } : {}),
    ...(shape === undefined ? {} : { shape }),
  })
  console.log(`session-stream mock server listening on ${server.url}${shape === 'split' ? ' (split shape)' : ''}`)
  const stop = (): void => {
    void server.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((cause: unknown) => {
  console.error(cause instanceof Error ? cause.message : cause)
  console.error(USAGE)
  process.exit(1)
})
