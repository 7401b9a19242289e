// GDPR art. 17 by address: a citizen who is no registered contributor (their mail went to the generic contributor)
// can be erased too. Their own requests go whole; in someone else's request only their messages go.
import t from 'tap'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'

const API = '/api/communications'
const OPERATOR = { id: 'demo-operator', name: 'Operatore Demo', email: null, permissions: ['read', 'write'] as const }
const PAST = '2019-05-06T08:00:00Z'

interface Sent {
  from: string
  subject: string
  text: string
  inReplyTo?: string
  headers?: Record<string, string>
  file?: string
}

async function ingest(host: TestHost, mail: Sent): Promise<number | null> {
  const raw = await buildMail({
    from: mail.from,
    to: 'reclami@garbage.example.test',
    subject: mail.subject,
    text: mail.text,
    inReplyTo: mail.inReplyTo,
    headers: mail.headers,
    messageId: `<era.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test>`,
    attachments: mail.file ? [{ filename: `${mail.file}.pdf`, content: Buffer.from(`%PDF ${mail.file}`) }] : []
  })
  return (await host.app.communications.mail.ingest(raw, { receivedAt: new Date(PAST) })).workOrderId as number | null
}

/** As years after: the work order closed, every message dated then and its mail long delivered. */
async function age(host: TestHost, workOrderId: number, close = true) {
  if (close) await host.app.communications.workOrders.setState(workOrderId, { state: 'closed' }, OPERATOR)
  const messages = host.knex('trc_messages').select('id').where('work_order_id', workOrderId)
  await host
    .knex('trc_outbox')
    .whereIn('message_id', messages)
    .update({ status: 'sent', sent_at: new Date(PAST) })
  await host
    .knex('trc_messages')
    .where('work_order_id', workOrderId)
    .update({ created_at: new Date(PAST) })
}

const erase = (host: TestHost, email: string, token: 'demo-admin' | 'demo-operator' | 'demo-viewer' = 'demo-admin', lang = 'it') =>
  host.app.inject({ method: 'POST', url: `${API}/privacy/erase?lang=${lang}`, headers: auth(token), payload: { email } })

const exportManifest = async (host: TestHost, email: string) => {
  const JSZip = (await import('jszip')).default
  const res = await host.app.inject({ url: `${API}/privacy/export?email=${encodeURIComponent(email)}`, headers: auth('demo-admin') })
  const zip = await JSZip.loadAsync(res.rawPayload)
  return JSON.parse(await (zip.file('manifest.json') as { async(type: 'string'): Promise<string> }).async('string'))
}

/** Every row the module and the host hold that could carry the address (our own privacy.* audit entries aside). */
async function everything(host: TestHost): Promise<string> {
  return JSON.stringify([
    await host.knex('trc_messages').select('*'),
    await host.knex('trc_attachments').select('id', 'filename', 'message_id'),
    await host.knex('trc_outbox').select('recipient', 'payload_json'),
    await host.knex('trc_intake_requests').select('*'),
    await host.knex('trc_audit_log').select('action', 'details_json').whereNot('action', 'like', 'privacy.%'),
    await host.knex('ordini_lavoro').select('descrizione', 'oggetto')
  ]).toLowerCase()
}

const texts = async (host: TestHost, workOrderId: number) =>
  (await host.knex('trc_messages').select('id', 'from_address', 'subject', 'text').where('work_order_id', workOrderId).orderBy('id')).map((m) => ({
    id: Number(m.id),
    from: m.from_address,
    subject: m.subject,
    text: m.text
  }))

