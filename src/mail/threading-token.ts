// osTicket-style threading: every outbound Message-ID carries the work order and message ids, signed with a key
// derived from the module secret, so a reply finds its work order through In-Reply-To/References even when the
// citizen rewrites the subject. The subject also carries a human-readable "[OdL #123]" reference (unsigned).
import { randomInt } from 'node:crypto'
import { domainToASCII } from 'node:url'
import { shortSignature, verifyShortSignature } from '../crypto.js'

const PREFIX = 'trc'
const HMAC_PURPOSE = 'threading-token'
const RANDOM_CHARS = 8
const SIGNATURE_CHARS = 16
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz'
const ID = String.raw`[1-9][0-9]{0,15}`
const TOKEN_LOCAL_PART = new RegExp(String.raw`^${PREFIX}\.(${ID})\.(${ID})\.([0-9a-z]{${RANDOM_CHARS}})\.([a-z2-7]{${SIGNATURE_CHARS}})$`)
const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i

export interface ThreadingToken {
  workOrderId: number
  messageId: number
}

export interface OutboundMessageIdInput extends ThreadingToken {
  /**
   * The right-hand side of the Message-ID, e.g. the mailbox's domain (lower-cased, IDN as punycode). Not signed:
   * only the local part is. Throws when it is not a host name.
   */
  domain: string
  /** The module secret; the signing key is derived from it with hmacKey(secret, 'threading-token'). */
  secret: string
}

/** 16 base32 characters (80 bits) of HMAC-SHA256 over `trc.<workOrderId>.<messageId>.<random>`. */
function signature(signed: string, secret: string): string {
  return shortSignature(secret, HMAC_PURPOSE, signed, SIGNATURE_CHARS)
}

function assertId(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`createOutboundMessageId: ${name} must be a positive integer`)
}

/**
 * A signed Message-ID for an outbound message: `<trc.{workOrderId}.{messageId}.{random}.{signature}@{domain}>`.
 * The random part keeps two ids for the same message distinct (a resend is a new Message-ID).
 */
export function createOutboundMessageId(input: OutboundMessageIdInput): string {
  assertId(input.workOrderId, 'workOrderId')
  assertId(input.messageId, 'messageId')
  // Internationalised domains go out in their ASCII (punycode) form; domainToASCII answers '' when invalid.
  const domain = domainToASCII(input.domain.trim().toLowerCase())
  if (!DOMAIN.test(domain)) throw new Error('createOutboundMessageId: domain must be a host name')
  let random = ''
  for (let i = 0; i < RANDOM_CHARS; i++) random += BASE36[randomInt(36)]
  const signed = `${PREFIX}.${input.workOrderId}.${input.messageId}.${random}`
  return `<${signed}.${signature(signed, input.secret)}@${domain}>`
}

/**
 * The work order and message a Message-ID of ours refers to, or null when it is not ours, malformed, signed with
 * another secret or tampered with. Accepts the id with or without angle brackets and in any letter case (only the
 * local part is signed, so the domain is not checked: any domain is accepted).
 */
export function verifyMessageIdToken(messageId: string, secret: string): ThreadingToken | null {
  if (typeof messageId !== 'string' || messageId.length > 998) return null
  const bare = messageId.trim().replace(/^<+/, '').replace(/>+$/, '').trim()
  const at = bare.lastIndexOf('@')
  if (at <= 0) return null
  const match = TOKEN_LOCAL_PART.exec(bare.slice(0, at).toLowerCase())
  if (!match) return null
  const [, workOrder, message, random, given] = match as unknown as [string, string, string, string, string]
  if (!verifyShortSignature(given, secret, HMAC_PURPOSE, `${PREFIX}.${workOrder}.${message}.${random}`, SIGNATURE_CHARS)) return null
  const workOrderId = Number(workOrder)
  const messageNumber = Number(message)
  if (!Number.isSafeInteger(workOrderId) || !Number.isSafeInteger(messageNumber)) return null
  return { workOrderId, messageId: messageNumber }
}

/**
 * The first id (in the order given) that is a valid token of ours. Pass In-Reply-To first, then References from the
 * end (newest first). Entries may be bare ids, bracketed ids or whole header values holding several ids.
 */
export function findWorkOrderToken(ids: readonly string[], secret: string): ThreadingToken | null {
  for (const entry of ids) {
    if (typeof entry !== 'string') continue
    const candidates = entry.match(/<[^<>]*>/g) ?? entry.split(/\s+/)
    for (const candidate of candidates) {
      const token = verifyMessageIdToken(candidate, secret)
      if (token) return token
    }
  }
  return null
}

// ---------------------------------------------------------------------------------------------------------------
// Subject references
// ---------------------------------------------------------------------------------------------------------------

/** `[OdL #123]`, `[ODL#123]`, `[odl 123]`, `[OdL123]`: bracketed only, case-insensitive. */
const SUBJECT_REFERENCE = /\[\s*odl\s*#?\s*([1-9][0-9]{0,15})\s*\]/i
const SUBJECT_REFERENCE_ALL = new RegExp(SUBJECT_REFERENCE.source, 'gi')

/**
 * Reply/forward prefixes: Re, RE, Re[2], Fwd, Fw, the Italian Outlook R (risposta), I (inoltro) and Rif, and the
 * German Outlook AW/WG. Only at the start of the subject and only with their colon.
 */
const REPLY_PREFIX = /^\s*(?:re|r|rif|fwd?|i|aw|wg)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*/i

/** The subject reference for a work order: `[OdL #123]`. */
export function subjectReference(workOrderId: number): string {
  if (!Number.isSafeInteger(workOrderId) || workOrderId < 1) throw new Error('subjectReference: workOrderId must be a positive integer')
  return `[OdL #${workOrderId}]`
}

/**
 * The work order a subject refers to through a bracketed reference, or null. Unsigned: anyone can type it, so
 * callers must only trust it together with another check (e.g. the sender is that work order's contributor).
 */
export function parseSubjectReference(subject: string | null | undefined): number | null {
  if (typeof subject !== 'string') return null
  const match = SUBJECT_REFERENCE.exec(subject)
  if (!match?.[1]) return null
  const id = Number(match[1])
  return Number.isSafeInteger(id) ? id : null
}

/**
 * The subject of a reply: `Re: <original> [OdL #123]`, with any stack of reply/forward prefixes (Re:, RE:, R:,
 * Fwd:, I:, ...) and any existing work order reference removed first, whitespace (and line breaks) collapsed.
 */
export function replySubject(originalSubject: string | null | undefined, workOrderId: number): string {
  const reference = subjectReference(workOrderId)
  let subject = (originalSubject ?? '').replace(/[\s\u00A0]+/g, ' ')
  subject = subject.replace(SUBJECT_REFERENCE_ALL, ' ').replace(/\s+/g, ' ').trim()
  for (;;) {
    const stripped = subject.replace(REPLY_PREFIX, '')
    if (stripped === subject) break
    subject = stripped.trim()
  }
  return subject === '' ? `Re: ${reference}` : `Re: ${subject} ${reference}`
}
