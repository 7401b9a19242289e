// Message-ID normalisation and the dedupe key stored (and indexed) in place of the raw, unbounded header.
import { createHash } from 'node:crypto'

/** `<Abc@Host>` and `abc@host` are the same id: strip brackets and spaces, keep case of the local part. */
export function normaliseMessageId(value: string): string {
  const trimmed = value.trim().replace(/^<+/, '').replace(/>+$/, '').trim()
  const at = trimmed.lastIndexOf('@')
  return at === -1 ? trimmed : trimmed.slice(0, at) + '@' + trimmed.slice(at + 1).toLowerCase()
}

/** sha256 hex of the normalised Message-ID: the `dedupe_key` column. */
export function messageIdKey(messageId: string): string {
  return createHash('sha256').update(normaliseMessageId(messageId)).digest('hex')
}

/** A dedupe key for messages that have no Message-ID of their own (web form, app, notes). */
export function syntheticKey(...parts: Array<string | number>): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex')
}

/** Every Message-ID in a References/In-Reply-To header value, in order. */
export function parseMessageIdList(value: string | string[] | null | undefined): string[] {
  if (!value) return []
  const text = Array.isArray(value) ? value.join(' ') : value
  const ids = text.match(/<[^<>\s]+>/g)
  if (ids) return ids.map(normaliseMessageId)
  return text
    .split(/\s+/)
    .filter((t) => t.includes('@'))
    .map(normaliseMessageId)
}

/**
 * A fingerprint of what a message says: subject, bodies and every attachment (name and bytes). Two fetches of one
 * message agree on it whatever their transport headers; a scanner that reuses a subject (or a Message-ID) with a
 * different PDF does not.
 */
export function contentFingerprint(mail: {
  subject: string | null
  text: string | null
  html: string | null
  attachments: ReadonlyArray<{ filename: string; sha256: string; size: number }>
}): string {
  const hash = createHash('sha256')
    .update(mail.subject ?? '')
    .update('\u0000')
    .update(mail.text ?? '')
    .update('\u0000')
    .update(mail.html ?? '')
  for (const a of mail.attachments) hash.update(`\u0000${a.filename}\u0001${a.sha256}\u0001${a.size}`)
  return hash.digest('hex')
}