t.test('erasure by address (GDPR art. 17)', async (t) => {
  const host = await startTestHost({ mail: { from: '"Ufficio TARI" <tari@garbage.example.test>', startWorkers: false } })
  t.teardown(() => host.close())

  t.test("an unknown sender's old closed request goes whole, with their loose mail; audited", async (t) => {
    const address = 'anna.sconosciuta@example.test'
    const wo = (await ingest(host, {
      from: `Anna Sconosciuta <${address}>`,
      subject: 'Cassonetto in via Roma',
      text: 'Abito in vicolo dei Mughetti 12, il cassonetto è pieno.',
      file: 'segnalazione-anna'
    })) as number
    t.equal(
      Number((await host.knex('ordini_lavoro').first('id_contribuente').where('id_odl', wo)).id_contribuente),
      host.genericContributorId,
      "the generic contributor's"
    )
    await age(host, wo)
    const loose = await ingest(host, {
      from: `Anna Sconosciuta <${address.toUpperCase()}>`,
      subject: 'Fuori ufficio',
      text: 'Sono in ferie fino al 20.',
      headers: { 'Auto-Submitted': 'auto-replied' }
    })
    t.equal(loose, null, 'an auto-reply outside any work order')
    t.equal((await exportManifest(host, address)).workOrderIds.length, 1)
    t.ok((await everything(host)).includes(address), 'the address is held before')

    const res = await erase(host, ` ${address.replace('anna', 'Anna')} `)
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { workOrders: 1, messages: 4, attachments: 1 }, 'her message, its confirmation, the closing note, the auto-reply; her file')
    const after = await everything(host)
    for (const gone of [address, 'vicolo dei mughetti 12', 'segnalazione-anna', 'sono in ferie']) t.notOk(after.includes(gone), `${gone} gone`)
    t.ok((await host.knex('trc_work_order_meta').first('anonymized_at').where('work_order_id', wo)).anonymized_at, 'marked anonymized')
    const manifest = await exportManifest(host, address)
    t.same([manifest.workOrderIds, manifest.messages], [[], 0], 'an export by that address finds nothing any more')
    const audit = await host.knex('trc_audit_log').first('actor_id', 'details_json').where('action', 'privacy.erased').orderBy('id', 'desc')
    t.equal(audit.actor_id, 'demo-admin')
    t.same(JSON.parse(audit.details_json), { email: address, workOrders: 1, messages: 4, attachments: 1 })
  })

  t.test("in Mario Rossi's request only that person's message goes", async (t) => {
    const address = 'vicina.di.mario@example.test'
    const wo = (await ingest(host, {
      from: 'Mario Rossi <mario.rossi@example.test>',
      subject: 'Vetro non raccolto',
      text: 'Il vetro in via Verdi 3 non è stato raccolto.',
      file: 'foto-di-mario'
    })) as number
    await host.app.communications.workOrders.reply(wo, { html: '<p>Gentile sig. Rossi, provvediamo.</p>' }, OPERATOR)
    const ourReply = await host
      .knex('trc_messages')
      .first('message_id')
      .where({ work_order_id: wo, direction: 'outbound' })
      .whereNotNull('message_id')
      .orderBy('id', 'desc')
    // Mario forwarded our answer to his neighbour, who answers it: the mail joins Mario's conversation by its headers
    const joined = await ingest(host, {
      from: `Lucia Vicina <${address}>`,
      subject: 'Re: Vetro non raccolto',
      text: 'Confermo, anche il mio vetro in vicolo dei Tulipani 5.',
      inReplyTo: ourReply.message_id,
      file: 'foto-della-vicina'
    })
    t.equal(joined, wo, "in Mario's work order")
    await age(host, wo)
    const before = await texts(host, wo)
    const hers = before.filter((m) => m.from === address).map((m) => m.id)
    t.equal(hers.length, 1)

    const res = await erase(host, address)
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { workOrders: 0, messages: 1, attachments: 1 })
    const after = await texts(host, wo)
    t.same(
      after,
      before.map((m) => (hers.includes(m.id) ? { id: m.id, from: null, subject: null, text: null } : m)),
      "Mario's messages and our reply exactly as they were"
    )
    t.ok(after.some((m) => m.text === 'Il vetro in via Verdi 3 non è stato raccolto.'))
    const files = (
      await host
        .knex('trc_attachments')
        .join('trc_messages', 'trc_messages.id', 'trc_attachments.message_id')
        .select('filename')
        .where('trc_messages.work_order_id', wo)
    ).map((a) => a.filename)
    t.same(files, ['foto-di-mario.pdf'], 'only her file removed')
    t.notOk((await host.knex('trc_work_order_meta').first('anonymized_at').where('work_order_id', wo)).anonymized_at, "Mario's request is not anonymized")
    const now = await everything(host)
    t.notOk(now.includes(address) || now.includes('vicolo dei tulipani 5'), 'nothing of hers left')
  })

  t.test("an unknown sender's request someone else also wrote into: only that sender's messages go", async (t) => {
    const address = 'primo.ignoto@example.test'
    const wo = (await ingest(host, {
      from: `Primo Ignoto <${address}>`,
      subject: 'Ingombranti',
      text: 'Un divano abbandonato in vicolo dei Ciclamini 1.'
    })) as number
    const confirmation = await host.knex('trc_messages').first('message_id').where({ work_order_id: wo, direction: 'outbound', channel: 'email' })
    const joined = await ingest(host, {
      from: 'Seconda Ignota <seconda.ignota@example.test>',
      subject: 'Re: Ingombranti',
      text: 'Il divano è ancora lì.',
      inReplyTo: confirmation.message_id
    })
    t.equal(joined, wo, 'the second sender joined the conversation')
    await age(host, wo)
    const before = await texts(host, wo)
    const res = await erase(host, address)
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { workOrders: 0, messages: 2, attachments: 0 }, "the first sender's mail and the confirmation sent to them")
    const after = await texts(host, wo)
    t.same(
      after.filter((m) => m.from === 'seconda.ignota@example.test').map((m) => m.text),
      ['Il divano è ancora lì.\n'],
      "the other sender's message stays"
    )
    t.equal(after.filter((m) => m.text === null && m.subject === null).length, 2 + before.filter((m) => m.text === null && m.subject === null).length)
    t.notOk((await everything(host)).includes(address))
  })

  t.test("refused while a concerned request is open, in the caller's language; nothing changed", async (t) => {
    const address = 'paolo.inattesa@example.test'
    const wo = (await ingest(host, { from: `Paolo Attesa <${address}>`, subject: 'Sacchi gialli', text: 'Mancano i sacchi gialli in via Dante 9.' })) as number
    await age(host, wo, false)
    const before = await everything(host)
    const res = await erase(host, address)
    t.equal(res.statusCode, 409)
    t.equal(
      res.json().message,
      `Cancellazione non possibile: le richieste ${wo} sono ancora aperte. I dati servono a rispondere al cittadino; chiudile prima di cancellare.`
    )
    const en = await erase(host, address, 'demo-admin', 'en')
    t.equal(en.statusCode, 409)
    t.equal(en.json().message, `Erasure not possible: requests ${wo} are still open. The data is needed to answer the citizen; close them before erasing.`)
    t.equal(await everything(host), before, 'nothing erased')
    const refusal = await host.knex('trc_audit_log').first('actor_id', 'details_json').where('action', 'privacy.erasureRefused').orderBy('id', 'desc')
    t.same([refusal.actor_id, JSON.parse(refusal.details_json)], ['demo-admin', { email: address, reason: 'erasureOpenRequest', ids: String(wo) }])
  })

  t.test('refused while the ARERA register must keep it', async (t) => {
    const address = 'recente@example.test'
    const raw = await buildMail({
      from: address,
      to: 'reclami@garbage.example.test',
      subject: 'Bolletta errata',
      text: 'La bolletta è sbagliata.',
      messageId: `<era.recent.${Date.now()}@example.test>`
    })
    const wo = (await host.app.communications.mail.ingest(raw, { receivedAt: new Date('2024-03-04T08:00:00Z') })).workOrderId as number
    await host.app.communications.workOrders.setState(wo, { state: 'closed' }, OPERATOR)
    const reference = (await host.knex('trc_work_order_meta').first('reference').where('work_order_id', wo)).reference
    const res = await erase(host, address, 'demo-admin', 'en')
    t.equal(res.statusCode, 409)
    t.equal(
      res.json().message,
      `Erasure not possible: requests ${reference} are in the ARERA register (TQRIF), which must be kept until 2029-12-31. The data will be removed automatically when that period ends.`
    )
    t.equal(
      (await host.knex('trc_messages').first('text').where({ work_order_id: wo, direction: 'inbound' })).text,
      'La bolletta è sbagliata.\n',
      'nothing erased'
    )
  })

  t.test('administrators only; an invalid address is a 400', async (t) => {
    t.equal((await erase(host, 'mario.rossi@example.test', 'demo-operator')).statusCode, 403)
    t.equal((await erase(host, 'mario.rossi@example.test', 'demo-viewer')).statusCode, 403)
    t.equal((await host.app.inject({ method: 'POST', url: `${API}/privacy/erase`, payload: { email: 'mario.rossi@example.test' } })).statusCode, 401)
    const invalid = await erase(host, 'non-un-indirizzo')
    t.equal(invalid.statusCode, 400)
    t.equal(invalid.json().message, 'Indirizzo email non valido nel campo "email": non-un-indirizzo')
    const en = await erase(host, 'non-un-indirizzo', 'demo-admin', 'en')
    t.equal(en.json().message, 'Invalid email address in field "email": non-un-indirizzo')
    const missing = await host.app.inject({ method: 'POST', url: `${API}/privacy/erase`, headers: auth('demo-admin'), payload: {} })
    t.equal(missing.statusCode, 400)
  })
})
