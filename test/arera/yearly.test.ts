// Issue 13, end to end: the yearly communication (TQRIF art. 58) of a seeded 2025, per territory, as JSON and as
// the one-page PDF to sign. Requests arrive through the ingest pipeline (the mailbox receipt instant), operators
// confirm clocks, record causes and merge a duplicate through the API; the archive import brings history in. Every
// figure is computed by hand below (2025 Italian calendar, Europe/Rome days; holidays on weekdays: 1 and 6 Jan,
// 21 Apr Easter Monday, 25 Apr, 1 May, 2 Jun, 15 Aug, 8 Dec, 25–26 Dec).
import t from 'tap'
import { HOST_MAPPING } from '../../example-host/app.js'
import { migrateHost } from '../../example-host/migrations.js'
import { seedIfEmpty } from '../../example-host/seed.js'
import { internalsOf } from '../../src/internals.js'
import { createTestDatabase } from '../helpers/db.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { pdfPages, pdfText } from '../helpers/pdf-text.js'

const API = '/api/communications'
const MARIO = 'Mario Rossi <mario.rossi@example.test>'
const STRANGER = 'Cittadino <nuovo.utente@example.test>'
const MILANESE = 'Carla Brambilla <carla.brambilla@milano.example.test>'

interface Case {
  key: string
  from: string
  subject: string
  received: string
  reply: string | null
  cause?: 'forza_maggiore' | 'utente_o_terzi' | 'gestore'
  archive?: { includeInRegister: boolean }
}

