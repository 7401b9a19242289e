// Issue 13, end to end: the Garibaldi email (an organic bin not emptied for three weeks, an intervention and a
// check of the tariff asked for) arrives through the ingest pipeline, is suggested as a written complaint with the
// intervention as its second clock, an operator confirms both through the API, and the register and the yearly
// indicators show each clock under its own standard. Every date is computed by hand below (Europe/Rome days,
// 2026–2027 Italian holidays).
import t from 'tap'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { internalsOf } from '../../src/internals.js'

const API = '/api/communications'
const SUBJECT = "Bidone dell'organico non svuotato in via Garibaldi"
const TEXT =
  "Buongiorno, il bidone dell'organico in via Garibaldi 12 non viene svuotato da tre settimane. Chiedo un intervento " +
  'e una verifica della tariffa che ho già pagato, visto che il servizio non viene svolto. Cordiali saluti, Anna Bianchi'

// Friday 20 November 2026, 18:45 in Rome (17:45Z, CET): day 0 is Friday 20 November.
const RECEIVED = new Date('2026-11-20T17:45:00Z')
// The reasoned reply, 30 working days: 23–27 Nov (5), 30 Nov–4 Dec (10), 7 Dec (11), 8 Dec Immacolata, 9–11 (14),
// 14–18 (19), 21–24 (23), 25 Natale, 26 Santo Stefano (Saturday), 28–31 (27), 1 Jan Capodanno, 4 Jan (28),
// 5 (29), 6 Epifania, 7 Jan (30).
const REPLY_DUE = '2027-01-07'
// The intervention, 5 working days without an on-site inspection: 23–27 Nov. With one, 10: 30 Nov–4 Dec.
const INTERVENTION_DUE = '2026-11-27'
const INTERVENTION_DUE_INSPECTION = '2026-12-04'
// The intervention was done on Monday 30 November (working day 6): late without an inspection, on time with one.
const DONE = '2026-11-30T10:00:00.000Z'
// The reasoned reply was sent on Thursday 10 December: 23–27 Nov (5), 30 Nov–4 Dec (10), 7 (11), 9 (12), 10 (13).
const REPLIED = new Date('2026-12-10T15:00:00+01:00')

async function ingestGaribaldi(host: TestHost): Promise<number> {
  const raw = await buildMail({ from: 'Anna Bianchi <anna.bianchi@example.test>', to: 'reclami@garbage.example.test', subject: SUBJECT, text: TEXT })
  const result = await host.app.communications.mail.ingest(raw, { receivedAt: RECEIVED })
  if (result.outcome !== 'created') throw new Error(`expected a new work order, got ${result.outcome}`)
  return result.workOrderId as number
}

