import { pathToFileURL } from 'node:url'
import type * as Sdk from '../../src/index.js'

/**
 * The benchmarks measure the code users run: the built `dist/` (`npm run bench` builds it
 * first), not tsx's transpile of `src/`. tsx compiles with esbuild's keepNames, which wraps
 * every closure in a call that defines its `name`: about 0.5 µs per closure created, which
 * would be charged to every fold call. Types come from `src/`, which `dist/` is built from.
 * BENCH_DIST=<folder> runs the same benchmarks against another build (an A/B comparison).
 */
const dist = process.env.BENCH_DIST === undefined ? new URL('../../dist/', import.meta.url) : pathToFileURL(`${process.env.BENCH_DIST}/`)
const sdk = (await import(new URL('index.js', dist).href)) as typeof Sdk

export const { createSessionClient, decodeEvent, foldEvents, initialView, selectPart } = sdk
