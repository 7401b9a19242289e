// URL policy of the sanitizers: which hrefs and image sources survive, judged after cleaning the URL the way
// browsers do (control characters dropped, protocol-relative URLs recognised). Pure functions.

/** Browsers drop ASCII tab/newline anywhere in a URL and trim C0 controls and spaces: do the same before judging. */
export function cleanUrl(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001F\u007F]+/g, '').trim()
}

/** The lower-cased scheme of a URL, '' when it has none (a relative URL). */
function urlScheme(cleaned: string): string {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(cleaned)
  return match?.[1] ? match[1].toLowerCase() : ''
}

/** `//host/x` and `\\host\x` are absolute (protocol-relative) even though they have no scheme. */
function isProtocolRelative(cleaned: string): boolean {
  return /^[/\\]{2}/.test(cleaned) || /^[/\\]\s*[/\\]/.test(cleaned)
}

/** An href with one of the given schemes, cleaned; null when it is relative, protocol-relative or another scheme. */
export function acceptHref(raw: string | undefined, schemes: readonly string[]): string | null {
  if (raw === undefined) return null
  const cleaned = cleanUrl(raw)
  if (!cleaned || isProtocolRelative(cleaned)) return null
  const scheme = urlScheme(cleaned)
  if (!scheme || !schemes.includes(scheme)) return null
  if ((scheme === 'http' || scheme === 'https') && !/^https?:\/\/[^/\\\s]/i.test(cleaned)) return null
  return cleaned
}

/** A URL produced by one of our callbacks for an image: http(s) or a same-origin path (not protocol-relative). */
export function acceptGeneratedImageUrl(value: string | null | undefined, extraSchemes: readonly string[] = []): string | null {
  if (typeof value !== 'string') return null
  const cleaned = cleanUrl(value)
  if (!cleaned || isProtocolRelative(cleaned)) return null
  const scheme = urlScheme(cleaned)
  if (scheme === '') return cleaned.startsWith('\\') ? null : cleaned
  return scheme === 'http' || scheme === 'https' || extraSchemes.includes(scheme) ? cleaned : null
}

/** The Content-ID a `cid:` URL refers to (RFC 2392: URL-encoded, without angle brackets); null for other URLs. */
export function cidOf(src: string | undefined): string | null {
  if (src === undefined) return null
  const cleaned = cleanUrl(src)
  if (!/^cid:/i.test(cleaned)) return null
  let id = cleaned.slice(4)
  try {
    id = decodeURIComponent(id)
  } catch {
    // not valid percent-encoding: use it as written
  }
  id = id.trim().replace(/^<+/, '').replace(/>+$/, '').trim()
  return id === '' ? null : id
}

export const LINK_REL = 'noopener noreferrer nofollow'
