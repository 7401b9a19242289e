// Retention on a seeded database: expired personal data goes, the ARERA register and the indicators of past years
// stay the same figure for figure; erasure on request is refused where the law requires keeping the data.
import t from 'tap'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'

const API = '/api/communications'
const OPERATOR = { id: 'demo-operator', name: 'Operatore Demo', email: null, permissions: ['read', 'write'] as const }
const FISCAL_CODE = 'RSSMRA80A01H501U'
const IBAN = 'IT60X0542811101000000123456'

/** A closed work order received on `receivedAt`, with an attachment and the citizen's fiscal code and IBAN in the text; every message dated then. */
async function closedRequest(host: TestHost, from: string, receivedAt: string, close = true): Promise<number> {
  const raw = await buildMail({
    from,
    to: 'reclami@garbage.example.test',
    subject: `Rimborso del ${receivedAt}`,
    messageId: `<ret.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test>`,
    text: `Chiedo il rimborso. Codice fiscale ${FISCAL_CODE}, IBAN ${IBAN}, abito in via Garibaldi 7.`,
    attachments: [{ filename: 'documento.pdf', content: Buffer.from(`%PDF documento ${receivedAt}`) }]
  })
  const id = (await host.app.communications.mail.ingest(raw, { receivedAt: new Date(receivedAt) })).workOrderId as number
  if (close) await host.app.communications.workOrders.setState(id, { state: 'closed' }, OPERATOR)
  await host
    .knex('trc_messages')
    .where('work_order_id', id)
    .update({ created_at: new Date(receivedAt) })
  return id
}

const get = (host: TestHost, url: string) => host.app.inject({ url: `${API}${url}`, headers: auth('demo-admin') })

t.test('the retention job on a seeded database', async (t) => {
  const host = await startTestHost({ mail: { startWorkers: false } })
  t.teardown(() => host.close())
  const expired = await closedRequest(host, 'Mario Rossi <mario.rossi@example.test>', '2019-05-06T08:00:00Z')
  const registered = await closedRequest(host, 'Mario Rossi <mario.rossi@example.test>', '2023-05-08T08:00:00Z')
  const open = await closedRequest(host, 'Mario Rossi <mario.rossi@example.test>', '2019-06-03T08:00:00Z', false)
  await host.knex('trc_intake_requests').insert({
    work_order_id: expired,
    reference: 'RC-SEED-1',
    channel: 'web',
    service_code: 'altro',
    address: 'Via Garibaldi 7',
    email: 'mario.rossi@example.test',
    latitude: 45.1,
    longitude: 9.1,
    status_notes: 'nota',
    publication_approved: true,
    public_description: 'Cassonetto rotto in via Garibaldi, segnalato da Mario Rossi',
    publication_by: 'Operatore Demo',
    publication_at: new Date('2019-05-07T08:00:00Z'),
    submitted_at: new Date('2019-05-06T08:00:00Z'),
    updated_at: new Date('2019-05-06T08:00:00Z')
  })
  const old = new Date('2019-01-01T00:00:00Z')
  await host.knex('trc_quarantine').insert([
    { reason: 'illeggibile', size: 3, raw: Buffer.from('old'), created_at: old },
    { reason: 'illeggibile', size: 3, raw: Buffer.from('new'), created_at: new Date() }
  ])
  await host.knex('trc_audit_log').insert({ at: old, actor_type: 'system', action: 'seed.old', details_json: '{"to":["mario.rossi@example.test"]}' })

  const figures = async () =>
    Promise.all(
      ['/register.csv?from=2019-01-01&to=2026-12-31', '/indicators.csv?year=2019', '/indicators.csv?year=2023'].map(async (u) => (await get(host, u)).body)
    )
  const before = await figures()
  t.match(before[0], /RC-2019-/, 'the register lists the 2019 requests')
  t.match(before[1], /rettifica degli importi addebitati;TQRIF art. 16;60;2;0;2;/, 'the 2019 indicators count both 2019 requests')

  t.test('the dry run says what would go and changes nothing', async (t) => {
    const plan = await get(host, '/retention/plan')
    t.equal(plan.statusCode, 200)
    t.match(plan.json(), { dryRun: true, workOrderIds: [expired], messages: 2, attachments: 1, quarantine: 1, infected: 0, audit: 1 })
    t.equal(
      plan.json().cutoffs.registeredBefore,
      '2020-12-31T23:00:00.000Z',
      'the register keeps requests of 2021 and later (five calendar years after theirs)'
    )
    t.equal(Number((await host.knex('trc_attachments').count({ n: '*' }).first())?.n), 3, 'nothing removed')
    t.equal((await host.app.inject({ url: `${API}/retention/plan`, headers: auth('demo-operator') })).statusCode, 403)
  })

  t.test('the run: personal data of the expired request gone, the register and the indicators unchanged', async (t) => {
    // an operator was told about it back then: the notification stays, its detail (the subject, an address) goes
    await host.knex('trc_notifications').insert({
      operator_id: 'demo-operator',
      work_order_id: expired,
      kind: 'delivery_failed',
      detail: 'mario.rossi@example.test: 550 Rimborso',
      created_at: new Date('2019-05-01T10:00:00Z')
    })
    const res = await host.app.inject({ method: 'POST', url: `${API}/retention/run`, headers: auth('demo-admin') })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { dryRun: false, workOrderIds: [expired], messages: 2, attachments: 1, quarantine: 1, audit: 1 })
    t.same(await figures(), before, 'register and indicators: the same figures before and after')

    const gone = JSON.stringify([
      await host.knex('trc_messages').select('*').where('work_order_id', expired),
      await host.knex('trc_intake_requests').select('*').where('work_order_id', expired),
      await host.knex('trc_audit_log').select('details_json').where('work_order_id', expired),
      await host.knex('ordini_lavoro').select('descrizione').where('id_odl', expired),
      await host.knex('trc_notifications').select('detail').where('work_order_id', expired)
    ])
    for (const personal of [FISCAL_CODE, IBAN, 'Garibaldi', 'mario.rossi@example.test', 'Mario Rossi', 'Rimborso'])
      t.notOk(gone.includes(personal), `${personal} gone`)
    t.equal(
      Number(
        (
          await host
            .knex('trc_attachments')
            .join('trc_messages', 'trc_messages.id', 'trc_attachments.message_id')
            .where('trc_messages.work_order_id', expired)
            .count({ n: '*' })
            .first()
        )?.n
      ),
      0,
      'attachments gone'
    )
    const meta = await host.knex('trc_work_order_meta').first('reference', 'anonymized_at').where('work_order_id', expired)
    t.match(meta.reference, /^RC-2019-\d{6}$/, 'the register number stays')
    t.ok(meta.anonymized_at)
    t.equal((await host.knex('trc_notifications').where('work_order_id', expired)).length, 1, 'the notification itself stays')
    for (const kept of [registered, open]) {
      const messages = await host.knex('trc_messages').select('text').where('work_order_id', kept).whereNotNull('text')
      t.ok(
        messages.some((m) => String(m.text).includes(FISCAL_CODE)),
        `work order ${kept} kept (register period or open)`
      )
    }
    t.same((await host.knex('trc_quarantine').select('reason')).length, 1, 'the old quarantine entry purged, the new one kept')
    t.equal(Number((await host.knex('trc_audit_log').where('action', 'seed.old').count({ n: '*' }).first())?.n), 0)
    t.equal(Number((await host.knex('trc_audit_log').where('action', 'retention.run').count({ n: '*' }).first())?.n), 1, 'the run is audited')
    const again = await host.app.inject({ method: 'POST', url: `${API}/retention/run`, headers: auth('demo-admin') })
    t.match(again.json(), { workOrderIds: [], messages: 0, attachments: 0, quarantine: 0, audit: 0 }, 'a second run finds nothing')
  })
})

