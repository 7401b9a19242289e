// Builders for real RFC 822 messages used by the tests: ordinary mail (nodemailer's MailComposer), a PEC
// transport envelope, a PEC receipt and a delivery status notification, as providers actually send them.
import MailComposer from 'nodemailer/lib/mail-composer'
import type Mail from 'nodemailer/lib/mailer'

export async function buildMail(options: Mail.Options): Promise<Buffer> {
  return new MailComposer({ date: new Date(), ...options }).compile().build()
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

/** A PEC receipt (ricevuta) about one of our messages. */
export function pecReceipt(type: 'accettazione' | 'avvenuta-consegna' | 'errore-consegna' | 'non-accettazione', referenceMessageId: string, to: string): Buffer {
  const lines = [
    `From: posta-certificata@pec.provider.test`,
    `To: ${to}`,
    `Subject: ${type === 'avvenuta-consegna' ? 'CONSEGNA' : type === 'accettazione' ? 'ACCETTAZIONE' : 'AVVISO DI MANCATA CONSEGNA'}: Risposta`,
    `Date: Mon, 2 Mar 2026 11:00:00 +0100`,
    `Message-ID: <ricevuta.${Date.now()}.${++counter}@pec.provider.test>`,
    `X-Ricevuta: ${type}`,
    `X-Riferimento-Message-ID: ${referenceMessageId.startsWith('<') ? referenceMessageId : `<${referenceMessageId}>`}`,
    `MIME-Version: 1.0`,
    `Content-Type: text/plain; charset=UTF-8`,
    ``,
    `Ricevuta di ${type}`,
    ``
  ]
  return Buffer.from(lines.join('\r\n'))
}

/** A DSN bounce (multipart/report) for a message we sent. */
export function deliveryStatusNotification(original: { messageId: string; to: string; from: string; subject: string }, diagnostic = '550 5.1.1 <user@example.test>: Recipient address rejected: User unknown'): Buffer {
  const b = boundary('report')
  const lines = [
    `Return-Path: <>`,
    `From: Mail Delivery System <MAILER-DAEMON@mx.example.test>`,
    `To: ${original.from}`,
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
