// Secrets at rest (AES-256-GCM under an HKDF-derived key) and per-purpose HMAC keys.
import t from 'tap'
import { createDecipheriv, hkdfSync } from 'node:crypto'
import { decryptSecret, encryptSecret, hmacKey } from '../src/crypto.js'

const SECRET = 'test-secret-test-secret-test-secret-0123456789'
const OTHER_SECRET = 'another-secret-another-secret-another-secret'
const FORMAT = /^v1:([A-Za-z0-9_-]+):([A-Za-z0-9_-]+):([A-Za-z0-9_-]*)$/

/** Replace one colon-separated part of a token. */
function withPart(token: string, index: number, value: string): string {
  const parts = token.split(':')
  parts[index] = value
  return parts.join(':')
}

/** Flip one bit of the decoded part and re-encode it. */
function flipBit(token: string, index: number, byte = 0): string {
  const bytes = Buffer.from(token.split(':')[index] ?? '', 'base64url')
  bytes[byte] = (bytes[byte] ?? 0) ^ 1
  return withPart(token, index, bytes.toString('base64url'))
}

t.test('round trip', async (t) => {
  for (const plain of ['', 'p', 'pässwörd €ù 😊', 'x'.repeat(10_000), 'with:colons:inside', '\u0000\n\t']) {
    const token = encryptSecret(plain, SECRET)
    t.match(token, FORMAT)
    t.equal(decryptSecret(token, SECRET), plain)
  }
  // a Buffer secret works the same as its UTF-8 string
  t.equal(decryptSecret(encryptSecret('x', Buffer.from(SECRET)), SECRET), 'x')
})

t.test('format: v1, 12-byte IV, 16-byte tag, ciphertext as long as the plaintext', async (t) => {
  const token = encryptSecret('password123', SECRET)
  const m = FORMAT.exec(token)
  if (!m) throw new Error(token)
  t.equal(Buffer.from(m[1] ?? '', 'base64url').length, 12)
  t.equal(Buffer.from(m[2] ?? '', 'base64url').length, 16)
  t.equal(Buffer.from(m[3] ?? '', 'base64url').length, 11)
  t.notOk(token.includes('password123'))
})

t.test('the key is HKDF-SHA256(secret, info "trc-mailbox-password") and the version is authenticated', async (t) => {
  const token = encryptSecret('segreto', SECRET)
  const [, iv, tag, data] = token.split(':') as [string, string, string, string]
  const key = Buffer.from(hkdfSync('sha256', SECRET, Buffer.alloc(0), 'trc-mailbox-password', 32))
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
  decipher.setAAD(Buffer.from('v1'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  t.equal(Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8'), 'segreto')
})

t.test('random IV: encrypting twice gives different tokens', async (t) => {
  const tokens = new Set(Array.from({ length: 50 }, () => encryptSecret('same', SECRET)))
  t.equal(tokens.size, 50)
  t.equal(new Set([...tokens].map((x) => x.split(':')[1])).size, 50)
})

t.test('wrong secret', async (t) => {
  const token = encryptSecret('segreto', SECRET)
  t.throws(() => decryptSecret(token, OTHER_SECRET), { message: /authentication failed/ })
  t.throws(() => decryptSecret(token, SECRET.slice(0, -1)), { message: /authentication failed/ })
})

t.test('tampering', async (t) => {
  const token = encryptSecret('segreto', SECRET)
  t.throws(() => decryptSecret(flipBit(token, 1), SECRET), { message: /authentication failed/ }, 'iv')
  t.throws(() => decryptSecret(flipBit(token, 2), SECRET), { message: /authentication failed/ }, 'tag')
  t.throws(() => decryptSecret(flipBit(token, 3), SECRET), { message: /authentication failed/ }, 'ciphertext, first byte')
  t.throws(() => decryptSecret(flipBit(token, 3, 6), SECRET), { message: /authentication failed/ }, 'ciphertext, last byte')
  const data = Buffer.from(token.split(':')[3] ?? '', 'base64url')
  t.throws(
    () => decryptSecret(withPart(token, 3, data.subarray(0, -1).toString('base64url')), SECRET),
    { message: /authentication failed/ },
    'truncated ciphertext'
  )
  t.throws(
    () => decryptSecret(withPart(token, 3, Buffer.concat([data, Buffer.from([0])]).toString('base64url')), SECRET),
    { message: /authentication failed/ },
    'extended ciphertext'
  )
  // the ciphertext of another value under the same IV and tag
  const other = encryptSecret('altro!!', SECRET)
  t.throws(() => decryptSecret(withPart(token, 3, other.split(':')[3] ?? ''), SECRET), { message: /authentication failed/ }, 'swapped ciphertext')
})

t.test('malformed tokens', async (t) => {
  const token = encryptSecret('segreto', SECRET)
  const [, iv, tag] = token.split(':') as [string, string, string, string]
  for (const [bad, message] of [
    ['', /malformed/],
    ['segreto', /malformed/],
    ['v1:a:b', /malformed/],
    [`${token}:extra`, /malformed/],
    [withPart(token, 0, 'v2'), /unsupported token version/],
    [withPart(token, 0, 'V1'), /unsupported token version/],
    [withPart(token, 1, Buffer.from(iv, 'base64url').subarray(0, 11).toString('base64url')), /iv must be 12 bytes/],
    [withPart(token, 2, Buffer.from(tag, 'base64url').subarray(0, 15).toString('base64url')), /tag must be 16 bytes/],
    // 'AB' decodes to one zero byte but is not how that byte is encoded ('AA'): non-canonical spellings are refused
    [withPart(token, 1, 'AB'), /not base64url/],
    [withPart(token, 1, iv.slice(0, -1) + '+'), /not base64url/],
    [withPart(token, 2, tag + '='), /not base64url/],
    [withPart(token, 3, '!!'), /not base64url/]
  ] as const) {
    t.throws(() => decryptSecret(bad, SECRET), { message }, JSON.stringify(bad).slice(0, 40))
  }
  t.throws(() => decryptSecret(undefined as unknown as string, SECRET), { message: /must be a string/ })
  t.throws(() => encryptSecret('x', ''), { message: /secret must not be empty/ })
})

t.test('hmacKey: 32 bytes, stable, different per purpose and per secret, never the encryption key', async (t) => {
  const a = hmacKey(SECRET, 'threading-token')
  t.equal(a.length, 32)
  t.ok(a.equals(hmacKey(SECRET, 'threading-token')))
  t.notOk(a.equals(hmacKey(SECRET, 'unsubscribe-link')))
  t.notOk(a.equals(hmacKey(OTHER_SECRET, 'threading-token')))
  t.notOk(a.equals(Buffer.from(SECRET)))
  const encryptionKey = Buffer.from(hkdfSync('sha256', SECRET, Buffer.alloc(0), 'trc-mailbox-password', 32))
  t.notOk(hmacKey(SECRET, 'mailbox-password').equals(encryptionKey))
  t.notOk(hmacKey(SECRET, 'trc-mailbox-password').equals(encryptionKey))
  t.ok(a.equals(Buffer.from(hkdfSync('sha256', SECRET, Buffer.alloc(0), 'trc-hmac:threading-token', 32))))
  t.throws(() => hmacKey(SECRET, ''))
  t.throws(() => hmacKey('', 'x'))
})
