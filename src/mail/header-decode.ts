// Header text as the sender meant it, from the raw bytes (RFC 2047 encoded-words, RFC 6532 UTF-8), also when the
// sender broke the rules: raw 8-bit bytes inside an encoded-word (`=?iso-8859-1?Q?Fr<0xF6>sche?=`), UTF-7, an
// unknown or wrong charset. A wrong guess is never silent: `guessed` tells the caller to keep the raw header.
// Pure: bytes in, text out.
import { analyse } from 'chardet'

export interface DecodedHeader {
  text: string
  /** A charset was unknown or wrong, or raw 8-bit bytes had no charset: the text is a best guess. */
  guessed: boolean
}

const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?]*)\?=/g

/** Decodes one header value (without its name), folded or not. */
export function decodeHeaderValue(raw: Buffer): DecodedHeader {
  const value = raw.toString('latin1').replace(/\r?\n(?=[ \t])/g, '')
  let text = ''
  let guessed = false
  let pending: { charset: string; bytes: Buffer[] } | null = null
  let last = 0
  const flush = () => {
    if (!pending) return
    const decoded = decodeBytes(Buffer.concat(pending.bytes), pending.charset)
    text += decoded.text
    guessed ||= decoded.guessed
    pending = null
  }
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, m.index)
    last = m.index + m[0].length
    // whitespace between two encoded-words is not part of the text (RFC 2047 §6.2)
    if (!(pending && /^[ \t]*$/.test(between))) {
      flush()
      const plain = decodePlain(between)
      text += plain.text
      guessed ||= plain.guessed
    }
    const charset = (m[1] ?? '').toLowerCase()
    const bytes = (m[2] ?? '').toLowerCase() === 'b' ? Buffer.from(m[3] ?? '', 'base64') : decodeQ(m[3] ?? '')
    // adjacent words in one charset are decoded together: senders split multi-byte characters across them
    if (pending && pending.charset !== charset) flush()
    if (!pending) pending = { charset, bytes: [] }
    pending.bytes.push(bytes)
  }
  flush()
  const tail = decodePlain(value.slice(last))
  return { text: (text + tail.text).trim(), guessed: guessed || tail.guessed }
}

/** Q encoding: `_` is a space, `=XX` a byte, and any other byte (raw 8-bit ones too) stands for itself. */
function decodeQ(data: string): Buffer {
  const latin1 = data.replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
  return Buffer.from(latin1, 'latin1')
}

/** Text outside encoded-words: ASCII, UTF-8 (RFC 6532), or some legacy charset nobody declared. */
function decodePlain(latin1: string): DecodedHeader {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(latin1)) return { text: latin1, guessed: false }
  const bytes = Buffer.from(latin1, 'latin1')
  const utf8 = strictDecode(bytes, 'utf-8')
  return utf8 === null ? { text: guessLegacy(bytes), guessed: true } : { text: utf8, guessed: false }
}

/**
 * Undeclared legacy bytes: the charset a statistical detector is fairly sure of (KOI8-R for Russian, say), else
 * Windows-1252, the superset of Latin-1 that Western mail without a declaration almost always is.
 */
function guessLegacy(bytes: Buffer): string {
  const best = analyse(bytes).find((match) => match.confidence >= 50)
  const label = best && !/^(iso-8859-1|utf-8|utf-16|utf-32)/i.test(best.name) ? best.name : 'windows-1252'
  return strictDecode(bytes, label) ?? new TextDecoder('windows-1252').decode(bytes)
}

/** Bytes in a declared charset; an unknown label or bytes that do not fit it fall back to UTF-8, then Windows-1252. */
function decodeBytes(bytes: Buffer, charset: string): DecodedHeader {
  const label = charset.trim().toLowerCase()
  if (label === 'utf-7' || label === 'unicode-1-1-utf-7' || label === 'csunicode11utf7') return { text: decodeUtf7(bytes.toString('latin1')), guessed: false }
  const declared = strictDecode(bytes, label)
  if (declared !== null) return { text: declared, guessed: false }
  return { text: strictDecode(bytes, 'utf-8') ?? guessLegacy(bytes), guessed: true }
}

function strictDecode(bytes: Buffer, label: string): string | null {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

/** RFC 2152: `+` opens modified base64 of UTF-16BE up to `-` (or any non-base64 character); `+-` is `+`. */
function decodeUtf7(value: string): string {
  return value.replace(/\+([A-Za-z0-9+/]*)-?/g, (whole, b64: string) => {
    if (b64 === '') return whole === '+-' ? '+' : whole
    const bytes = Buffer.from(b64, 'base64')
    let out = ''
    for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0))
    return out
  })
}

/** The raw value of the first `name:` header in a header block (latin1 bytes kept), or null. */
export function rawHeader(head: Buffer, name: string): Buffer | null {
  const block = head.toString('latin1')
  const end = block.search(/\r?\n\r?\n/)
  const headers = end >= 0 ? block.slice(0, end) : block
  const match = new RegExp(`(?:^|\\n)${name}[ \\t]*:[ \\t]*((?:[^\\r\\n]*)(?:\\r?\\n[ \\t][^\\r\\n]*)*)`, 'i').exec(headers)
  return match ? Buffer.from(match[1] ?? '', 'latin1') : null
}
