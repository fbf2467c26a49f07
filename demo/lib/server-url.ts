/**
 * A server's base URL as the page and `npm run demo -- --opencode` accept it: http(s),
 * no credentials (a password goes in the password field, never in a URL), no query or
 * fragment, no trailing slash. A path is kept: a server may sit behind a prefix.
 */
export function parseServerUrl(raw: string): { readonly url: string } | { readonly error: string } {
  const trimmed = raw.trim()
  if (trimmed === '') return { error: 'Type the server address, e.g. http://127.0.0.1:4096.' }
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return { error: `${JSON.stringify(trimmed)} is not a URL: try http://127.0.0.1:4096.` }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `Use an http:// or https:// address, not ${url.protocol}.` }
  if (url.username !== '' || url.password !== '') return { error: 'Leave credentials out of the address: the password has its own field.' }
  if (url.search !== '' || url.hash !== '') return { error: 'Leave the query and fragment out of the address.' }
  return { url: `${url.origin}${url.pathname}`.replace(/\/+$/, '') }
}
