// The clock through the API (suspend, resume, extend: refused when the rules say so, always audited), the
// operators' deadline list and the daily digest queued in the outbox.
import t from 'tap'
import { romeHour } from '../../src/arera/digest.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { internalsOf } from '../../src/internals.js'

const API = '/api/communications'
const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const OPERATOR = { id: 'demo-operator', name: 'Operatore Demo', permissions: ['read', 'write'] as const }

async function ingest(host: TestHost, subject: string, receivedAt: Date, mailboxId: number | null = null): Promise<number> {
  const raw = await buildMail({ from: 'mario.rossi@example.test', to: 'reclami@garbage.example.test', subject, text: subject })
  const result = await host.app.communications.mail.ingest(raw, { receivedAt, mailboxId })
  return result.workOrderId as number
}

t.test('clock, deadlines and digest', async (t) => {
  const host = await startTestHost({
    mail: { from: MAIL_FROM, startWorkers: false },
    arera: { scheme: 'III', digest: { to: ['responsabile@garbage.example.test'], hour: 8 } }
  })
  t.teardown(() => host.close())
  const service = host.app.communications
  const clock = (id: number, payload: Record<string, unknown>, token: 'demo-operator' | 'demo-viewer' = 'demo-operator') =>
    host.app.inject({ method: 'POST', url: `${API}/work-orders/${id}/clock`, headers: auth(token), payload })

  t.test('suspend, resume and extend through the API', async (t) => {
    const id = await ingest(host, 'Reclamo: cestini pieni', new Date())
    const before = (await host.app.inject({ url: `${API}/work-orders/${id}`, headers: auth('demo-viewer') })).json()
    t.match(before, { clockState: 'running', daysLeft: 30, workingDaysTaken: 0, typeConfirmed: false })

    t.equal((await clock(id, { action: 'suspend', reason: 'In attesa dei documenti' }, 'demo-viewer')).statusCode, 403)
    const noReason = await clock(id, { action: 'suspend', reason: '  ' })
    t.equal(noReason.statusCode, 400)
    t.match(noReason.json().message, /Indica il motivo/)
    const badAction = await clock(id, { action: 'pause', reason: 'boh boh' })
    t.match(badAction.json().message, /Azione non valida: "pause"/)

    const suspended = await clock(id, { action: 'suspend', reason: "In attesa della planimetria richiesta all'utente" })
    t.equal(suspended.statusCode, 200)
    t.match(suspended.json(), { clockState: 'suspended', dueDate: before.dueDate, clockEvents: [{ action: 'suspend', actorName: 'Operatore Demo' }] })
    const again = await clock(id, { action: 'suspend', reason: 'di nuovo' })
    t.equal(again.statusCode, 409)
    t.equal(again.json().message, 'Il termine è già sospeso.')
    const resumed = await clock(id, { action: 'resume', reason: 'Documenti ricevuti' })
    t.match(resumed.json(), { clockState: 'running', suspendedWorkingDays: 0, dueDate: before.dueDate })
    t.equal((await clock(id, { action: 'resume', reason: 'ancora' })).statusCode, 409)

    const noDays = await clock(id, { action: 'extend', reason: 'Caso complesso' })
    t.match(noDays.json().message, /indica "days"/)
    const extended = await clock(id, { action: 'extend', reason: "Sopralluogo concordato con l'utente", days: 5 })
    t.equal(extended.statusCode, 200)
    t.equal(extended.json().dueDate, before.dueDate, 'an extension never moves the regulatory due date')
    t.ok(extended.json().extendedDueDate > before.dueDate)
    const actions = (await internalsOf(service).repositories.audit.listByWorkOrder(id))
      .filter((a) => a.action.startsWith('arera.clock.'))
      .map((a) => [a.action, a.actorName, a.details.reason])
    t.same(actions, [
      ['arera.clock.suspend', 'Operatore Demo', "In attesa della planimetria richiesta all'utente"],
      ['arera.clock.resume', 'Operatore Demo', 'Documenti ricevuti'],
      ['arera.clock.extend', 'Operatore Demo', "Sopralluogo concordato con l'utente"]
    ])

    const late = await ingest(host, 'Reclamo: sacchi non consegnati', new Date(Date.now() - 120 * 86_400_000))
    const refused = await clock(late, { action: 'suspend', reason: 'In attesa di risposta' })
    t.equal(refused.statusCode, 409)
    t.match(refused.json().message, /Il termine è già scaduto: non si può sospendere a posteriori/)
    const hostOnly = await clock(1, { action: 'suspend', reason: 'prova prova' })
    t.equal(hostOnly.statusCode, 409, 'a work order the module did not open has no ARERA clock')
    t.match(hostOnly.json().message, /non è stato aperto dal modulo Comunicazioni/)
    t.equal((await clock(99_999_999, { action: 'suspend', reason: 'prova prova' })).statusCode, 404)
  })

  t.test('a suspension waiting for the user pushes the due date and is left out of the time taken', async (t) => {
    // Monday 2 March 2026; suspended Wednesday 4, resumed Wednesday 11: 5, 6, 9, 10, 11 March do not count.
    // Due date without suspension: 14 April; with it: 21 April. A reply on 21 April took 35 − 5 = 30: met.
    const id = await ingest(host, 'Reclamo: tariffa calcolata male', new Date('2026-03-02T09:00:00Z'))
    t.equal((await internalsOf(service).repositories.workOrderMeta.find(id))?.dueDate, '2026-04-14')
    await service.arera.clockAction(id, { action: 'suspend', reason: 'Richiesti i dati catastali' }, OPERATOR, new Date('2026-03-04T10:00:00Z'))
    await service.arera.clockAction(id, { action: 'resume', reason: 'Dati catastali ricevuti' }, OPERATOR, new Date('2026-03-11T15:00:00Z'))
    t.equal((await internalsOf(service).repositories.workOrderMeta.find(id))?.dueDate, '2026-04-21', 'stored due date recomputed')
    await internalsOf(service).repositories.workOrderMeta.update(id, { replySentAt: new Date('2026-04-21T10:00:00Z') })
    const [entry] = await service.arera.register('2026-03-02', '2026-03-02')
    t.match(entry, { workOrderId: id, dueDate: '2026-04-21', workingDaysTaken: 30, suspendedWorkingDays: 5, outcome: 'met' })
  })

  t.test('deadlines', async (t) => {
    const mailboxId = await internalsOf(service).repositories.mailboxes.insert({
      name: 'Ingombranti',
      host: '127.0.0.1',
      port: 143,
      secure: false,
      username: 'ingombranti',
      passwordEncrypted: 'x',
      folder: 'INBOX',
      fromAddress: null,
      fromName: null,
      enabled: true,
      moveToFolder: null,
      maxMessageBytes: null,
      source: 'api'
    })
    // Now: Thursday 12 November 2026, 10:00 in Rome.
    const now = new Date('2026-11-12T09:00:00Z')
    // A: Monday 5 Oct (4 Oct 2026 is a Sunday): 6–9 (4), 12–16 (9), 19–23 (14), 26–30 (19), 2–6 Nov (24), 9–13 (29),
    // 16 Nov (30). By 12 Nov 28 are gone: 2 left.
    const a = await ingest(host, 'Reclamo: raccolta irregolare', new Date('2026-10-05T08:00:00Z'))
    // B: Monday 7 Sep, due Monday 19 Oct; by 12 Nov 48 working days are gone: 18 late.
    const b = await ingest(host, 'Reclamo: mastelli rubati', new Date('2026-09-07T08:00:00Z'))
    // C: on-call collection (15 days) received Tuesday 10 Nov through the bulky-waste mailbox: due Tuesday 1 Dec,
    // 2 days gone, 13 left.
    const c = await ingest(host, 'Prenotare il ritiro ingombranti', new Date('2026-11-10T09:00:00Z'), mailboxId)
    // D is answered, E has no standard: neither is a deadline.
    const d = await ingest(host, 'Reclamo: risposto', new Date('2026-11-02T09:00:00Z'))
    await internalsOf(service).repositories.workOrderMeta.update(d, { replySentAt: new Date('2026-11-05T09:00:00Z') })
    await ingest(host, 'Cassonetto pieno in piazza', new Date('2026-11-09T09:00:00Z'))

    const list = async (filter: Parameters<typeof service.arera.deadlines>[0]) =>
      (await service.arera.deadlines(filter, now)).filter((i) => [a, b, c, d].includes(i.workOrderId)).map((i) => [i.workOrderId, i.daysLeft])
    t.same(
      await list({}),
      [
        [b, -18],
        [a, 2],
        [c, 13]
      ],
      'most urgent first'
    )
    t.same(await list({ maxDaysLeft: 5 }), [
      [b, -18],
      [a, 2]
    ])
    t.same(await list({ overdue: true }), [[b, -18]])
    t.same(await list({ overdue: false }), [
      [a, 2],
      [c, 13]
    ])
    t.same(await list({ type: 'ritiro_su_chiamata' }), [[c, 13]])
    t.same(await list({ mailboxId }), [[c, 13]])
    const [item] = await service.arera.deadlines({ mailboxId }, now)
    t.match(item, { workOrderId: c, type: 'ritiro_su_chiamata', dueDate: '2026-12-01', contributorName: 'Rossi Mario', mailboxId, clockState: 'running' })

    const res = await host.app.inject({ url: `${API}/deadlines?overdue=true&type=reclamo_scritto`, headers: auth('demo-viewer') })
    t.equal(res.statusCode, 200)
    t.ok(
      res.json().items.some((i: { workOrderId: number; daysLeft: number }) => i.workOrderId === b && i.daysLeft < 0),
      'B is overdue whatever the day the suite runs'
    )
    t.ok(res.json().items.every((i: { daysLeft: number }) => i.daysLeft < 0))
    for (const [query, message] of [
      ['maxDaysLeft=tanti', 'Richiesta non valida: il campo "maxDaysLeft" deve essere un numero intero'],
      ['overdue=si', 'Richiesta non valida: il campo "overdue" deve essere true o false'],
      ['type=reclami', /^Tipo di richiesta non valido: "reclami"\. Valori ammessi: /],
      ['mailboxId=x', 'Richiesta non valida: il campo "mailboxId" deve essere un numero intero']
    ] as const) {
      const bad = await host.app.inject({ url: `${API}/deadlines?${query}`, headers: auth('demo-viewer') })
      t.equal(bad.statusCode, 400, query)
      t.match(bad.json().message, message, query)
    }
  })

  t.test('the daily digest', async (t) => {
    t.equal(romeHour(new Date('2026-11-12T07:30:00Z')), 8, 'winter: UTC+1')
    t.equal(romeHour(new Date('2026-07-01T06:30:00Z')), 8, 'summer: UTC+2')
    const thursday = new Date('2026-11-12T07:30:00Z')
    const outcome = await service.arera.runDigest(thursday)
    t.match(outcome, { queued: true, day: '2026-11-12' })
    const rows = await host.knex('trc_outbox').where({ kind: 'digest' })
    t.equal(rows.length, 1)
    const row = rows[0]
    t.equal(row.message_id, null, 'not part of any conversation')
    t.equal(row.recipient, 'responsabile@garbage.example.test')
    const payload = JSON.parse(row.payload_json)
    // Overdue: B (and the 120-day-old complaint from the first subtest); due within 5 working days: A.
    t.match(payload.subject, /^Scadenze ARERA del 12\/11\/2026: \d+ scadute, \d+ in scadenza$/)
    t.match(
      payload.text,
      /Richieste con il termine scaduto:\n(- .*\n)*- RC-2026-\d+ — Reclamo: mastelli rubati — Reclamo scritto — scadenza 19\/10\/2026 — in ritardo di 18 giorni lavorativi/
    )
    t.match(
      payload.text,
      /Richieste in scadenza:\n(- .*\n)*- RC-2026-\d+ — Reclamo: raccolta irregolare — Reclamo scritto — scadenza 16\/11\/2026 — mancano 2 giorni lavorativi/
    )
    t.notMatch(payload.text, /ritiro ingombranti/, '13 working days left: not yet in the digest')
    t.match(payload.html, /<table[^>]*><caption>Richieste con il termine scaduto<\/caption>/)
    t.match(payload.headers, { 'Auto-Submitted': 'auto-generated' })
    t.equal(payload.from, MAIL_FROM)

    t.match(await service.arera.runDigest(new Date('2026-11-12T16:00:00Z')), { queued: false, reason: 'already-sent' }, 'once a day, whatever the instance')
    t.match(await service.arera.runDigest(new Date('2026-11-14T08:00:00Z')), { queued: false, reason: 'not-working-day' }, 'Saturday')
    t.equal((await host.knex('trc_outbox').where({ kind: 'digest' })).length, 1)
  })
})
