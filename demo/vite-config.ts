import type { InlineConfig } from 'vite'

/*
 * The demo page's Vite config, shared by `npm run demo` (dev server), `npm run demo:build`
 * and the browser tests (which build it). Inline: the repository's vite.config.ts
 * configures vitest, not this page.
 */

export interface DemoConfigOptions {
  /** The mock server the page talks to when the URL has no `?mock=`; '' means none. */
  readonly mockUrl?: string
  /**
   * A real opencode server the page follows when the URL has neither `?mock=` nor
   * `?opencode=` (`npm run demo -- --opencode <url>`); '' means none. Wins over `mockUrl`.
   */
  readonly opencodeUrl?: string
  /** Where `vite build` writes. @default demo-dist/ at the repository root */
  readonly outDir?: string
  readonly logLevel?: 'info' | 'warn' | 'error' | 'silent'
}

export function demoViteConfig(options: DemoConfigOptions = {}): InlineConfig {
  return {
    configFile: false,
    root: import.meta.dirname,
    base: './',
    logLevel: options.logLevel ?? 'warn',
    clearScreen: false,
    define: {
      DEMO_MOCK_URL: JSON.stringify(options.mockUrl ?? ''),
      DEMO_OPENCODE_URL: JSON.stringify(options.opencodeUrl ?? ''),
      // Vue's compile-time flags, set explicitly (no @vitejs/plugin-vue here: render functions only).
      __VUE_OPTIONS_API__: 'false',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
    build: {
      outDir: options.outDir ?? `${import.meta.dirname}/../demo-dist`,
      emptyOutDir: true,
      reportCompressedSize: false,
    },
  }
}
