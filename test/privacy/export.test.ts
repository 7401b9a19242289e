// GDPR art. 15/20: an administrator exports everything the module holds about a contributor (or an address) as a
// zip of JSON and files — every message and attachment of their work orders, and nothing of anyone else's.
import t from 'tap'
import JSZip from 'jszip'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'

const API = '/api/communications'
const OPERATOR = { id: 'demo-operator', name: 'Operatore Demo' }

async function mail(host: TestHost, from: string, subject: string, files: Array<{ filename: string; content: Buffer }>) {
  const raw = await buildMail({
    from,
    to: 'reclami@garbage.example.test',
    subject,
    text: `Testo di ${subject}`,
    messageId: `<exp.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test>`,
    attachments: files
  })
  return (await host.app.communications.mail.ingest(raw, { receivedAt: new Date('2026-03-02T09:00:00Z') })).workOrderId as number
}

async function unzip(body: Buffer) {
  const zip = await JSZip.loadAsync(body)
  const names = Object.keys(zip.files)
    .filter((n) => !zip.files[n]?.dir)
    .sort()
  const json = async (name: string) => JSON.parse(await (zip.file(name) as JSZip.JSZipObject).async('string'))
  const bytes = async (name: string) => (zip.file(name) as JSZip.JSZipObject).async('nodebuffer')
  return { names, json, bytes }
}

