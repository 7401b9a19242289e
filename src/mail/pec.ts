// Step 3 of the ingest pipeline: PEC (posta elettronica certificata). A PEC transport envelope wraps the real
// message as `postacert.eml` beside `daticert.xml` (the provider's certificate); receipts (X-Ricevuta) are
// delivery evidence for our own outbound mail, never new reports.
import { headerText, parseMail, type ParsedAttachment, type ParsedMail } from './parse.js'
import { normaliseMessageId } from './message-id.js'

export interface PecEnvelope {
  /** The citizen's original message, parsed from postacert.eml. */
  inner: ParsedMail
  /** daticert.xml and the signature, kept with the message as legal evidence. */
  evidence: ParsedAttachment[]
  transport: string
  envelopeMessageId: string | null
}

export type PecReceiptOutcome = 'accepted' | 'delivered' | 'failed' | 'info'

export interface PecReceipt {
  type: string
  outcome: PecReceiptOutcome
  /** Message-ID of our outbound message this receipt is about. */
  referenceMessageId: string | null
}

const FAILURES = new Set(['non-accettazione', 'errore-consegna', 'preavviso-errore-consegna', 'rilevazione-virus'])

function isPecTransport(mail: ParsedMail): boolean {
  return headerText(mail.headers, 'x-trasporto').trim().toLowerCase() === 'posta-certificata'
}

/** Unwraps a PEC transport envelope; null when the mail is not one or carries no postacert.eml. */
export async function unwrapPec(mail: ParsedMail): Promise<PecEnvelope | null> {
  if (!isPecTransport(mail)) return null
  const postacert =
    mail.attachments.find((a) => a.contentType === 'message/rfc822' && /postacert\.eml$/i.test(a.filename)) ??
    mail.attachments.find((a) => a.contentType === 'message/rfc822')
  if (!postacert) return null
  const inner = await parseMail(postacert.content)
  return {
    inner,
    evidence: mail.attachments.filter((a) => a !== postacert && (/daticert\.xml$/i.test(a.filename) || /smime\.p7s$/i.test(a.filename))),
    transport: 'posta-certificata',
    envelopeMessageId: mail.messageId
  }
}

export function readPecReceipt(mail: ParsedMail): PecReceipt | null {
  const type = headerText(mail.headers, 'x-ricevuta').trim().toLowerCase()
  if (!type) return null
  const ref = headerText(mail.headers, 'x-riferimento-message-id').trim()
  const outcome: PecReceiptOutcome = FAILURES.has(type) ? 'failed' : type === 'accettazione' ? 'accepted' : type === 'avvenuta-consegna' ? 'delivered' : 'info'
  return { type, outcome, referenceMessageId: ref ? normaliseMessageId(ref) : null }
}