const CASES: Case[] = [
  // 00:30 on 1 January in Rome (still 2024 in UTC): a 2025 complaint. 2 Jan (1), 3 (2), 6 Jan holiday, 7–10 (6): met.
  { key: 'R1', from: MARIO, subject: 'Reclamo: raccolta saltata a Capodanno', received: '2024-12-31T23:30:00Z', reply: '2025-01-10T10:00:00+01:00' },
  // Monday 13 Jan → 10 Mar, billing correction (60): 14–17 (4), 20–24 (9), 27–31 (14), Feb 3–7 (19), 10–14 (24),
  // 17–21 (29), 24–28 (34), Mar 3–7 (39), 10 (40): met.
  {
    key: 'B1',
    from: MARIO,
    subject: 'Richiesta di rettifica: importo errato sulla TARI',
    received: '2025-01-13T10:00:00+01:00',
    reply: '2025-03-10T10:00:00+01:00'
  },
  // Monday 3 Feb → Friday 14 Feb: 4–7 (4), 10–14 (9): met.
  { key: 'R2', from: MARIO, subject: 'Reclamo per il mancato ritiro del vetro', received: '2025-02-03T10:00:00+01:00', reply: '2025-02-14T12:00:00+01:00' },
  // The same complaint again the next day: merged into R2 by an operator, counted once (in R2).
  { key: 'DUP', from: MARIO, subject: 'Reclamo per il mancato ritiro del vetro (sollecito)', received: '2025-02-04T10:00:00+01:00', reply: null },
  // Monday 3 Mar → Tuesday 15 Apr: 4–7 (4), 10–14 (9), 17–21 (14), 24–28 (19), 31 Mar–4 Apr (24), 7–11 (29),
  // 14 (30), 15 (31): missed, the operator's fault.
  {
    key: 'R3',
    from: STRANGER,
    subject: 'Reclamo: cassonetti mai svuotati',
    received: '2025-03-03T15:00:00+01:00',
    reply: '2025-04-15T12:00:00+02:00',
    cause: 'gestore'
  },
  // Thursday 17 Apr → Friday 6 Jun: 18 (1), 21 Easter Monday, 22–24 (4), 25 Apr, 28–30 (7), 1 May, 2 (8), 5–9 (13),
  // 12–16 (18), 19–23 (23), 26–30 (28), 2 Jun, 3 (29), 4 (30), 5 (31), 6 (32): missed, force majeure.
  {
    key: 'R4',
    from: MARIO,
    subject: 'Reclamo: strada non pulita dopo il mercato',
    received: '2025-04-17T11:00:00+02:00',
    reply: '2025-06-06T12:00:00+02:00',
    cause: 'forza_maggiore'
  },
  // Tuesday 3 Jun → Wednesday 4 Jun: met.
  {
    key: 'I1',
    from: STRANGER,
    subject: 'Vorrei sapere gli orari del centro di raccolta',
    received: '2025-06-03T10:00:00+02:00',
    reply: '2025-06-04T10:00:00+02:00'
  },
  // Monday 7 Jul → 25 Aug: 8–11 (4), 14–18 (9), 21–25 (14), 28 Jul–1 Aug (19), 4–8 (24), 11–14 (28), 15 Aug,
  // 18–22 (33), 25 (34): missed, caused by the user.
  {
    key: 'I2',
    from: MARIO,
    subject: 'Vorrei sapere come posso avere i sacchi gialli',
    received: '2025-07-07T10:00:00+02:00',
    reply: '2025-08-25T10:00:00+02:00',
    cause: 'utente_o_terzi'
  },
  // Monday 8 Sep, a failure report asking for an intervention: the complaint replied Friday 26 Sep, 9–12 (4),
  // 15–19 (9), 22–26 (14): met; the intervention (second clock, 5) done Monday 15 Sep, 9–12 (4), 15 (5): met.
  { key: 'G1', from: STRANGER, subject: 'Bidone non svuotato in via Garibaldi', received: '2025-09-08T10:00:00+02:00', reply: '2025-09-26T10:00:00+02:00' },
  // History from the archive, in the register: Monday 6 Oct → Friday 10 Oct, 4: met.
  {
    key: 'H1',
    from: MARIO,
    subject: 'Reclamo: bidone non svuotato',
    received: '2025-10-06T10:00:00+02:00',
    reply: '2025-10-10T10:00:00+02:00',
    archive: { includeInRegister: true }
  },
  // History from the archive, kept out of the register: never counted.
  {
    key: 'H2',
    from: MARIO,
    subject: 'Reclamo: raccolta non effettuata',
    received: '2025-10-13T10:00:00+02:00',
    reply: null,
    archive: { includeInRegister: false }
  },
  // Monday 3 Nov, never answered: due 16 Dec, long past, a miss whose cause nobody recorded.
  { key: 'R5', from: STRANGER, subject: 'Reclamo: nessuna risposta alle mie segnalazioni', received: '2025-11-03T10:00:00+01:00', reply: null },
  // 00:30 on 1 January 2026 in Rome: not a 2025 request.
  { key: 'X1', from: MARIO, subject: 'Reclamo: raccolta saltata', received: '2025-12-31T23:30:00Z', reply: '2026-01-07T10:00:00+01:00' },
  // Milan (the sender's municipality): Friday 28 Nov → Friday 19 Dec: 1–5 Dec (5), 8 Dec, 9–12 (9), 15–19 (14): met.
  { key: 'M1', from: MILANESE, subject: 'Reclamo: cestini stradali pieni', received: '2025-11-28T10:00:00+01:00', reply: '2025-12-19T10:00:00+01:00' },
  // Milan, Tuesday 3 Jun, never answered: missed, the operator's fault.
  { key: 'M2', from: MILANESE, subject: 'Vorrei sapere il calendario della raccolta', received: '2025-06-03T10:00:00+02:00', reply: null, cause: 'gestore' }
]

