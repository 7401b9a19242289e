// Raw RFC 5322 messages for the demo seed, built the way real senders build them: ordinary mail (nodemailer's
// MailComposer), a PEC transport envelope around the citizen's postacert.eml, and a PEC provider's receipt. Every
// field is given by the caller (dates, Message-IDs, boundaries), so the demo is byte-for-byte the same each time.
import { crc32, deflateSync } from 'node:zlib'
import MailComposer from 'nodemailer/lib/mail-composer/index.js'

/** The authserv-id of the demo's receiving server: its Authentication-Results are believed (see the mailboxes). */
export const DEMO_AUTHSERV_ID = 'mx.garbage.example.test'
/** The PEC provider of the demo's certified mailbox: its receipts come from posta-certificata@ this domain. */
export const DEMO_PEC_PROVIDER = 'gestorepec.example.test'

export interface DemoFile {
  filename: string
  contentType: string
  content: Buffer
}

export interface DemoMail {
  from: string
  to: string
  subject: string
  text: string
  date: Date
  messageId: string
  inReplyTo?: string | null
  references?: string[]
  attachments?: DemoFile[]
  /** false: the receiving server could not vouch for the sender (no Authentication-Results). */
  authenticated?: boolean
}

const domainOf = (address: string) => (/<([^>]+)>/.exec(address)?.[1] ?? address).split('@')[1]?.toLowerCase() ?? ''

/** An ordinary mail as it arrives in the office mailbox, with the receiving server's Authentication-Results. */
export async function buildDemoMail(mail: DemoMail): Promise<Buffer> {
  const domain = domainOf(mail.from)
  const headers: Record<string, string> =
    mail.authenticated === false ? {} : { 'Authentication-Results': `${DEMO_AUTHSERV_ID}; spf=pass smtp.mailfrom=${domain}; dmarc=pass header.from=${domain}` }
  return new MailComposer({
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    date: mail.date,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo ?? undefined,
    references: mail.references?.length ? mail.references : undefined,
    headers,
    attachments: (mail.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content }))
  })
    .compile()
    .build()
}

const romeParts = (date: Date) => {
  const f = new Intl.DateTimeFormat('it-IT', {
    timeZone: 'Europe/Rome',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit'
  })
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]))
  return { day: `${p.day}/${p.month}/${p.year}`, time: `${p.hour}:${p.minute}:${p.second}` }
}

const multipartSigned = (head: string[], parts: string[], tag: string): Buffer => {
  const signed = `----=_signed_${tag}`
  const mixed = `----=_mixed_${tag}`
  const body = [
    ...head,
    `MIME-Version: 1.0`,
    `Content-Type: multipart/signed; protocol="application/x-pkcs7-signature"; micalg=sha-256; boundary="${signed}"`,
    ``,
    `--${signed}`,
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    ``,
    ...parts.flatMap((p) => [`--${mixed}`, p]),
    `--${mixed}--`,
    ``,
    `--${signed}`,
    `Content-Type: application/x-pkcs7-signature; name="smime.p7s"`,
    `Content-Transfer-Encoding: base64`,
    `Content-Disposition: attachment; filename="smime.p7s"`,
    ``,
    Buffer.from('firma dimostrativa del gestore PEC').toString('base64'),
    `--${signed}--`,
    ``
  ]
  return Buffer.from(body.join('\r\n'), 'utf8')
}