t.test('the Garibaldi email: a written complaint with the intervention as its second clock', async (t) => {
  const host = await startTestHost()
  t.teardown(() => host.close())
  const repos = internalsOf(host.app.communications).repositories
  const api = (method: 'GET' | 'PUT', url: string, payload?: object, token: 'demo-viewer' | 'demo-operator' = 'demo-operator') =>
    host.app.inject({ method, url: `${API}${url}`, headers: auth(token), ...(payload ? { payload } : {}) })
  const id = await ingestGaribaldi(host)

  // As ingested: a complaint due 30 working days after receipt; the intervention only suggested.
  const view = (await api('GET', `/work-orders/${id}`)).json()
  t.match(view, {
    type: 'reclamo_scritto',
    suggestedType: 'reclamo_scritto',
    typeConfirmed: false,
    receivedAt: RECEIVED.toISOString(),
    dueDate: REPLY_DUE,
    standardWorkingDays: 30,
    suggestedServiceType: 'segnalazione_disservizio',
    serviceClock: null
  })
  const suggestion = (await api('GET', `/work-orders/${id}/classification/suggestion`, undefined, 'demo-viewer')).json()
  t.same(suggestion, {
    type: 'reclamo_scritto',
    confidence: 'high',
    rule: 'failure_or_dissatisfaction',
    matched: ['non svuotat*', 'non viene svuotat*', 'non viene svolto', 'intervento'],
    explanation:
      'Parole trovate: "non svuotat*", "non viene svuotat*", "non viene svolto", "intervento". Chi segnala un disservizio o esprime ' +
      'insoddisfazione presenta un reclamo scritto (TQRIF art. 13): risposta motivata. Chiede anche un servizio ("non svuotat*", ' +
      '"non viene svuotat*", "non viene svolto", "intervento"): secondo termine da confermare.',
    service: {
      type: 'segnalazione_disservizio',
      typeLabel: 'Segnalazione di disservizio',
      matched: ['non svuotat*', 'non viene svuotat*', 'non viene svolto', 'intervento']
    }
  })
  const before = (await api('GET', '/register?from=2026-11-20&to=2026-11-20', undefined, 'demo-viewer')).json().items
  t.same(
    before.map((e: { clock: string; type: string }) => [e.clock, e.type]),
    [['reply', 'reclamo_scritto']],
    'no intervention row before the operator confirms it'
  )

  // The operator confirms the complaint (collection service) and the intervention clock.
  const denied = await api('PUT', `/work-orders/${id}/service-clock`, { type: 'segnalazione_disservizio' }, 'demo-viewer')
  t.equal(denied.statusCode, 403, 'read-only operators cannot confirm a clock')
  const classified = await api('PUT', `/work-orders/${id}/classification`, { type: 'reclamo_scritto', service: 'raccolta_trasporto' })
  t.equal(classified.statusCode, 200)
  t.match(classified.json(), {
    type: 'reclamo_scritto',
    typeConfirmed: true,
    typeConfirmedBy: 'Operatore Demo',
    service: 'raccolta_trasporto',
    dueDate: REPLY_DUE
  })
  const confirmed = await api('PUT', `/work-orders/${id}/service-clock`, { type: 'segnalazione_disservizio' })
  t.equal(confirmed.statusCode, 200)
  t.match(confirmed.json(), {
    dueDate: REPLY_DUE,
    serviceClock: {
      type: 'segnalazione_disservizio',
      typeLabel: 'Segnalazione di disservizio',
      article: 'TQRIF art. 33',
      inspection: false,
      standardWorkingDays: 5,
      startedAt: RECEIVED.toISOString(),
      dueDate: INTERVENTION_DUE,
      doneAt: null,
      confirmedBy: 'Operatore Demo'
    }
  })
  t.equal((await repos.workOrderMeta.find(id))?.serviceClock?.dueDate, INTERVENTION_DUE, 'the due date is stored')

  // Done on working day 6: a miss without inspection, whose cause the operator records …
  const late = await api('PUT', `/work-orders/${id}/service-clock`, { doneAt: DONE })
  t.match(late.json().serviceClock, { doneAt: DONE, workingDaysTaken: 6, clockState: 'stopped', standardMet: false })
  const cause = await api('PUT', `/work-orders/${id}/service-clock`, { missCause: 'utente_o_terzi' })
  t.match(cause.json().serviceClock, { standardMet: false, missCause: 'utente_o_terzi' })
  // … then finds there was an on-site inspection: 10 working days, met; the cause no longer applies.
  const inspected = await api('PUT', `/work-orders/${id}/service-clock`, { inspection: true })
  t.equal(inspected.statusCode, 200, 'correcting the inspection of a missed clock is allowed')
  t.match(inspected.json().serviceClock, {
    inspection: true,
    standardWorkingDays: 10,
    dueDate: INTERVENTION_DUE_INSPECTION,
    workingDaysTaken: 6,
    standardMet: true,
    missCause: null
  })
  const audit = (await repos.audit.listByWorkOrder(id)).filter((a) => a.action === 'arera.serviceClock').map((a) => a.details)
  t.equal(audit.length, 4, 'every change of the second clock is audited')
  t.match(
    audit.find((d) => (d.to as { inspection?: boolean } | null)?.inspection === true),
    {
      from: { type: 'segnalazione_disservizio', inspection: false, dueDate: INTERVENTION_DUE, doneAt: DONE, missCause: 'utente_o_terzi' },
      to: { type: 'segnalazione_disservizio', inspection: true, dueDate: INTERVENTION_DUE_INSPECTION, doneAt: DONE, missCause: null },
      suggested: 'segnalazione_disservizio'
    }
  )

  // The reasoned reply (what the outbox records when the reply is sent; set directly so the date is fixed).
  await repos.workOrderMeta.update(id, { replySentAt: REPLIED })

  // Both clocks in the register, each with its own standard and outcome.
  const register = await api('GET', '/register?from=2026-11-01&to=2026-11-30', undefined, 'demo-viewer')
  t.equal(register.statusCode, 200)
  const reference = (await repos.workOrderMeta.find(id))?.reference
  t.match(register.json().items, [
    {
      workOrderId: id,
      reference,
      clock: 'reply',
      type: 'reclamo_scritto',
      typeConfirmed: true,
      service: 'raccolta_trasporto',
      receivedDate: '2026-11-20',
      dueDate: REPLY_DUE,
      replyDate: '2026-12-10',
      standardWorkingDays: 30,
      workingDaysTaken: 13,
      outcome: 'met',
      standardMet: true,
      missCause: null
    },
    {
      workOrderId: id,
      reference,
      clock: 'service',
      type: 'segnalazione_disservizio',
      typeLabel: 'Segnalazione di disservizio',
      typeConfirmed: true,
      receivedDate: '2026-11-20',
      dueDate: INTERVENTION_DUE_INSPECTION,
      replyDate: '2026-11-30',
      standardWorkingDays: 10,
      workingDaysTaken: 6,
      outcome: 'met',
      standardMet: true,
      missCause: null
    }
  ])
  t.equal(register.json().items.length, 2)
  const csv = (await api('GET', '/register.csv?from=2026-11-20&to=2026-11-20', undefined, 'demo-viewer')).body.slice(1).split('\r\n')
  const generic = await host.knex('contribuenti').first('nominativo').where('email_secondaria', 'anna.bianchi@example.test')
  const contributor = (await repos.host.findWorkOrder(id))?.contributorId
  t.same(csv.slice(1), [
    `${reference};Email;${generic.nominativo};${contributor};Reclamo scritto;Sì;Raccolta e trasporto;20/11/2026;07/01/2027;10/12/2026;13;0;30;Rispettato;;Risposta motivata;`,
    `${reference};Email;${generic.nominativo};${contributor};Segnalazione di disservizio;Sì;Raccolta e trasporto;20/11/2026;04/12/2026;30/11/2026;6;0;10;Rispettato;;Servizio richiesto;`,
    ''
  ])

  // The indicators count the work order once under each of its two standards.
  const report = (await api('GET', '/indicators?year=2026', undefined, 'demo-viewer')).json()
  t.match(report.totals, { requests: 1, withStandard: 2, met: 2, missed: 0, pending: 0 })
  const by = (type: string) => report.standards.find((s: { type: string }) => s.type === type)
  t.match(by('reclamo_scritto'), { standardWorkingDays: 30, requests: 1, met: 1, missed: 0, pending: 0, averageWorkingDays: 13 })
  t.match(by('segnalazione_disservizio'), {
    standardWorkingDays: 5,
    standardWorkingDaysWithInspection: 10,
    requests: 1,
    met: 1,
    missed: 0,
    pending: 0,
    averageWorkingDays: 6
  })
  for (const s of report.standards.filter((x: { type: string }) => x.type !== 'reclamo_scritto' && x.type !== 'segnalazione_disservizio')) {
    t.equal(s.requests, 0, `${s.type}: nothing counted`)
  }
})

