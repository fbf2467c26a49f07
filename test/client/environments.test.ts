import { describe, expect, it, vi } from 'vitest'

describe('outside a browser', () => {
  it('imports and runs in Node with no window or document', async () => {
    expect(typeof window).toBe('undefined')
    expect(typeof document).toBe('undefined')
    const sdk = await import('../../src/index.js')
    const fetch = vi.fn<typeof globalThis.fetch>(() => new Promise(() => {}))
    const client = sdk.createSessionClient({ baseUrl: 'http://server.test', fetch })
    const session = client.session('ses_1')
    const off = session.$view.listen(() => {})
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1))
    off()
    client.close()
    expect(session.$connection.get().state).toBe('closed')
  })

  it('reading a store during server-side rendering opens no connection', async () => {
    const { createSessionClient } = await import('../../src/index.js')
    const fetch = vi.fn<typeof globalThis.fetch>()
    const client = createSessionClient({ baseUrl: 'http://server.test', fetch })
    const session = client.session('ses_1', { after: 3 })
    expect(session.$view.get()).toMatchObject({ activity: 'unknown', cursor: -1, messages: [] })
    expect(session.$connection.get()).toMatchObject({ state: 'idle', cursor: 3 })
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(fetch).not.toHaveBeenCalled()
    client.close()
  })
})