/** The host's contributor table with a user type and an end of supply, as an ERP has them. */
async function seededHost(): Promise<{ host: TestHost; destroy: () => Promise<void> }> {
  const db = await createTestDatabase()
  await migrateHost(db.knex)
  await seedIfEmpty(db.knex, 220, 40)
  await db.knex.schema.alterTable('contribuenti', (t) => {
    t.string('tipo_utenza', 20).nullable()
    t.date('data_cessazione').nullable()
  })
  // 220 rows: the generic contributor and 219 named ones, all in Emilia-Romagna towns (the default territory).
  await db.knex('contribuenti').where('generico', false).update({ tipo_utenza: 'DOM' })
  await db.knex('contribuenti').where('email', 'mario.rossi@example.test').update({ tipo_utenza: ' nd ' }) // a shop; spelled loosely
  await db.knex('contribuenti').where('email_secondaria', 'anna.bianchi@example.test').update({ tipo_utenza: 'X' }) // a type the mapping does not spell
  await db.knex('contribuenti').where('email', 'famiglia.bianchi@example.test').whereNull('email_secondaria').update({ data_cessazione: '2025-06-30' }) // ceased in June
  await db.knex('contribuenti').insert([
    { nominativo: 'Brambilla Carla', email: 'carla.brambilla@milano.example.test', comune: 'Milano', tipo_utenza: 'DOM', generico: false },
    { nominativo: 'Colombo Luigi', email: null, comune: 'Milano', tipo_utenza: 'DOM', generico: false },
    { nominativo: 'Bar Sport Srl', email: null, comune: 'Milano', tipo_utenza: 'ND', generico: false },
    // ceases in January 2026: still served on 31 December 2025
    { nominativo: 'Sala Pietro', email: null, comune: 'Milano', tipo_utenza: 'DOM', generico: false, data_cessazione: '2026-01-15' },
    // ceased in 2024: not a user any more
    { nominativo: 'Fumagalli Ada', email: null, comune: 'Milano', tipo_utenza: 'DOM', generico: false, data_cessazione: '2024-03-31' }
  ])
  const host = await startTestHost(
    {
      organizationName: 'Garbage Servizi Ambientali S.p.A.',
      mapping: {
        ...HOST_MAPPING,
        contributors: {
          ...HOST_MAPPING.contributors,
          userType: 'tipo_utenza',
          userTypeValues: { domestica: ['DOM'], non_domestica: ['ND'] },
          activeTo: 'data_cessazione'
        }
      },
      arera: {
        scheme: 'III',
        territories: [{ code: 'milano', name: 'Comune di Milano', municipalities: ['Milano'], patronSaint: { month: 12, day: 7, name: "Sant'Ambrogio" } }]
      }
    },
    db
  )
  return {
    host,
    destroy: async () => {
      await host.close()
      await db.destroy()
    }
  }
}

async function seedYear(host: TestHost): Promise<Map<string, number>> {
  const repos = internalsOf(host.app.communications).repositories
  const api = (method: 'PUT' | 'POST', url: string, payload: object) =>
    host.app.inject({ method, url: `${API}${url}`, headers: auth('demo-operator'), payload })
  const ids = new Map<string, number>()
  for (const c of CASES) {
    const raw = await buildMail({ from: c.from, to: 'reclami@garbage.example.test', subject: c.subject, text: `${c.subject}.\nCordiali saluti` })
    const result = await host.app.communications.mail.ingest(raw, { receivedAt: new Date(c.received), ...(c.archive ? { archive: c.archive } : {}) })
    if (result.outcome !== 'created') throw new Error(`${c.key}: expected a new work order, got ${result.outcome}`)
    ids.set(c.key, result.workOrderId as number)
    // the reply date the outbox records when the reasoned reply is sent, fixed here
    if (c.reply) await repos.workOrderMeta.update(result.workOrderId as number, { replySentAt: new Date(c.reply) })
  }
  const check = async (what: string, res: Promise<{ statusCode: number; body: string }>) => {
    const r = await res
    if (r.statusCode !== 200) throw new Error(`${what}: ${r.statusCode} ${r.body}`)
  }
  await check('merge', api('POST', `/work-orders/${ids.get('DUP')}/merge`, { into: ids.get('R2') }))
  await check(
    'intervention',
    api('PUT', `/work-orders/${ids.get('G1')}/service-clock`, { type: 'segnalazione_disservizio', doneAt: '2025-09-15T16:00:00+02:00' })
  )
  for (const c of CASES.filter((x) => x.cause))
    await check(`${c.key} cause`, api('PUT', `/work-orders/${ids.get(c.key)}/miss-cause`, { cause: c.cause as string }))
  return ids
}

const causes = (forza_maggiore: number, utente_o_terzi: number, gestore: number, non_registrata: number) => ({
  forza_maggiore,
  utente_o_terzi,
  gestore,
  non_registrata
})
const zero = { requests: 0, met: 0, missed: 0, missedByCause: causes(0, 0, 0, 0), pending: 0, percentMet: null, averageWorkingDays: null, compliant: null }