t.test('the Garibaldi email: with the intervention late and no reply, both clocks are misses of their own standard', async (t) => {
  const host = await startTestHost()
  t.teardown(() => host.close())
  const api = (method: 'GET' | 'PUT', url: string, payload?: object) =>
    host.app.inject({ method, url: `${API}${url}`, headers: auth('demo-operator'), ...(payload ? { payload } : {}) })
  const id = await ingestGaribaldi(host)
  // Done on Tuesday 1 December (working day 7), no inspection: missed by the operator.
  const done = await api('PUT', `/work-orders/${id}/service-clock`, {
    type: 'segnalazione_disservizio',
    doneAt: '2026-12-01T09:00:00.000Z',
    missCause: 'gestore'
  })
  t.equal(done.statusCode, 200)
  t.match(done.json().serviceClock, { dueDate: INTERVENTION_DUE, workingDaysTaken: 7, standardMet: false, missCause: 'gestore' })
  // A cause on a clock that met its standard is refused, in the caller's language.
  const refused = await host.app.inject({
    method: 'PUT',
    url: `${API}/work-orders/${id}/service-clock?lang=en`,
    headers: auth('demo-operator'),
    payload: { inspection: true, missCause: 'gestore' }
  })
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { code: 'missCauseNotApplicable', message: 'A miss cause can only be recorded for requests that missed their standard.' })
  const items = (await api('GET', '/register?from=2026-11-20&to=2026-11-20')).json().items
  t.match(items, [
    { clock: 'reply', type: 'reclamo_scritto', dueDate: REPLY_DUE, replyDate: null },
    {
      clock: 'service',
      type: 'segnalazione_disservizio',
      dueDate: INTERVENTION_DUE,
      replyDate: '2026-12-01',
      workingDaysTaken: 7,
      outcome: 'missed',
      missCause: 'gestore'
    }
  ])
  const report = (await api('GET', '/indicators?year=2026')).json()
  const by = (type: string) => report.standards.find((s: { type: string }) => s.type === type)
  t.match(by('segnalazione_disservizio'), {
    requests: 1,
    met: 0,
    missed: 1,
    missedByCause: { gestore: 1, forza_maggiore: 0, utente_o_terzi: 0, non_registrata: 0 },
    averageWorkingDays: 7
  })
  // The reply clock is pending until 7 January 2027 and a miss after it: it depends on today, only its count is fixed.
  t.equal(by('reclamo_scritto').requests, 1)
})
