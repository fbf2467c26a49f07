import { createEngineCore } from './core.js'
import { applyCors, authorize, error, invalid, preflight } from './http.js'
import { apiRoute } from './routes-api.js'
import { controlRoute } from './routes-control.js'
import type { MockEngine, MockEngineOptions } from './types.js'

const PROTECTED = new Set(['api', 'session', '__mock'])

/** Splits a path into decoded segments; undefined when a segment is not valid percent-encoding. */
const segments = (pathname: string): string[] | undefined => {
  try {
    return pathname.split('/').filter((part) => part !== '').map((part) => decodeURIComponent(part))
  } catch {
    return undefined
  }
}

/**
 * The mock server's contract engine: one platform-neutral object whose `handle` serves
 * every route. The Node and MSW adapters only translate to and from `Request`/`Response`.
 */
export function createMockEngine(options: MockEngineOptions = {}): MockEngine {
  const core = createEngineCore(options)
  const credentials = { token: options.token, password: options.password }
  const noRoute = (request: Request, url: URL): Response => error(404, 'NotFoundError', `no route for ${request.method} ${url.pathname}`)

  const route = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const parts = segments(url.pathname)
    if (parts === undefined) return invalid('malformed path')
    const known = PROTECTED.has(parts[0] ?? '')
    // Browsers send preflights without credentials, so they are answered before auth.
    if (request.method === 'OPTIONS') return known ? preflight() : noRoute(request, url)
    if (known) {
      const refused = authorize(request, credentials)
      if (refused !== undefined) return refused
    }
    const response = (await apiRoute(core, request, url, parts)) ?? (await controlRoute(core, request, parts))
    return response ?? noRoute(request, url)
  }

  return {
    ...core,
    async handle(request) {
      let response: Response
      try {
        response = await route(request)
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : 'unexpected failure'
        response = error(500, 'InternalServerError', `mock server error: ${message}`)
      }
      // A network failure (Response.error()) has no headers to add to.
      return response.type === 'error' ? response : applyCors(request, response)
    },
  }
}
