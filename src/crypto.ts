// Secrets at rest (mailbox passwords, OAuth refresh tokens) and per-purpose keys, all derived from the module secret.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

const VERSION = 'v1'
const ENCRYPTION_INFO = 'trc-mailbox-password'
const IV_BYTES = 12
const TAG_BYTES = 16
const KEY_BYTES = 32
const B64URL = /^[A-Za-z0-9_-]*$/

function secretBytes(secret: string | Buffer): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret
  if (bytes.length === 0) throw new Error('crypto: the module secret must not be empty')
  return bytes
}

/** HKDF-SHA256 over the module secret (no salt: the secret is a high-entropy key, not a password). */
function deriveKey(secret: string | Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretBytes(secret), Buffer.alloc(0), info, KEY_BYTES))
}

/**
 * A 32-byte HMAC key for one purpose (e.g. 'threading-token'), derived from the module secret with HKDF-SHA256
 * (info `trc-hmac:<purpose>`), so every use of the secret gets an independent key and none equals the encryption key.
 */
// HKDF per message would dominate ingest of small mail: keys are derived once per (secret, purpose).
const hmacKeys = new Map<string, Buffer>()

export function hmacKey(secret: string | Buffer, purpose: string): Buffer {
  if (purpose === '') throw new Error('hmacKey: purpose must not be empty')
  if (typeof secret !== 'string') return deriveKey(secret, `trc-hmac:${purpose}`)
  const cacheKey = `${purpose}\u0000${secret}`
  let key = hmacKeys.get(cacheKey)
  if (!key) {
    key = deriveKey(secret, `trc-hmac:${purpose}`)
    hmacKeys.set(cacheKey, key)
  }
  return Buffer.from(key)
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

function base32(bytes: Buffer): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
    buffer &= (1 << bits) - 1
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31]
  return out
}

/**
 * A short signature for identifiers that travel in mail (Message-IDs, return paths): the first `chars` base32
 * characters (5 bits each) of HMAC-SHA256 over `data` with hmacKey(secret, purpose). Lower case, because mail
 * servers may fold the case of addresses.
 */
export function shortSignature(secret: string, purpose: string, data: string, chars: number): string {
  const mac = createHmac('sha256', hmacKey(secret, purpose)).update(data, 'utf8').digest()
  return base32(mac.subarray(0, Math.ceil((chars * 5) / 8))).slice(0, chars)
}

/** Whether `given` is the short signature of `data` (constant-time; any letter case). */
export function verifyShortSignature(given: string, secret: string, purpose: string, data: string, chars: number): boolean {
  const expected = Buffer.from(shortSignature(secret, purpose, data, chars), 'ascii')
  const actual = Buffer.from(given.toLowerCase(), 'ascii')
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/**
 * Encrypts a secret for storage: AES-256-GCM with a key derived from the module secret (HKDF-SHA256, info
 * 'trc-mailbox-password') and a random 12-byte IV. Returns `v1:<iv>:<tag>:<ciphertext>`, each part base64url.
 * The version prefix is authenticated too.
 */
export function encryptSecret(plain: string, secret: string | Buffer): string {
  const key = deriveKey(secret, ENCRYPTION_INFO)
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(VERSION, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  const tag = cipher.getAuthTag()
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join(':')
}

function decodePart(value: string, what: string): Buffer {
  if (!B64URL.test(value)) throw new Error(`decryptSecret: malformed token (${what} is not base64url)`)
  const bytes = Buffer.from(value, 'base64url')
  // Refuse non-canonical encodings, so one stored value has exactly one spelling.
  if (bytes.toString('base64url') !== value) throw new Error(`decryptSecret: malformed token (${what} is not base64url)`)
  return bytes
}

/**
 * Decrypts a value made by encryptSecret. Throws an Error when the token is malformed, was made with another secret
 * or has been tampered with; never returns garbage.
 */
export function decryptSecret(token: string, secret: string | Buffer): string {
  if (typeof token !== 'string') throw new Error('decryptSecret: token must be a string')
  const parts = token.split(':')
  if (parts.length !== 4) throw new Error('decryptSecret: malformed token (expected v1:<iv>:<tag>:<ciphertext>)')
  const [version, ivPart, tagPart, dataPart] = parts as [string, string, string, string]
  if (version !== VERSION) throw new Error(`decryptSecret: unsupported token version "${version.slice(0, 10)}"`)
  const iv = decodePart(ivPart, 'iv')
  const tag = decodePart(tagPart, 'tag')
  const data = decodePart(dataPart, 'ciphertext')
  if (iv.length !== IV_BYTES) throw new Error('decryptSecret: malformed token (iv must be 12 bytes)')
  if (tag.length !== TAG_BYTES) throw new Error('decryptSecret: malformed token (tag must be 16 bytes)')
  const key = deriveKey(secret, ENCRYPTION_INFO)
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  decipher.setAAD(Buffer.from(VERSION, 'utf8'))
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8')
  } catch {
    throw new Error('decryptSecret: authentication failed (wrong secret, or the value was tampered with)')
  }
}
