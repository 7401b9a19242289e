// Nothing is lost or mangled: mail that broke earlier versions, written the way real senders write it
// (scanners without Message-ID, a lone PDF at the root, raw 8-bit and UTF-7 headers, KMail/Apple-style inline
// text files). Each subtest builds its own mail and can run alone.
import t from 'tap'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'

const TO = 'reclami@garbage.example.test'
const crlf = (text: string) => Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1')
let serial = 0
const unique = () => `${Date.now()}.${++serial}`

interface StoredMessage {
  id: number
  workOrderId: number
  subject: string | null
  text: string | null
  fromName?: string | null
  meta: Record<string, unknown>
  attachments: Array<{ id: number; filename: string; contentType: string; size: number }>
}

async function message(host: TestHost, id: number): Promise<StoredMessage> {
  const res = await host.app.inject({
    url: `/api/communications/work-orders/${(await host.knex('trc_messages').first('work_order_id').where('id', id)).work_order_id}/messages`,
    headers: auth('demo-viewer')
  })
  return (res.json().items as StoredMessage[]).find((m) => m.id === id) as StoredMessage
}

async function download(host: TestHost, attachmentId: number): Promise<string> {
  return (await host.app.inject({ url: `/api/communications/attachments/${attachmentId}`, headers: auth('demo-viewer') })).body
}

/** A network scanner's mail: no Message-ID, no text, the same subject every time, one PDF. */
function scannerMail(pdf: string, date = 'Tue, 01 Dec 2026 08:00:00 +0100'): Buffer {
  const b = `scan-${unique()}`
  return crlf(`From: scanner@comune.example.test
To: ${TO}
Subject: Scansione da MFP-3F
Date: ${date}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="${b}"

--${b}
Content-Type: application/pdf; name="scan.pdf"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="scan.pdf"

${Buffer.from(pdf).toString('base64')}
--${b}--
`)
}