t.test('export of a contributor and of an address', async (t) => {
  const host = await startTestHost({ mail: { from: '"Ufficio TARI" <tari@garbage.example.test>', startWorkers: false } })
  t.teardown(() => host.close())
  const mario = host.contributors.marioRossi
  const first = await mail(host, 'Mario Rossi <mario.rossi@example.test>', 'Vetro non raccolto', [
    { filename: 'foto.jpg', content: Buffer.from('foto-di-mario') }
  ])
  const second = await mail(host, 'Mario Rossi <mario.rossi@pec.example.test>', 'Rettifica bolletta', [
    { filename: 'bolletta.pdf', content: Buffer.from('%PDF bolletta-di-mario') }
  ])
  await host.app.communications.workOrders.reply(
    first,
    {
      html: '<p>Gentile sig. Rossi, provvediamo.</p>',
      files: [{ filename: 'calendario.txt', contentType: 'text/plain', content: Buffer.from('calendario-per-mario') }]
    },
    OPERATOR
  )
  const bianchi = await mail(host, 'Famiglia Bianchi <famiglia.bianchi@example.test>', 'Cassonetto rotto', [
    { filename: 'cassonetto.jpg', content: Buffer.from('foto-dei-bianchi') }
  ])
  const stranger = await mail(host, 'Sconosciuto <nessuno@example.test>', 'Domanda', [{ filename: 'altro.txt', content: Buffer.from('file-di-altri') }])

  t.test('GET /contributors/:id/export: every message and attachment of his work orders, nothing else', async (t) => {
    const res = await host.app.inject({ url: `${API}/contributors/${mario}/export`, headers: auth('demo-admin') })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/zip')
    t.match(res.headers['content-disposition'], new RegExp(`^attachment; filename="dati-contribuente-${mario}-\\d{4}-\\d{2}-\\d{2}\\.zip"`))
    const zip = await unzip(res.rawPayload)

    // what the database holds for him, independently of the export code
    const hisWorkOrders = (await host.knex('ordini_lavoro').select('id_odl').where('id_contribuente', mario).orderBy('id_odl')).map((r) => Number(r.id_odl))
    t.ok(hisWorkOrders.includes(first) && hisWorkOrders.includes(second))
    const hisMessages = await host.knex('trc_messages').select('id', 'work_order_id').whereIn('work_order_id', hisWorkOrders).orderBy('id')
    const hisAttachments = await host
      .knex('trc_attachments')
      .select('id', 'filename', 'message_id')
      .whereIn(
        'message_id',
        hisMessages.map((m) => m.id)
      )
      .orderBy('id')
    t.same(hisAttachments.map((a) => a.filename).sort(), ['bolletta.pdf', 'calendario.txt', 'foto.jpg'])

    const manifest = await zip.json('manifest.json')
    t.same(manifest.workOrderIds, hisWorkOrders)
    t.equal(manifest.messages, hisMessages.length)
    t.equal(manifest.files, 3)
    t.same(manifest.contributor, {
      id: mario,
      displayName: 'Rossi Mario',
      fiscalCode: manifest.contributor.fiscalCode,
      emails: ['mario.rossi@example.test', 'mario.rossi@pec.example.test']
    })
    const exportedMessages: number[] = []
    for (const id of hisWorkOrders) {
      const items = (await zip.json(`work-orders/${id}/messages.json`)) as Array<{ id: number; workOrderId: number }>
      exportedMessages.push(...items.map((m) => m.id))
      t.ok(items.every((m) => m.workOrderId === id))
      t.equal((await zip.json(`work-orders/${id}/work-order.json`)).id, id)
      t.ok(Array.isArray(await zip.json(`work-orders/${id}/audit.json`)))
    }
    t.same(
      exportedMessages.sort((a, b) => a - b),
      hisMessages.map((m) => Number(m.id)),
      'every message of his work orders, once'
    )
    const files = zip.names.filter((n) => /\/attachments\//.test(n))
    t.same(
      files.sort(),
      hisAttachments
        .map((a) => {
          const wo = Number(hisMessages.find((m) => m.id === a.message_id)?.work_order_id)
          return `work-orders/${wo}/attachments/${a.id}-${a.filename}`
        })
        .sort(),
      'every attachment of his work orders, as a file'
    )
    const foto = hisAttachments.find((a) => a.filename === 'foto.jpg')
    t.equal((await zip.bytes(`work-orders/${first}/attachments/${foto.id}-foto.jpg`)).toString(), 'foto-di-mario')

    // nothing of anyone else's
    t.notOk(zip.names.some((n) => n.startsWith(`work-orders/${bianchi}/`) || n.startsWith(`work-orders/${stranger}/`)))
    const everything = (await Promise.all(zip.names.map((n) => zip.bytes(n)))).map((b) => b.toString('latin1')).join('\n')
    for (const foreign of ['foto-dei-bianchi', 'file-di-altri', 'famiglia.bianchi@example.test', 'nessuno@example.test', 'Cassonetto rotto']) {
      t.notOk(everything.includes(foreign), `no trace of ${foreign}`)
    }
    const audit = await host.knex('trc_audit_log').first('actor_id', 'details_json').where('action', 'privacy.exported').orderBy('id', 'desc')
    t.equal(audit.actor_id, 'demo-admin')
    t.match(JSON.parse(audit.details_json), { contributorId: mario, workOrders: hisWorkOrders.length, messages: hisMessages.length, files: 3 })
  })

  t.test('GET /privacy/export?email=: what came from that address', async (t) => {
    const res = await host.app.inject({ url: `${API}/privacy/export?email=Famiglia.Bianchi@example.test`, headers: auth('demo-admin') })
    t.equal(res.statusCode, 200)
    const zip = await unzip(res.rawPayload)
    const manifest = await zip.json('manifest.json')
    t.same(manifest.subject, { email: 'famiglia.bianchi@example.test' })
    t.same(manifest.workOrderIds, [bianchi])
    t.same(
      zip.names.filter((n) => n.includes('/attachments/')).map((n) => n.replace(/\/\d+-/, '/')),
      [`work-orders/${bianchi}/attachments/cassonetto.jpg`]
    )
    const refused = await host.app.inject({ url: `${API}/privacy/export?email=non-un-indirizzo&lang=en`, headers: auth('demo-admin') })
    t.equal(refused.statusCode, 400)
    t.equal(refused.json().message, 'Invalid email address in field "email": non-un-indirizzo')
  })

  t.test("admin only; an unknown contributor is a 404 in the caller's language", async (t) => {
    t.equal((await host.app.inject({ url: `${API}/contributors/${mario}/export`, headers: auth('demo-operator') })).statusCode, 403)
    t.equal((await host.app.inject({ url: `${API}/contributors/${mario}/export` })).statusCode, 401)
    const missing = await host.app.inject({ url: `${API}/contributors/999999/export`, headers: auth('demo-admin') })
    t.equal(missing.statusCode, 404)
    t.equal(missing.json().message, 'Contribuente 999999 non trovato.')
    const en = await host.app.inject({ url: `${API}/contributors/999999/export?lang=en`, headers: auth('demo-admin') })
    t.equal(en.json().message, 'Contributor 999999 not found.')
  })
})
