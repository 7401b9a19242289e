// Whether a PEC receipt (ricevuta) is genuine evidence about one of our outbound messages. Pure: the caller looks
// up the mailbox and the message. A receipt counts only when it arrived on a mailbox configured as PEC, comes
// from that mailbox's PEC provider (`posta-certificata@<provider domain>`), carries the provider's daticert.xml
// (DPR 68/2005, DM 2 novembre 2005) whose type matches X-Ricevuta and whose <msgid> names the message, and that
// message is ours, sent through this same mailbox. Anything else stays ordinary automatic mail. (The S/MIME
// signature is not verified: that needs the providers' certificates from the AgID list.)
import { DomUtils, parseDocument } from 'htmlparser2'
import { organizationalDomain } from '../domain/organizational-domain.js'
import { normaliseMessageId } from './message-id.js'
import type { ParsedMail } from './parse.js'
import type { PecReceipt } from './pec.js'

export interface Daticert {
  tipo: string
  errore: string | null
  /** The Message-ID of the original message the receipt is about (`<dati><msgid>`). */
  msgid: string | null
  consegna: string | null
}

/** Reads a daticert.xml; null when it is not one. */
export function readDaticert(xml: string): Daticert | null {
  const doc = parseDocument(xml, { xmlMode: true })
  const root = DomUtils.findOne((e) => e.name === 'postacert', doc.children, true)
  if (!root) return null
  const text = (name: string) => {
    const el = DomUtils.findOne((e) => e.name === name, root.children, true)
    const value = el ? DomUtils.textContent(el).trim() : ''
    return value || null
  }
  const msgid = text('msgid')
  return {
    tipo: (root.attribs.tipo ?? '').trim().toLowerCase(),
    errore: root.attribs.errore?.trim().toLowerCase() ?? null,
    msgid: msgid ? normaliseMessageId(msgid) : null,
    consegna: text('consegna')
  }
}

export interface PecMailboxFacts {
  pec: boolean
  imapHost: string
  smtpHost: string | null
  pecProviderDomain: string | null
}

/** Domains a genuine receipt for this mailbox may come from. */
export function providerDomains(mailbox: PecMailboxFacts): string[] {
  if (mailbox.pecProviderDomain) return [mailbox.pecProviderDomain.toLowerCase()]
  return [...new Set([organizationalDomain(mailbox.imapHost), organizationalDomain(mailbox.smtpHost)].filter((d): d is string => d !== null))]
}

export interface ReceiptFacts {
  receipt: PecReceipt
  mail: Pick<ParsedMail, 'from' | 'attachments'>
  /** The mailbox it arrived on; null when it did not come from a mailbox. */
  mailbox: (PecMailboxFacts & { id: number }) | null
  /** The stored message the receipt names, if any. */
  original: { direction: string; mailboxId: number | null } | null
}

/** Null when the receipt is genuine; otherwise why it is not (kept with the message). */
export function receiptRejection(facts: ReceiptFacts): string | null {
  const { receipt, mail, mailbox, original } = facts
  if (!mailbox?.pec) return 'ricevuta PEC su una casella non configurata come PEC'
  const from = mail.from?.address.toLowerCase() ?? ''
  const [local, domain] = [from.slice(0, from.lastIndexOf('@')), from.slice(from.lastIndexOf('@') + 1)]
  const domains = providerDomains(mailbox)
  if (local !== 'posta-certificata' || !domains.some((d) => domain === d || domain.endsWith(`.${d}`))) {
    return `ricevuta PEC non inviata dal gestore della casella (${from || 'mittente assente'})`
  }
  const xml = mail.attachments.find((a) => /(^|\/)daticert\.xml$/i.test(a.filename))
  const daticert = xml ? readDaticert(xml.content.toString('utf8')) : null
  if (!daticert) return 'ricevuta PEC senza daticert.xml'
  if (daticert.tipo !== receipt.type) return `daticert.xml di tipo "${daticert.tipo}", diverso da X-Ricevuta "${receipt.type}"`
  if (!daticert.msgid || daticert.msgid !== receipt.referenceMessageId) return 'daticert.xml non riferito al messaggio indicato'
  if (!original || original.direction !== 'outbound') return 'daticert.xml non riferito a un nostro messaggio'
  if (original.mailboxId !== mailbox.id) return 'il messaggio indicato non è stato inviato da questa casella PEC'
  return null
}
