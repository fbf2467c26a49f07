import { describe, expect, it } from 'vitest'
import { serverKey } from '../../src/persist/index.js'
import { entryKey, serverPrefix } from '../../src/persist/key.js'

describe('serverKey', () => {
  it.each([
    ['http://127.0.0.1:4096', 'http://127.0.0.1:4096'],
    ['http://127.0.0.1:4096///', 'http://127.0.0.1:4096'],
    ['HTTPS://Example.COM:443/api/', 'https://example.com/api'],
    ['https://user:pass@example.com/api?token=t#f', 'https://example.com/api'],
    ['https://a@b:p@ss@example.com/', 'https://example.com'],
    ['http://[::1]:8080/x/', 'http://[::1]:8080/x'],
    // Not absolute URLs (no page to resolve against in Node): stripped by hand, never leaked.
    ['user:pass@example.com/api/', 'example.com/api'],
    ['/api/?token=t', '/api'],
    ['', ''],
  ])('%s → %s', (url, expected) => {
    expect(serverKey(url)).toBe(expected)
    expect(serverKey(expected)).toBe(expected)
  })

  it('resolves a relative base URL against the page, read when called', () => {
    const location = { href: 'https://app.example/chat/1' }
    Object.assign(globalThis, { location })
    try {
      expect(serverKey('/opencode/')).toBe('https://app.example/opencode')
    } finally {
      Reflect.deleteProperty(globalThis, 'location')
    }
  })

  it('entry keys of one server share a prefix no other server or session id can forge', () => {
    const prefix = serverPrefix('http://a')
    expect(entryKey('http://a', 'ses_1').startsWith(prefix)).toBe(true)
    expect(entryKey('http://a/b', 'ses_1').startsWith(prefix)).toBe(false)
    expect(entryKey('http://a","x', 'ses_1').startsWith(prefix)).toBe(false)
    expect(entryKey('http://a', 'x"]').startsWith(prefix)).toBe(true)
  })
})