/** The citizen's PEC provider's transport envelope ("POSTA CERTIFICATA: …") holding their message as postacert.eml. */
export function buildPecEnvelope(
  original: Buffer,
  opts: { from: string; to: string; subject: string; date: Date; envelopeId: string; provider: string }
): Buffer {
  const { day, time } = romeParts(opts.date)
  const id = opts.envelopeId.replace(/[<>]/g, '')
  const daticert = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<postacert tipo="posta-certificata" errore="nessuno">`,
    `  <intestazione><mittente>${opts.from}</mittente><destinatari tipo="certificato">${opts.to}</destinatari><oggetto>${opts.subject}</oggetto></intestazione>`,
    `  <dati><gestore-emittente>Gestore PEC del cittadino (demo)</gestore-emittente><data zona="+0100"><giorno>${day}</giorno><ora>${time}</ora></data>`,
    `  <identificativo>${id}</identificativo></dati>`,
    `</postacert>`
  ].join('\r\n')
  const provider = `posta-certificata@${opts.provider}`
  return multipartSigned(
    [
      `Authentication-Results: ${DEMO_AUTHSERV_ID}; spf=pass smtp.mailfrom=${opts.provider}; dmarc=pass header.from=${opts.provider}`,
      `Return-Path: <${provider}>`,
      `From: "Per conto di: ${opts.from}" <${provider}>`,
      `Reply-To: ${opts.from}`,
      `To: ${opts.to}`,
      `Subject: POSTA CERTIFICATA: ${opts.subject}`,
      `Date: ${opts.date.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <${id}>`,
      `X-Trasporto: posta-certificata`
    ],
    [
      [
        `Content-Type: text/plain; charset=UTF-8`,
        `Content-Transfer-Encoding: 8bit`,
        ``,
        `Messaggio di posta certificata`,
        `Il giorno ${day} alle ore ${time} (+0100) il messaggio "${opts.subject}" è stato inviato da "${opts.from}" indirizzato a: ${opts.to}`,
        `Il messaggio originale è incluso in allegato.`,
        ``
      ].join('\r\n'),
      [
        `Content-Type: application/xml; name="daticert.xml"`,
        `Content-Disposition: inline; filename="daticert.xml"`,
        `Content-Transfer-Encoding: 8bit`,
        ``,
        daticert,
        ``
      ].join('\r\n'),
      [
        `Content-Type: message/rfc822; name="postacert.eml"`,
        `Content-Disposition: inline; filename="postacert.eml"`,
        ``,
        original.toString('utf8').replace(/\r?\n/g, '\r\n')
      ].join('\r\n')
    ],
    id.replace(/[^A-Za-z0-9]/g, '')
  )
}

/** Our PEC provider's receipt (accettazione, avvenuta-consegna) about one of our certified messages. */
export function buildPecReceipt(
  type: 'accettazione' | 'avvenuta-consegna',
  opts: { referenceMessageId: string; ourAddress: string; recipient: string; subject: string; date: Date; receiptId: string }
): Buffer {
  const { day, time } = romeParts(opts.date)
  const ref = opts.referenceMessageId.startsWith('<') ? opts.referenceMessageId : `<${opts.referenceMessageId}>`
  const id = opts.receiptId.replace(/[<>]/g, '')
  const provider = `posta-certificata@${DEMO_PEC_PROVIDER}`
  const delivered = type === 'avvenuta-consegna'
  const daticert = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<postacert tipo="${type}" errore="nessuno">`,
    `  <intestazione><mittente>${opts.ourAddress}</mittente><destinatari tipo="certificato">${opts.recipient}</destinatari><oggetto>${opts.subject}</oggetto></intestazione>`,
    `  <dati><gestore-emittente>Gestore PEC Garbage (demo)</gestore-emittente><data zona="+0100"><giorno>${day}</giorno><ora>${time}</ora></data>`,
    `  <identificativo>${id}</identificativo><msgid>${ref.replace(/</g, '&lt;').replace(/>/g, '&gt;')}</msgid>${delivered ? `<ricevuta tipo="completa" /><consegna>${opts.recipient}</consegna>` : ''}</dati>`,
    `</postacert>`
  ].join('\r\n')
  const notice = delivered
    ? `Ricevuta di avvenuta consegna\r\n\r\nIl giorno ${day} alle ore ${time} (+0100) il messaggio "${opts.subject}" proveniente da "${opts.ourAddress}" ed indirizzato a "${opts.recipient}" è stato consegnato nella casella di destinazione.\r\nIdentificativo messaggio: ${id}`
    : `Ricevuta di accettazione\r\n\r\nIl giorno ${day} alle ore ${time} (+0100) il messaggio "${opts.subject}" proveniente da "${opts.ourAddress}" ed indirizzato a: ${opts.recipient} ("posta certificata") è stato accettato dal sistema ed inoltrato.\r\nIdentificativo messaggio: ${id}`
  return multipartSigned(
    [
      `Return-Path: <${provider}>`,
      `From: ${provider}`,
      `To: ${opts.ourAddress}`,
      `Subject: ${delivered ? 'CONSEGNA' : 'ACCETTAZIONE'}: ${opts.subject}`,
      `Date: ${opts.date.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <${id}>`,
      `X-Ricevuta: ${type}`,
      `X-Riferimento-Message-ID: ${ref}`,
      ...(delivered ? ['X-TipoRicevuta: completa'] : [])
    ],
    [
      [`Content-Type: text/plain; charset=UTF-8`, `Content-Transfer-Encoding: 8bit`, ``, notice, ``].join('\r\n'),
      [
        `Content-Type: application/xml; name="daticert.xml"`,
        `Content-Disposition: inline; filename="daticert.xml"`,
        `Content-Transfer-Encoding: 8bit`,
        ``,
        daticert,
        ``
      ].join('\r\n')
    ],
    id.replace(/[^A-Za-z0-9]/g, '')
  )
}

/** A small PNG (a flat-colour "photo" with a darker band), generated: no binary files in the repository. */
export function demoPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(data.length, 0)
    head.write(type, 4, 'ascii')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
    return Buffer.concat([head, data, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8 bits, truecolour
  const rows = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    const shade = Math.abs(y - height / 2) < height / 8 ? 0.6 : 1
    for (let x = 0; x < width; x++)
      rows.set(
        rgb.map((c) => Math.round(c * shade)),
        y * (width * 3 + 1) + 1 + x * 3
      )
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))])
}

/** A one-page PDF with a few lines of text (Helvetica, WinAnsi: accented Italian letters print). */
export function demoPdf(title: string, lines: string[]): Buffer {
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`)
  const text = [`BT /F1 16 Tf 56 780 Td (${esc(title)}) Tj ET`, ...lines.map((l, i) => `BT /F1 11 Tf 56 ${750 - i * 16} Td (${esc(l)}) Tj ET`)].join('\n')
  const stream = Buffer.from(text, 'latin1')
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${stream.length} >>\nstream\n${stream.toString('latin1')}\nendstream`
  ]
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'))
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}
