// Search across every conversation on the real database engine (SQLite FTS5 or PostgreSQL tsvector): messages come
// in through the real ingest path and the operators' reply and note routes; each case writes its own words (a
// marker no other case uses), so every case runs alone and expects exact ids.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { internalsOf } from '../../src/internals.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { isPostgres } from '../helpers/db.js'
import { buildMail } from '../helpers/mail.js'

const API = '/api/communications'
const OPERATOR = { id: 'demo-operator', name: 'Operatore Demo', email: null, permissions: ['read', 'write'] as const }

/** A word no other case (and no seeded row) contains: letters only, so every engine keeps it one token. */
const marker = () =>
  'qz' +
  [...randomBytes(6)]
    .map((b) => String.fromCharCode(97 + (b % 26)))
    .join('')

interface Mail {
  from?: string
  subject: string
  text?: string
  html?: string
  files?: string[]
  inReplyTo?: string
  messageId?: string
}

/** Delivers one mail through the ingest pipeline; its stored message id and work order. */
async function deliver(host: TestHost, mail: Mail): Promise<{ id: number; workOrderId: number }> {
  const messageId = mail.messageId ?? `<search.${Date.now()}.${marker()}@example.test>`
  const raw = await buildMail({
    from: mail.from ?? 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    inReplyTo: mail.inReplyTo,
    messageId,
    attachments: (mail.files ?? []).map((filename) => ({ filename, content: Buffer.from(`%PDF ${filename}`), contentType: 'application/pdf' }))
  })
  const result = await host.app.communications.mail.ingest(raw)
  if (result.messageId === null || result.workOrderId === null) throw new Error(`not stored: ${result.outcome}`)
  return { id: result.messageId, workOrderId: result.workOrderId }
}

async function search(host: TestHost, params: Record<string, string>, token: 'demo-admin' | 'demo-operator' | 'demo-viewer' = 'demo-viewer') {
  const res = await host.app.inject({ url: `${API}/search?${new URLSearchParams(params)}`, headers: auth(token) })
  t.equal(res.statusCode, 200, res.body)
  return res.json() as { items: Array<{ id: number; workOrderId: number; subject: string; snippet: string; channel: string }>; total: number }
}
const ids = async (host: TestHost, params: Record<string, string>) => (await search(host, params)).items.map((i) => i.id)

t.test('search', async (t) => {
  const host = await startTestHost({ mail: { from: '"Ufficio TARI" <tari@garbage.example.test>', startWorkers: false } })
  t.teardown(() => host.close())

  t.test('the engine is the database’s own', async (t) => {
    t.equal(await host.app.communications.search.engine(), isPostgres ? 'postgres' : 'fts5')
  })

  t.test('a word of the body, of the subject, a sender address, an attachment name', async (t) => {
    const m = marker()
    const body = await deliver(host, { subject: `Raccolta ${m}`, text: `Il cassonetto ${m} trabocca da giorni.` })
    const subject = await deliver(host, { subject: `Ingombranti ${m} in cortile`, text: 'Nessun dettaglio.' })
    const sender = await deliver(host, { from: `Lucia Verdi <lucia.${m}@example.test>`, subject: 'Richiesta', text: 'Vorrei un chiarimento.' })
    const file = await deliver(host, { subject: 'Foto allegata', text: 'Vedi allegato.', files: [`verbale-${m}.pdf`] })
    t.same(await ids(host, { q: 'trabocca ' + m }), [body.id], 'a body word (with the marker: AND)')
    t.same(await ids(host, { q: `ingombranti ${m}` }), [subject.id], 'a subject word')
    t.same(await ids(host, { q: `lucia.${m}@example.test` }), [sender.id], 'the whole sender address')
    t.same(await ids(host, { q: `lucia.${m}` }), [sender.id], 'part of the address')
    t.same(await ids(host, { q: `verbale-${m}.pdf` }), [file.id], 'the attachment file name')
    t.same(await ids(host, { q: `${m}` }).then((x) => x.sort((a, b) => a - b)), [body.id, subject.id, file.id].sort((a, b) => a - b))
  })
})