t.test('the yearly communication of a seeded 2025, per territory, as JSON and PDF', async (t) => {
  const { host, destroy } = await seededHost()
  t.teardown(destroy)
  await seedYear(host)
  const get = (url: string) => host.app.inject({ url: `${API}${url}`, headers: auth('demo-viewer') })

  const res = await get('/arera/yearly-communication?year=2025')
  t.equal(res.statusCode, 200, res.body)
  const report = res.json()
  t.match(report, {
    year: 2025,
    deadline: '2026-03-31',
    operator: 'Garbage Servizi Ambientali S.p.A.',
    territory: { code: null, name: 'Garbage Servizi Ambientali S.p.A.' },
    scheme: { id: 'III', minimumCompliancePercent: 70 },
    checklist: null
  })
  // 219 named contributors: Mario Rossi non-domestic (' nd ' reads as ND), Anna Bianchi's 'X' unclassified,
  // Giuseppe Bianchi ceased in June; the 216 others domestic. The generic contributor is nobody's supply.
  t.same(report.users, { on: '2025-12-31', domestiche: 216, non_domestiche: 1, non_classificate: 1, total: 218 })
  // Ten work orders of 2025 in the default territory: R1 B1 R2 R3 R4 I1 I2 G1 H1 R5 (DUP merged into R2, H2 kept
  // out of the register, X1 received in 2026, M1 M2 in Milan); G1 also counts under the intervention standard.
  t.same(report.totals, { requests: 10, withStandard: 11, met: 7, missed: 4, pending: 0 })
  const by = (r: { standards: Array<{ type: string }> }, type: string) => r.standards.find((s) => s.type === type)
  // Complaints: met R1 (6), R2 (9), G1 (14), H1 (4); missed R3 (31, operator), R4 (32, force majeure), R5 (no reply,
  // no cause). 4 / 7 = 57.1 %, below the 70 % of Schema III; average over the six replied: (6+9+14+4+31+32)/6 = 16.
  t.match(by(report, 'reclamo_scritto'), {
    standardWorkingDays: 30,
    article: 'TQRIF art. 14',
    toConfirm: false,
    requests: 7,
    met: 4,
    missed: 3,
    missedByCause: causes(1, 0, 1, 1),
    pending: 0,
    percentMet: 57.1,
    averageWorkingDays: 16,
    minimumPercent: 70,
    compliant: false
  })
  // Information: I1 (1) met, I2 (34) missed by the user: 50 %, average 17.5.
  t.match(by(report, 'richiesta_informazioni'), {
    requests: 2,
    met: 1,
    missed: 1,
    missedByCause: causes(0, 1, 0, 0),
    percentMet: 50,
    averageWorkingDays: 17.5,
    compliant: false
  })
  // Billing correction: B1, 40 of 60.
  t.match(by(report, 'rettifica_importi'), {
    standardWorkingDays: 60,
    toConfirm: true,
    requests: 1,
    met: 1,
    missed: 0,
    percentMet: 100,
    averageWorkingDays: 40,
    compliant: true
  })
  // The intervention on G1: 5 of 5.
  t.match(by(report, 'segnalazione_disservizio'), {
    standardWorkingDays: 5,
    standardWorkingDaysWithInspection: 10,
    requests: 1,
    met: 1,
    percentMet: 100,
    averageWorkingDays: 5,
    compliant: true
  })
  for (const type of [
    'ritiro_su_chiamata',
    'riparazione_attrezzature',
    'attivazione_variazione_cessazione',
    'consegna_attrezzature',
    'rimborso_importi',
    'inoltro_tra_gestori',
    'inoltro_risposta'
  ]) {
    t.match(by(report, type), zero, `${type}: nothing in 2025`)
  }
  t.same(
    report.standards.map((s: { type: string }) => s.type),
    [
      'reclamo_scritto',
      'richiesta_informazioni',
      'rettifica_importi',
      'segnalazione_disservizio',
      'ritiro_su_chiamata',
      'riparazione_attrezzature',
      'attivazione_variazione_cessazione',
      'consegna_attrezzature',
      'rimborso_importi',
      'inoltro_tra_gestori',
      'inoltro_risposta'
    ],
    'every standard in force, in order; "altro" has none'
  )

  const milano = (await get('/arera/yearly-communication?year=2025&territory=milano')).json()
  t.match(milano, { territory: { code: 'milano', name: 'Comune di Milano' }, checklist: null })
  // Carla Brambilla, Luigi Colombo, Pietro Sala (ceases in 2026) domestic; Bar Sport non-domestic; Ada Fumagalli ceased in 2024.
  t.same(milano.users, { on: '2025-12-31', domestiche: 3, non_domestiche: 1, non_classificate: 0, total: 4 })
  t.same(milano.totals, { requests: 2, withStandard: 2, met: 1, missed: 1, pending: 0 })
  t.match(by(milano, 'reclamo_scritto'), { requests: 1, met: 1, missed: 0, percentMet: 100, averageWorkingDays: 14, compliant: true })
  t.match(by(milano, 'richiesta_informazioni'), {
    requests: 1,
    met: 0,
    missed: 1,
    missedByCause: causes(0, 0, 1, 0),
    percentMet: 0,
    averageWorkingDays: null,
    compliant: false
  })
  t.match(by(milano, 'segnalazione_disservizio'), zero)

  const unknown = await get('/arera/yearly-communication?year=2025&territory=torino')
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json().message, /torino/)
  t.match(unknown.json().message, /milano/)

  // The PDF: one A4 page with the same figures, the users, and the lines to sign.
  const pdf = await get('/arera/yearly-communication.pdf?year=2025')
  t.equal(pdf.statusCode, 200)
  t.equal(pdf.headers['content-type'], 'application/pdf')
  t.match(pdf.headers['content-disposition'], /attachment; filename="comunicazione-annuale-arera_2025\.pdf"/)
  t.equal(pdfPages(pdf.rawPayload), 1, 'one page')
  const text = pdfText(pdf.rawPayload)
  t.match(text, 'Comunicazione annuale degli standard di qualità – anno 2025')
  t.match(text, 'TQRIF (delibera ARERA 15/2022/R/rif), art. 58 – da trasmettere entro il 31/03/2026')
  t.match(text, 'Gestore: Garbage Servizi Ambientali S.p.A. Territorio: Garbage Servizi Ambientali S.p.A. Schema regolatorio: Schema III')
  t.match(text, 'Utenze servite al 31/12/2025 Domestiche Non domestiche Non classificate Totale 216 1 1 218 ')
  // Columns: days, received, met, missed, force majeure, user/third parties, operator (with the unrecorded), pending, average.
  t.match(text, 'Tempo di risposta motivata ai reclami scritti (TQRIF art. 14) 30 7 4 3 1 0 2 0 16 ')
  t.match(text, 'Tempo di risposta motivata alle richieste scritte di informazioni (TQRIF art. 15) 30 2 1 1 0 1 0 0 17,5 ')
  t.match(text, 'Tempo di risposta motivata alle richieste scritte di rettifica degli importi addebitati (TQRIF art. 16, da confermare) 60 1 1 0 0 0 0 0 40 ')
  t.match(text, 'Tempo di intervento in caso di segnalazioni per disservizi (TQRIF art. 33, da confermare) 5/10 1 1 0 0 0 0 0 5 ')
  t.match(text, 'Tempo di ritiro dei rifiuti su chiamata (TQRIF art. 31, da confermare) 15 0 0 0 0 0 0 0 – ')
  t.match(text, 'Il legale rappresentante')

  const milanoPdf = await get('/arera/yearly-communication.pdf?year=2025&territory=milano')
  t.match(milanoPdf.headers['content-disposition'], /filename="comunicazione-annuale-arera_2025_milano\.pdf"/)
  const milanoText = pdfText(milanoPdf.rawPayload)
  t.match(milanoText, 'Territorio: Comune di Milano')
  t.match(milanoText, 'Totale 3 1 0 4 ')
  t.match(milanoText, 'Tempo di risposta motivata ai reclami scritti (TQRIF art. 14) 30 1 1 0 0 0 0 0 14 ')
  t.match(milanoText, 'Tempo di risposta motivata alle richieste scritte di informazioni (TQRIF art. 15) 30 1 0 1 0 0 1 0 – ')
})

t.test('Schema I: the obligations checklist instead of the standards', async (t) => {
  const host = await startTestHost({ arera: { scheme: 'I' } })
  t.teardown(() => host.close())
  const report = (await host.app.inject({ url: `${API}/arera/yearly-communication?year=2025`, headers: auth('demo-viewer') })).json()
  t.match(report, { scheme: { id: 'I', minimumCompliancePercent: null }, standards: [] })
  t.ok(report.checklist.length > 0, 'the obligations to declare')
  // Without a user type column every supply is unclassified: the 219 named contributors of the seed.
  t.same(report.users, { on: '2025-12-31', domestiche: 0, non_domestiche: 0, non_classificate: 219, total: 219 })
  const text = pdfText((await host.app.inject({ url: `${API}/arera/yearly-communication.pdf?year=2025`, headers: auth('demo-viewer') })).rawPayload)
  t.match(text, 'Schema I: obblighi di servizio (nessuno standard generale)')
  t.match(text, `[ ] ${report.checklist[0].label.it}`)
  t.notMatch(text, 'Tempo medio')
})
