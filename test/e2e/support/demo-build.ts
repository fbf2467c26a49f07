import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { demoViteConfig } from '../../../demo/vite-config.js'

/** Builds the demo page with Vite into a fresh temporary directory and returns it. */
export async function buildDemo(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'session-stream-demo-'))
  await build(demoViteConfig({ outDir, logLevel: 'error' }))
  return outDir
}
