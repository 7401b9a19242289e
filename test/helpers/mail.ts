// Builders for real RFC 822 messages used by the tests: ordinary mail (nodemailer's MailComposer), a PEC
// transport envelope, a PEC receipt and a delivery status notification, as providers actually send them.
import { readFileSync } from 'node:fs'
import MailComposer from 'nodemailer/lib/mail-composer'
import type Mail from 'nodemailer/lib/mailer'

/** The authserv-id of the test's receiving server: it writes the Authentication-Results header of test mail. */
export const TEST_AUTHSERV_ID = 'mx.test.local'

/**
 * The Authentication-Results header the receiving server adds to mail it authenticated (DMARC pass for the From
 * domain), as `buildMail` adds it unless `authenticated: false`: a confirmation goes only to such senders.
 */
export function authenticatedHeader(from: Mail.Options['from'], authservId = TEST_AUTHSERV_ID): string {
  const first: unknown = Array.isArray(from) ? from[0] : from
  const address = typeof first === 'string' ? (/<([^>]+)>/.exec(first)?.[1] ?? first) : String((first as { address?: string } | undefined)?.address ?? '')
  const domain = address
    .slice(address.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase()
  return `${authservId}; spf=pass smtp.mailfrom=${domain}; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=${domain}`
}

export async function buildMail(options: Mail.Options, { authenticated = true }: { authenticated?: boolean } = {}): Promise<Buffer> {
  const headers =
    authenticated && options.from
      ? { 'Authentication-Results': authenticatedHeader(options.from), ...(options.headers as Record<string, string> | undefined) }
      : options.headers
  return new MailComposer({ date: new Date(), ...options, headers }).compile().build()
}

let counter = 0
const boundary = (name: string) => `----=_${name}_${Date.now()}_${++counter}`

/** A PEC "posta-certificata" envelope around an original message, as Italian PEC providers emit it. */
export function pecEnvelope(original: Buffer, opts: { from: string; to: string; subject: string; messageId?: string }): Buffer {
  const signed = boundary('signed')
  const mixed = boundary('mixed')
  const id = opts.messageId ?? `<opec21.${Date.now()}.${counter}@pec.provider.test>`
  const daticert = `<?xml version="1.0" encoding="UTF-8"?>
<postacert tipo="posta-certificata" errore="nessuno">
  <intestazione><mittente>${opts.from}</mittente><destinatari tipo="certificato">${opts.to}</destinatari><oggetto>${opts.subject}</oggetto></intestazione>
  <dati><gestore-emittente>PEC Provider S.p.A.</gestore-emittente><data zona="+0100"><giorno>02/03/2026</giorno><ora>10:15:00</ora></data>
  <identificativo>${id.replace(/[<>]/g, '')}</identificativo></dati>
</postacert>`
  const lines = [
    `Authentication-Results: ${authenticatedHeader('posta-certificata@pec.provider.test')}`,
    `Return-Path: <posta-certificata@pec.provider.test>`,
    `From: "Per conto di: ${opts.from}" <posta-certificata@pec.provider.test>`,
    `Reply-To: ${opts.from}`,
    `To: ${opts.to}`,
    `Subject: POSTA CERTIFICATA: ${opts.subject}`,
    `Date: Mon, 2 Mar 2026 10:15:00 +0100`,
    `Message-ID: ${id}`,
    `X-Trasporto: posta-certificata`,
    `X-Riferimento-Message-ID: <orig.${counter}@mittente.test>`,
    `MIME-Version: 1.0`,
    `Content-Type: multipart/signed; protocol="application/x-pkcs7-signature"; micalg=sha-256; boundary="${signed}"`,
    ``,
    `--${signed}`,
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    ``,
    `--${mixed}`,
    `Content-Type: text/plain; charset=UTF-8`,
    `Content-Transfer-Encoding: 8bit`,
    ``,
    `Messaggio di posta certificata`,
    `Il giorno 02/03/2026 alle ore 10:15:00 (+0100) il messaggio "${opts.subject}" è stato inviato da "${opts.from}" indirizzato a: ${opts.to}`,
    `Il messaggio originale è incluso in allegato.`,
    ``,
    `--${mixed}`,
    `Content-Type: application/xml; name="daticert.xml"`,
    `Content-Disposition: inline; filename="daticert.xml"`,
    `Content-Transfer-Encoding: 7bit`,
    ``,
    daticert,
    ``,
    `--${mixed}`,
    `Content-Type: message/rfc822; name="postacert.eml"`,
    `Content-Disposition: inline; filename="postacert.eml"`,
    ``,
    original.toString('utf8').replace(/\r?\n/g, '\r\n'),
    `--${mixed}--`,
    ``,
    `--${signed}`,
    `Content-Type: application/x-pkcs7-signature; name="smime.p7s"`,
    `Content-Transfer-Encoding: base64`,
    `Content-Disposition: attachment; filename="smime.p7s"`,
    ``,
    Buffer.from('not a real signature').toString('base64'),
    `--${signed}--`,
    ``
  ]
  return Buffer.from(lines.join('\r\n'), 'utf8')
}

export type PecReceiptType = 'accettazione' | 'avvenuta-consegna' | 'errore-consegna' | 'non-accettazione'

export interface PecReceiptOptions {
  /** The provider's address (default posta-certificata@pec.provider.test). */
  from?: string
  /** Include daticert.xml (default true); false: only the X-Ricevuta headers, as a forger would write them. */
  daticert?: boolean
  /** The message daticert.xml names (default: the referenced one). */
  daticertMsgid?: string
  /** The recipient the receipt is about. */
  recipient?: string
  subject?: string
}

/**
 * A PEC receipt (ricevuta) about one of our messages, shaped as DM 2 novembre 2005 prescribes: X-Ricevuta and
 * X-Riferimento-Message-ID headers, a multipart/signed body holding the human notice and the provider's
 * daticert.xml (postacert tipo=…, <dati><msgid>), and the S/MIME signature.
 */
export function pecReceipt(type: PecReceiptType, referenceMessageId: string, to: string, opts: PecReceiptOptions = {}): Buffer {
  const ref = referenceMessageId.startsWith('<') ? referenceMessageId : `<${referenceMessageId}>`
  const from = opts.from ?? 'posta-certificata@pec.provider.test'
  const recipient = opts.recipient ?? 'mario.rossi@pec.example.test'
  const subject = opts.subject ?? 'Risposta'
  const label = {
    accettazione: 'ACCETTAZIONE',
    'avvenuta-consegna': 'CONSEGNA',
    'errore-consegna': 'AVVISO DI MANCATA CONSEGNA',
    'non-accettazione': 'AVVISO DI NON ACCETTAZIONE'
  }[type]
  const failed = type === 'errore-consegna' || type === 'non-accettazione'
  const msgid = (opts.daticertMsgid ?? ref).replace(/</g, '&lt;').replace(/>/g, '&gt;')
  const id = `opec21.${Date.now()}.${++counter}@pec.provider.test`
  const daticert = `<?xml version="1.0" encoding="UTF-8"?>
<postacert tipo="${type}" errore="${failed ? 'no-dest' : 'nessuno'}">
  <intestazione>
    <mittente>${to}</mittente>
    <destinatari tipo="certificato">${recipient}</destinatari>
    <risposte>${to}</risposte>
    <oggetto>${subject}</oggetto>
  </intestazione>
  <dati>
    <gestore-emittente>PEC Provider S.p.A.</gestore-emittente>
    <data zona="+0100"><giorno>02/03/2026</giorno><ora>11:00:00</ora></data>
    <identificativo>${id}</identificativo>
    <msgid>${msgid}</msgid>${type === 'avvenuta-consegna' ? `\n    <ricevuta tipo="completa" />\n    <consegna>${recipient}</consegna>` : ''}${failed ? `\n    <consegna>${recipient}</consegna>\n    <errore-esteso>5.1.1 - Casella del destinatario inesistente</errore-esteso>` : ''}
  </dati>
</postacert>`
  const notice =
    type === 'accettazione'
      ? `Ricevuta di accettazione\r\n\r\nIl giorno 02/03/2026 alle ore 11:00:00 (+0100) il messaggio "${subject}" proveniente da "${to}" ed indirizzato a: ${recipient} ("posta certificata") è stato accettato dal sistema ed inoltrato.\r\nIdentificativo messaggio: ${id}`
      : type === 'avvenuta-consegna'
        ? `Ricevuta di avvenuta consegna\r\n\r\nIl giorno 02/03/2026 alle ore 11:00:05 (+0100) il messaggio "${subject}" proveniente da "${to}" ed indirizzato a "${recipient}" è stato consegnato nella casella di destinazione.\r\nIdentificativo messaggio: ${id}`
        : `Avviso di mancata consegna\r\n\r\nIl giorno 02/03/2026 alle ore 11:00:05 (+0100) nel messaggio "${subject}" proveniente da "${to}" ed indirizzato a "${recipient}" è stato rilevato un problema che ne impedisce la consegna (5.1.1 - Casella del destinatario inesistente).\r\nIdentificativo messaggio: ${id}`
  const head = [
    `Return-Path: <${from}>`,
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${label}: ${subject}`,
    `Date: Mon, 2 Mar 2026 11:00:00 +0100`,
    `Message-ID: <${id}>`,
    `X-Ricevuta: ${type}`,
    `X-Riferimento-Message-ID: ${ref}`,
    ...(type === 'avvenuta-consegna' ? ['X-TipoRicevuta: completa'] : []),
    `MIME-Version: 1.0`
  ]
  if (opts.daticert === false)
    return Buffer.from([...head, `Content-Type: text/plain; charset=UTF-8`, `Content-Transfer-Encoding: 8bit`, ``, notice, ``].join('\r\n'))
  const signed = boundary('signed')
  const mixed = boundary('mixed')
  return Buffer.from(
    [
      ...head,
      `Content-Type: multipart/signed; protocol="application/x-pkcs7-signature"; micalg=sha-256; boundary="${signed}"`,
      ``,
      `--${signed}`,
      `Content-Type: multipart/mixed; boundary="${mixed}"`,
      ``,
      `--${mixed}`,
      `Content-Type: text/plain; charset=UTF-8`,
      `Content-Transfer-Encoding: 8bit`,
      ``,
      notice,
      ``,
      `--${mixed}`,
      `Content-Type: application/xml; name="daticert.xml"`,
      `Content-Disposition: inline; filename="daticert.xml"`,
      `Content-Transfer-Encoding: 7bit`,
      ``,
      daticert,
      ``,
      `--${mixed}--`,
      ``,
      `--${signed}`,
      `Content-Type: application/x-pkcs7-signature; name="smime.p7s"`,
      `Content-Transfer-Encoding: base64`,
      `Content-Disposition: attachment; filename="smime.p7s"`,
      ``,
      Buffer.from('not a real signature').toString('base64'),
      `--${signed}--`,
      ``
    ].join('\r\n'),
    'utf8'
  )
}

/** A DSN bounce (multipart/report) for a message we sent, addressed to `returnPath` (default: its From address). */
export function deliveryStatusNotification(
  original: { messageId: string; to: string; from: string; subject: string; returnPath?: string },
  diagnostic = '550 5.1.1 <user@example.test>: Recipient address rejected: User unknown'
): Buffer {
  const b = boundary('report')
  const lines = [
    `Return-Path: <>`,
    `From: Mail Delivery System <MAILER-DAEMON@mx.example.test>`,
    `To: ${original.returnPath ?? original.from}`,
    `Subject: Undelivered Mail Returned to Sender`,
    `Date: Mon, 2 Mar 2026 12:00:00 +0100`,
    `Message-ID: <dsn.${Date.now()}.${++counter}@mx.example.test>`,
    `Auto-Submitted: auto-replied`,
    `MIME-Version: 1.0`,
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
    ``,
    `--${b}`,
    `Content-Type: text/plain; charset=us-ascii`,
    ``,
    `I'm sorry to have to inform you that your message could not be delivered.`,
    ``,
    `--${b}`,
    `Content-Type: message/delivery-status`,
    ``,
    `Reporting-MTA: dns; mx.example.test`,
    ``,
    `Final-Recipient: rfc822; ${original.to}`,
    `Action: failed`,
    `Status: 5.1.1`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    ``,
    `--${b}`,
    `Content-Type: text/rfc822-headers`,
    ``,
    `From: ${original.from}`,
    `To: ${original.to}`,
    `Subject: ${original.subject}`,
    `Message-ID: ${original.messageId.startsWith('<') ? original.messageId : `<${original.messageId}>`}`,
    ``,
    `--${b}--`,
    ``
  ]
  return Buffer.from(lines.join('\r\n'))
}

const CORPUS = new URL('../../../shared/corpus/', import.meta.url)

/**
 * A real DSN from the shared corpus (rt/multipart-report: Sendmail, RFC 3464 with the original message attached),
 * made about one of our messages: addressed to `to`, the failed recipient `recipient`, the original's From and
 * Message-ID ours. Everything else is as the MTA wrote it.
 */
export function corpusBounce(opts: { to: string; recipient: string; from: string; originalMessageId: string; headers?: Record<string, string> }): Buffer {
  const id = opts.originalMessageId.startsWith('<') ? opts.originalMessageId : `<${opts.originalMessageId}>`
  const raw = readFileSync(new URL('rt/multipart-report', CORPUS), 'utf8')
    .replace('Message-Id: <200308221615.CGA36111@mailbox.other.example.com>', `Message-Id: <${Date.now()}.${++counter}.CGA36111@mailbox.other.example.com>`)
    .replace('To: support@example.com', `To: ${opts.to}`)
    .replace('Final-Recipient: RFC822; jesmund@mailbox.other.example.com', `Final-Recipient: RFC822; ${opts.recipient}`)
    .replace('Message-Id: <200308221615.h7MGFGac020135@mx12.other.example.com>', `Message-Id: ${id}`)
    .replace('From: <support@example.com>', `From: <${opts.from}>`)
    .replace('To: <jesmund@other.example.com>', `To: <${opts.recipient}>`)
  const extra = Object.entries(opts.headers ?? {})
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('')
  return Buffer.from(extra + raw)
}