t.test('erasure on request (GDPR art. 17)', async (t) => {
  const host = await startTestHost({ mail: { startWorkers: false } })
  t.teardown(() => host.close())
  const free = await host
    .knex('contribuenti')
    .select('id_contribuente', 'email')
    .whereNotNull('email')
    .whereNotIn('id_contribuente', host.knex('ordini_lavoro').select('id_contribuente'))
    .orderBy('id_contribuente')
    .limit(2)
  const [oldOne, recent] = free.map((r) => ({ id: Number(r.id_contribuente), email: String(r.email) })) as [
    { id: number; email: string },
    { id: number; email: string }
  ]
  const oldWo = await closedRequest(host, oldOne.email, '2019-05-06T08:00:00Z')
  const recentWo = await closedRequest(host, recent.email, '2024-03-04T08:00:00Z')
  // seeded addresses may be shared: the operator linked each request to its contributor
  for (const [wo, who] of [
    [oldWo, oldOne.id],
    [recentWo, recent.id]
  ] as const) {
    await host.knex('ordini_lavoro').where('id_odl', wo).update({ id_contribuente: who })
    await host.knex('trc_messages').where('work_order_id', wo).update({ contributor_id: who })
  }
  const openWo = await closedRequest(host, 'Mario Rossi <mario.rossi@example.test>', '2019-05-06T08:00:00Z', false)
  const erase = (id: number, lang = 'it') =>
    host.app.inject({ method: 'POST', url: `${API}/contributors/${id}/erase?lang=${lang}`, headers: auth('demo-admin') })

  t.test('refused while a request is open', async (t) => {
    const res = await erase(host.contributors.marioRossi)
    t.equal(res.statusCode, 409)
    t.match(res.json().message, new RegExp(`^Cancellazione non possibile: le richieste [0-9, ]*\\b${openWo}\\b[0-9, ]* sono ancora aperte\\.`))
  })

  t.test('refused while the ARERA register must keep it, with the date', async (t) => {
    const reference = (await host.knex('trc_work_order_meta').first('reference').where('work_order_id', recentWo)).reference
    const res = await erase(recent.id, 'en')
    t.equal(res.statusCode, 409)
    t.equal(
      res.json().message,
      `Erasure not possible: requests ${reference} are in the ARERA register (TQRIF), which must be kept until 2029-12-31. The data will be removed automatically when that period ends.`
    )
    t.ok(
      (await host.knex('trc_messages').select('text').where('work_order_id', recentWo)).some((m) => String(m.text).includes(FISCAL_CODE)),
      'nothing erased'
    )
    const refusal = await host.knex('trc_audit_log').first('details_json').where('action', 'privacy.erasureRefused').orderBy('id', 'desc')
    t.match(JSON.parse(refusal.details_json), { contributorId: recent.id, reason: 'erasureRegister', until: '2029-12-31' })
  })

  t.test('done when nothing requires keeping it; audited', async (t) => {
    const res = await erase(oldOne.id)
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), { workOrders: 1, messages: 2, attachments: 1 })
    const rows = JSON.stringify(await host.knex('trc_messages').select('*').where('work_order_id', oldWo))
    t.notOk(rows.includes(FISCAL_CODE) || rows.includes(oldOne.email))
    const audit = await host.knex('trc_audit_log').first('actor_id', 'details_json').where('action', 'privacy.erased')
    t.same([audit.actor_id, JSON.parse(audit.details_json)], ['demo-admin', { contributorId: oldOne.id, workOrders: 1, messages: 2, attachments: 1 }])
  })
})
