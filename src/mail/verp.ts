// Signed VERP return paths. A delivery status notification goes back to the envelope sender (MAIL FROM), so every
// outbound mail leaves with its own: `local+trc-<outboxId>-<signature>@domain` of its From address. A DSN counts
// as the failure of a mail only when it came back to the return path signed for that mail: anyone can write our
// Message-ID into a fake multipart/report, nobody can make up the signature. (Whoever received or relayed the mail
// saw its return path and could still forge a report about that one mail, and only that one.) Pure: no I/O.
import { shortSignature, verifyShortSignature } from '../crypto.js'
import type { ParsedMail } from './parse.js'

const PURPOSE = 'verp'
const SIGNATURE_CHARS = 12
/** RFC 5321 §4.5.3.1.1: a local part has at most 64 octets. */
const MAX_LOCAL_PART = 64
const TAG = new RegExp(String.raw`\+trc-([1-9][0-9]{0,15})-([a-z2-7]{${SIGNATURE_CHARS}})$`, 'i')
const ADDRESS = /[^\s<>(),;:"]+@[^\s<>(),;:"]+/g
/**
 * Where the address a mail arrived for shows in the stored message: Delivered-To (Postfix local/virtual/pipe,
 * Dovecot LMTP, Gmail), X-Original-To (Postfix), Envelope-To / X-Envelope-To (Exim and others), and To, which the
 * MTAs writing DSNs (Postfix, Sendmail, Exchange, Gmail) address to the envelope sender.
 */
const RECIPIENT_HEADERS = ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to', 'to']

const signed = (outboxId: number) => `trc-${outboxId}`

/** The bare address of a From value (`"Ufficio" <tari@x.it>` → `tari@x.it`); null when there is none. */
function bareAddress(from: string): string | null {
  const match = /<([^<>@\s]+@[^<>@\s]+)>\s*$/.exec(from) ?? /^\s*([^<>@\s]+@[^<>@\s]+)\s*$/.exec(from)
  return match?.[1] ?? null
}

/**
 * The signed return path of outbox row `outboxId` sent from `from`; null when From has no address or the tagged
 * local part would be too long (the mail then leaves with the plain From address as its envelope sender).
 */
export function verpAddress(from: string, outboxId: number, secret: string): string | null {
  if (!Number.isSafeInteger(outboxId) || outboxId < 1) throw new Error('verpAddress: outboxId must be a positive integer')
  const address = bareAddress(from)
  if (!address) return null
  const at = address.lastIndexOf('@')
  const local = `${address.slice(0, at)}+${signed(outboxId)}-${shortSignature(secret, PURPOSE, signed(outboxId), SIGNATURE_CHARS)}`
  return local.length > MAX_LOCAL_PART ? null : `${local}@${address.slice(at + 1)}`
}

/**
 * The envelope sender of a mail: its signed return path, except from a PEC mailbox (PEC providers accept only
 * the mailbox itself as sender, and report failures with receipts, not DSNs) or a mailbox whose relay refuses or
 * rewrites a tagged envelope sender (`verp: false`).
 */
export function returnPathFor(from: string, outboxId: number, mailbox: { pec: boolean; verp: boolean } | null, secret: string): string | null {
  if (mailbox && (mailbox.pec || !mailbox.verp)) return null
  return verpAddress(from, outboxId, secret)
}

/** The outbox row a return path was signed for; null when it is not one of ours or the signature does not match. */
export function verpOutboxId(address: string, secret: string): number | null {
  const at = address.lastIndexOf('@')
  if (at <= 0 || address.length > 320) return null
  const match = TAG.exec(address.slice(0, at))
  if (!match) return null
  const [, id, signature] = match as unknown as [string, string, string]
  const outboxId = Number(id)
  return verifyShortSignature(signature, secret, PURPOSE, signed(outboxId), SIGNATURE_CHARS) ? outboxId : null
}

function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(texts)
  if (value && typeof value === 'object' && 'text' in value && typeof value.text === 'string') return [value.text]
  if (value && typeof value === 'object' && 'value' in value) return texts(value.value)
  if (value && typeof value === 'object' && 'address' in value && typeof value.address === 'string') return [value.address]
  return []
}

/** The outbox row whose signed return path this mail was addressed to, as the stored headers show it; or null. */
export function returnPathOutboxId(mail: Pick<ParsedMail, 'headers'>, secret: string): number | null {
  for (const name of RECIPIENT_HEADERS) {
    for (const text of texts(mail.headers.get(name))) {
      for (const address of text.match(ADDRESS) ?? []) {
        const id = verpOutboxId(address, secret)
        if (id !== null) return id
      }
    }
  }
  return null
}