t.test('ingest fidelity', async (t) => {
  const host = await startTestHost({ mail: { from: 'tari@garbage.example.test', startWorkers: false } })
  t.teardown(() => host.close())
  const ingest = host.app.communications.mail.ingest

  t.test('mail without a Message-ID: three scans with the same subject and date are three messages', async (t) => {
    const pdfs = [`%PDF-1.4 first ${unique()}`, `%PDF-1.4 second ${unique()}`, `%PDF-1.4 third ${unique()}`]
    const results = []
    for (const pdf of pdfs) results.push(await ingest(scannerMail(pdf)))
    t.same(
      results.map((r) => r.outcome),
      ['created', 'created', 'created']
    )
    for (const [i, r] of results.entries()) {
      const stored = await message(host, r.messageId as number)
      t.equal(stored.attachments.length, 1)
      t.equal(await download(host, stored.attachments[0]?.id as number), pdfs[i], `scan ${i + 1} keeps its own PDF`)
    }
    const again = await ingest(scannerMail(pdfs[1] as string))
    t.equal(again.outcome, 'duplicate', 'the very same scan fetched again is a copy')
    const audit = await host.knex('trc_audit_log').where({ action: 'mail.duplicate' }).orderBy('id', 'desc').first()
    t.equal(JSON.parse(audit.details_json).key, again.detail, 'the skipped copy is audited with the key it hit')
  })

  t.test('a Message-ID reused for different content is stored; the same content is a copy', async (t) => {
    const id = `<fixed-${unique()}@printer.example.test>`
    const first = await ingest(crlf(`From: a@b.example.test\nTo: ${TO}\nSubject: Stampa\nMessage-ID: ${id}\n\nPrimo documento\n`))
    const reused = await ingest(crlf(`From: a@b.example.test\nTo: ${TO}\nSubject: Stampa\nMessage-ID: ${id}\n\nSecondo documento\n`))
    const copy = await ingest(crlf(`Received: from relay2\nFrom: a@b.example.test\nTo: ${TO}\nSubject: Stampa\nMessage-ID: ${id}\n\nSecondo documento\n`))
    t.same([first.outcome, reused.outcome, copy.outcome], ['created', 'created', 'duplicate'])
    const stored = await message(host, reused.messageId as number)
    t.equal(stored.text, 'Secondo documento\n')
    t.equal(stored.meta.messageIdReused, true)
  })

  t.test('a lone application/pdf at the root keeps its bytes', async (t) => {
    const pdf = `%PDF-1.4 lone ${unique()}`
    const raw = crlf(
      `From: a@b.example.test\nTo: ${TO}\nSubject: Solo PDF\nMessage-ID: <lone-${unique()}@b.example.test>\nMIME-Version: 1.0\nContent-Type: application/pdf; name="bolletta.pdf"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="bolletta.pdf"\n\n${Buffer.from(pdf).toString('base64')}\n`
    )
    const result = await ingest(raw)
    const stored = await message(host, result.messageId as number)
    t.same(
      stored.attachments.map((a) => [a.filename, a.contentType, a.size]),
      [['bolletta.pdf', 'application/pdf', pdf.length]]
    )
    t.equal(await download(host, stored.attachments[0]?.id as number), pdf)
  })

  t.test('a lone image/png at the root keeps its bytes', async (t) => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
    const raw = crlf(
      `From: a@b.example.test\nTo: ${TO}\nSubject: Foto\nMessage-ID: <png-${unique()}@b.example.test>\nMIME-Version: 1.0\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n${png.toString('base64')}\n`
    )
    const stored = await message(host, (await ingest(raw)).messageId as number)
    t.same(
      stored.attachments.map((a) => [a.contentType, a.size]),
      [['image/png', png.length]]
    )
  })

  t.test('headers: raw 8-bit in an encoded-word decodes in its declared charset', async (t) => {
    const raw = crlf(
      `From: =?iso-8859-1?Q?J\xFCrgen_M\xFCller?= <jm@b.example.test>\nTo: ${TO}\nSubject: =?iso-8859-1?Q?Fr\xF6sche?=\nMessage-ID: <h1-${unique()}@b.example.test>\n\ntesto\n`
    )
    const stored = await message(host, (await ingest(raw)).messageId as number)
    t.equal(stored.subject, 'Frösche')
    t.equal((await host.knex('trc_messages').first('from_name').where('id', stored.id)).from_name, 'Jürgen Müller')
    t.equal(stored.meta.rawHeaders, undefined, 'a declared, fitting charset is no guess')
  })

  t.test('headers: UTF-7 encoded-words decode', async (t) => {
    const raw = crlf(`From: a@b.example.test\nTo: ${TO}\nSubject: =?utf-7?Q?Fr+APY-sche_e_caff+AOg-?=\nMessage-ID: <h2-${unique()}@b.example.test>\n\ntesto\n`)
    t.equal((await message(host, (await ingest(raw)).messageId as number)).subject, 'Frösche e caffè')
  })

  t.test('headers: an unknown charset falls back to a best guess and keeps the raw header', async (t) => {
    const raw = crlf(`From: a@b.example.test\nTo: ${TO}\nSubject: =?x-unknown?Q?Caff=E8_chiuso?=\nMessage-ID: <h3-${unique()}@b.example.test>\n\ntesto\n`)
    const stored = await message(host, (await ingest(raw)).messageId as number)
    t.equal(stored.subject, 'Caffè chiuso')
    t.same(stored.meta.rawHeaders, { subject: '=?x-unknown?Q?Caff=E8_chiuso?=' })
  })

  t.test('headers: undeclared KOI8-R bytes are not shown as Latin mojibake', async (t) => {
    const koi8 = Buffer.from('d4c5d3d420d4c5d3d4', 'hex').toString('latin1') // "тест тест"
    const raw = crlf(`From: a@b.example.test\nTo: ${TO}\nSubject: ${koi8}\nMessage-ID: <h4-${unique()}@b.example.test>\n\ntesto\n`)
    const stored = await message(host, (await ingest(raw)).messageId as number)
    t.equal(stored.subject, 'тест тест')
    t.same(stored.meta.rawHeaders, { subject: koi8 })
  })

  t.test('an inline text part with a file name is an attachment, not body text', async (t) => {
    const b = `b-${unique()}`
    const raw = crlf(
      `From: a@b.example.test\nTo: ${TO}\nSubject: Lettura contatore\nMessage-ID: <txt-${unique()}@b.example.test>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${b}"\n\n--${b}\nContent-Type: text/plain; charset=utf-8\n\nIn allegato la lettura.\n--${b}\nContent-Type: text/plain; name="lettura.txt"\nContent-Disposition: inline; filename="lettura.txt"\n\nmatricola 123 lettura 456\n--${b}--\n`
    )
    const stored = await message(host, (await ingest(raw)).messageId as number)
    t.equal(stored.text, 'In allegato la lettura.')
    t.same(
      stored.attachments.map((a) => a.filename),
      ['lettura.txt']
    )
    t.equal(await download(host, stored.attachments[0]?.id as number), 'matricola 123 lettura 456')
  })
})
