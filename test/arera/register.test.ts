// End to end: requests arrive by email (ingestRaw with the mailbox receipt instant), operators classify them and
// record miss causes through the API, replies stop the clock; the register and the yearly indicators must match
// the figures computed by hand below (2025 and 2026 Italian calendars, Europe/Rome days).
import t from 'tap'
import JSZip from 'jszip'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { internalsOf } from '../../src/internals.js'

const API = '/api/communications'
const MARIO = 'Mario Rossi <mario.rossi@example.test>'
const STRANGER = 'Cittadino <nuovo.utente@example.test>'

interface Case {
  key: string
  from: string
  subject: string
  /** Mailbox receipt instant (the IMAP internal date). */
  received: string
  reply: string | null
  /** What the keyword classifier must suggest. */
  suggested: string
  /** What an operator sets through PUT /classification, when it differs. */
  classify?: string
  cause?: 'forza_maggiore' | 'utente_o_terzi' | 'gestore'
  /** Hand-computed: Rome receipt day, working days taken (null without reply), outcome. */
  receivedDate: string
  taken: number | null
  outcome: 'met' | 'missed' | 'pending' | 'no_standard'
}

// 2025 holidays on weekdays: 1 and 6 Jan, 21 Apr (Easter Monday), 25 Apr, 1 May, 2 Jun, 15 Aug, 8 Dec, 25–26 Dec.
// 4 October becomes a holiday only from 2026. Rome is UTC+1, UTC+2 from 30 March to 26 October 2025.
const CASES: Case[] = [
  // 00:30 on 1 January in Rome, still 2024 in UTC: a 2025 request. 2 Jan (1), 3 (2), 6 Jan holiday, 7–10 (6).
  {
    key: 'R9',
    from: MARIO,
    subject: 'Reclamo: raccolta saltata a Capodanno',
    received: '2024-12-31T23:30:00Z',
    reply: '2025-01-10T10:00:00+01:00',
    suggested: 'reclamo_scritto',
    receivedDate: '2025-01-01',
    taken: 6,
    outcome: 'met'
  },
  // Monday 13 Jan → 10 Mar: 14–17 (4), 20–24 (9), 27–31 (14), Feb 3–7 (19), 10–14 (24), 17–21 (29), 24–28 (34), Mar 3–7 (39), 10 (40).
  {
    key: 'B1',
    from: MARIO,
    subject: 'Richiesta di rettifica: importo errato sulla TARI',
    received: '2025-01-13T10:00:00+01:00',
    reply: '2025-03-10T10:00:00+01:00',
    suggested: 'rettifica_importi',
    receivedDate: '2025-01-13',
    taken: 40,
    outcome: 'met'
  },
  // Monday 3 Feb → Friday 14 Feb: 4–7 (4), 10–14 (9).
  {
    key: 'R1',
    from: MARIO,
    subject: 'Reclamo per il mancato ritiro del vetro',
    received: '2025-02-03T10:00:00+01:00',
    reply: '2025-02-14T12:00:00+01:00',
    suggested: 'reclamo_scritto',
    receivedDate: '2025-02-03',
    taken: 9,
    outcome: 'met'
  },
  // Monday 3 Mar → 14 Apr: 4–7 (4), 10–14 (9), 17–21 (14), 24–28 (19), 31 Mar–4 Apr (24), 7–11 (29), 14 (30): met on the last day.
  {
    key: 'R2',
    from: STRANGER,
    subject: 'Reclamo: operatore scortese',
    received: '2025-03-03T09:00:00+01:00',
    reply: '2025-04-14T12:00:00+02:00',
    suggested: 'reclamo_scritto',
    receivedDate: '2025-03-03',
    taken: 30,
    outcome: 'met'
  },
  // Same day, reply one day later: 31, missed (operator's fault).
  {
    key: 'R3',
    from: MARIO,
    subject: 'Reclamo: cassonetti mai svuotati',
    received: '2025-03-03T15:00:00+01:00',
    reply: '2025-04-15T12:00:00+02:00',
    suggested: 'reclamo_scritto',
    cause: 'gestore',
    receivedDate: '2025-03-03',
    taken: 31,
    outcome: 'missed'
  },
  // Thursday 17 Apr → Friday 6 Jun: 18 (1), 21 Easter Monday, 22–24 (4), 25 Apr, 28–30 (7), 1 May, 2 (8), 5–9 (13),
  // 12–16 (18), 19–23 (23), 26–30 (28), 2 Jun, 3 (29), 4 (30), 5 (31), 6 (32).
  {
    key: 'R4',
    from: MARIO,
    subject: 'Reclamo: strada non pulita dopo il mercato',
    received: '2025-04-17T11:00:00+02:00',
    reply: '2025-06-06T12:00:00+02:00',
    suggested: 'reclamo_scritto',
    cause: 'forza_maggiore',
    receivedDate: '2025-04-17',
    taken: 32,
    outcome: 'missed'
  },
  // Saturday 10 May → Monday 12 May: Monday is day 1.
  {
    key: 'R5',
    from: STRANGER,
    subject: 'Reclamo sul calendario della raccolta',
    received: '2025-05-10T10:00:00+02:00',
    reply: '2025-05-12T09:00:00+02:00',
    suggested: 'reclamo_scritto',
    receivedDate: '2025-05-10',
    taken: 1,
    outcome: 'met'
  },
  // Tuesday 3 Jun → Wednesday 4 Jun.
  {
    key: 'I1',
    from: STRANGER,
    subject: 'Vorrei sapere gli orari del centro di raccolta',
    received: '2025-06-03T10:00:00+02:00',
    reply: '2025-06-04T10:00:00+02:00',
    suggested: 'richiesta_informazioni',
    receivedDate: '2025-06-03',
    taken: 1,
    outcome: 'met'
  },
  // Monday 9 Jun → 30 Jun: 10–13 (4), 16–20 (9), 23–27 (14), 30 (15): met; the second one on 1 Jul (16): missed.
  {
    key: 'W1',
    from: MARIO,
    subject: 'Prenotare il ritiro ingombranti: un divano',
    received: '2025-06-09T10:00:00+02:00',
    reply: '2025-06-30T10:00:00+02:00',
    suggested: 'ritiro_su_chiamata',
    receivedDate: '2025-06-09',
    taken: 15,
    outcome: 'met'
  },
  {
    key: 'W2',
    from: STRANGER,
    subject: 'Prenotare il ritiro ingombranti: materasso',
    received: '2025-06-09T11:00:00+02:00',
    reply: '2025-07-01T10:00:00+02:00',
    suggested: 'ritiro_su_chiamata',
    receivedDate: '2025-06-09',
    taken: 16,
    outcome: 'missed'
  },
  // Monday 7 Jul → 25 Aug: 8–11 (4), 14–18 (9), 21–25 (14), 28 Jul–1 Aug (19), 4–8 (24), 11–14 (28), 15 Aug, 18–22 (33), 25 (34).
  {
    key: 'I2',
    from: MARIO,
    subject: 'Vorrei sapere come posso avere i sacchi gialli',
    received: '2025-07-07T10:00:00+02:00',
    reply: '2025-08-25T10:00:00+02:00',
    suggested: 'richiesta_informazioni',
    cause: 'utente_o_terzi',
    receivedDate: '2025-07-07',
    taken: 34,
    outcome: 'missed'
  },
  // Monday 1 Sep → Friday 12 Sep: 2–5 (4), 8–12 (9).
  {
    key: 'I3',
    from: STRANGER,
    subject: 'Vorrei sapere quando passa la raccolta della carta',
    received: '2025-09-01T10:00:00+02:00',
    reply: '2025-09-12T10:00:00+02:00',
    suggested: 'richiesta_informazioni',
    receivedDate: '2025-09-01',
    taken: 9,
    outcome: 'met'
  },
  // Monday 1 Sep → Friday 28 Nov: five a week, no weekday holiday (1 Nov is a Saturday): 13 weeks minus Monday 1 Sep = 64.
  {
    key: 'B2',
    from: MARIO,
    subject: 'Rettifica: doppio addebito sulla bolletta',
    received: '2025-09-01T11:00:00+02:00',
    reply: '2025-11-28T10:00:00+01:00',
    suggested: 'rettifica_importi',
    cause: 'gestore',
    receivedDate: '2025-09-01',
    taken: 64,
    outcome: 'missed'
  },
  // Monday 6 Oct → Friday 10 Oct.
  {
    key: 'E1',
    from: MARIO,
    subject: 'Bidone rotto da sostituire',
    received: '2025-10-06T10:00:00+02:00',
    reply: '2025-10-10T10:00:00+02:00',
    suggested: 'riparazione_attrezzature',
    receivedDate: '2025-10-06',
    taken: 4,
    outcome: 'met'
  },
  // 22:30 UTC on Friday 24 Oct is 00:30 on Saturday 25 Oct in Rome (summer time): day 0 is Saturday, so
  // Monday 27 (1), Tuesday 28 (2). A UTC-day clock would say 3.
  {
    key: 'R6',
    from: STRANGER,
    subject: 'Reclamo: bidone non svuotato',
    received: '2025-10-24T22:30:00Z',
    reply: '2025-10-28T10:00:00+01:00',
    suggested: 'reclamo_scritto',
    receivedDate: '2025-10-25',
    taken: 2,
    outcome: 'met'
  },
  // Never answered: long overdue, a miss whose cause nobody recorded.
  {
    key: 'R7',
    from: STRANGER,
    subject: 'Reclamo: nessuna risposta alle mie segnalazioni',
    received: '2025-11-03T10:00:00+01:00',
    reply: null,
    suggested: 'reclamo_scritto',
    receivedDate: '2025-11-03',
    taken: null,
    outcome: 'missed'
  },
  // Suggested as a complaint (nothing to go by), reclassified by an operator as a billing correction (60 days).
  // Monday 1 Dec → 23 Feb 2026: 2–5 (4), 8 Dec, 9–12 (8), 15–19 (13), 22–24 (16), 25–26 Dec, 29–31 (19), 1 Jan,
  // 2 (20), 5 (21), 6 Jan, 7–9 (24), 12–16 (29), 19–23 (34), 26–30 (39), Feb 2–6 (44), 9–13 (49), 16–20 (54), 23 (55).
  {
    key: 'B3',
    from: MARIO,
    subject: 'Avviso TARI 2025',
    received: '2025-12-01T10:00:00+01:00',
    reply: '2026-02-23T10:00:00+01:00',
    suggested: 'reclamo_scritto',
    classify: 'rettifica_importi',
    receivedDate: '2025-12-01',
    taken: 55,
    outcome: 'met'
  },
  // Wednesday 17 Dec → Friday 23 Jan 2026 (counted in 2025, the year of receipt): 18–19 (2), 22–24 (5), 29–31 (8),
  // 2 Jan (9), 5 (10), 7–9 (13), 12–16 (18), 19–23 (23).
  {
    key: 'R8',
    from: MARIO,
    subject: 'Reclamo: addebito per un servizio mai svolto',
    received: '2025-12-17T10:00:00+01:00',
    reply: '2026-01-23T10:00:00+01:00',
    suggested: 'reclamo_scritto',
    receivedDate: '2025-12-17',
    taken: 23,
    outcome: 'met'
  },
  // 23:30 on 31 December in Rome: still 2025. A service-failure report is a written complaint (TQRIF art. 13), never
  // a request without a clock; never answered, it is a miss with no cause recorded.
  {
    key: 'D1',
    from: STRANGER,
    subject: 'Cassonetto pieno in via Verdi',
    received: '2025-12-31T22:30:00Z',
    reply: null,
    suggested: 'reclamo_scritto',
    receivedDate: '2025-12-31',
    taken: null,
    outcome: 'missed'
  },
  // 00:30 on 1 January 2026 in Rome: not a 2025 request.
  {
    key: 'X1',
    from: MARIO,
    subject: 'Reclamo: raccolta saltata',
    received: '2025-12-31T23:30:00Z',
    reply: '2026-01-07T10:00:00+01:00',
    suggested: 'reclamo_scritto',
    receivedDate: '2026-01-01',
    taken: 3,
    outcome: 'met'
  }
]

async function ingest(host: TestHost, from: string, subject: string, receivedAt: Date): Promise<number> {
  const raw = await buildMail({ from, to: 'reclami@garbage.example.test', subject, text: `${subject}.\nCordiali saluti` })
  const result = await host.app.communications.mail.ingest(raw, { receivedAt })
  if (result.outcome !== 'created') throw new Error(`expected a new work order, got ${result.outcome}`)
  return result.workOrderId as number
}

interface SeededYear {
  ids: Map<string, number>
  references: Map<string, string>
  suggested: Map<string, string | null>
  /** B3's due date as a complaint, before the operator reclassified it. */
  dueDateBeforeClassification: string | null
  /** The operator's PUT /classification of B3 as a billing correction. */
  classification: Awaited<ReturnType<TestHost['app']['inject']>>
  /** The PUT /miss-cause of every case that has a cause. */
  causes: Array<[string, Awaited<ReturnType<TestHost['app']['inject']>>]>
}

/** Every case ingested and replied to as written above, B3 reclassified and the miss causes recorded by an operator. */
async function seedYear(host: TestHost): Promise<SeededYear> {
  const repos = internalsOf(host.app.communications).repositories
  const seeded: Omit<SeededYear, 'classification'> = {
    ids: new Map(),
    references: new Map(),
    suggested: new Map(),
    dueDateBeforeClassification: null,
    causes: []
  }
  for (const c of CASES) {
    const id = await ingest(host, c.from, c.subject, new Date(c.received))
    seeded.ids.set(c.key, id)
    const meta = await repos.workOrderMeta.find(id)
    seeded.suggested.set(c.key, meta?.suggestedType ?? null)
    seeded.references.set(c.key, meta?.reference ?? '')
    if (c.reply) await repos.workOrderMeta.update(id, { replySentAt: new Date(c.reply) })
  }
  const b3 = seeded.ids.get('B3') as number
  seeded.dueDateBeforeClassification = (await repos.workOrderMeta.find(b3))?.dueDate ?? null
  const classification = await host.app.inject({
    method: 'PUT',
    url: `${API}/work-orders/${b3}/classification`,
    headers: auth('demo-operator'),
    payload: { type: 'rettifica_importi', service: 'tariffe_rapporto_utenti' }
  })
  for (const c of CASES.filter((x) => x.cause)) {
    const r = await host.app.inject({
      method: 'PUT',
      url: `${API}/work-orders/${seeded.ids.get(c.key)}/miss-cause`,
      headers: auth('demo-operator'),
      payload: { cause: c.cause }
    })
    seeded.causes.push([c.key, r])
  }
  return { ...seeded, classification }
}

t.test('ARERA register and indicators', async (t) => {
  const host = await startTestHost({ arera: { scheme: 'III', minimumPercent: { ritiro_su_chiamata: 50 } } })
  t.teardown(() => host.close())
  const repos = internalsOf(host.app.communications).repositories
  const get = (url: string, token: 'demo-viewer' | 'demo-operator' = 'demo-viewer') => host.app.inject({ url: `${API}${url}`, headers: auth(token) })
  const generic = await host.knex('contribuenti').first('nominativo').where('id_contribuente', host.genericContributorId)
  const names: Record<string, string> = { [MARIO]: 'Rossi Mario', [STRANGER]: String(generic.nominativo) }
  // the year of requests every register and indicator subtest reads (none of them changes it), seeded once
  let seeded!: SeededYear
  t.before(async () => {
    seeded = await seedYear(host)
  })
  const ids = { get: (key: string) => seeded.ids.get(key) }
  const references = { get: (key: string) => seeded.references.get(key) }

  t.test('a complaint received on a Friday evening', async (t) => {
    // Friday 6 March 2026, 19:00 in Rome (18:00 UTC). Day 1 is Monday 9 March; Easter Monday 6 April is skipped:
    // 9–13 (5), 16–20 (10), 23–27 (15), 30 Mar–3 Apr (20), 7–10 Apr (24), 13–17 Apr (29), 20 Apr (30), 21 Apr (31).
    const received = new Date('2026-03-06T18:00:00Z')
    const ontime = await ingest(host, MARIO, 'Reclamo: vetro non raccolto', received)
    const late = await ingest(host, MARIO, 'Reclamo: carta non raccolta', received)
    for (const id of [ontime, late]) {
      const view = (await get(`/work-orders/${id}`)).json()
      t.match(view, {
        type: 'reclamo_scritto',
        suggestedType: 'reclamo_scritto',
        typeConfirmed: false,
        receivedAt: received.toISOString(),
        dueDate: '2026-04-20',
        standardWorkingDays: 30
      })
    }
    await repos.workOrderMeta.update(ontime, { replySentAt: new Date('2026-04-17T16:00:00+02:00') }) // working day 29
    await repos.workOrderMeta.update(late, { replySentAt: new Date('2026-04-21T09:00:00+02:00') }) // working day 31
    t.match((await get(`/work-orders/${ontime}`)).json(), {
      standardMet: true,
      workingDaysTaken: 29,
      clockState: 'stopped',
      daysLeft: null,
      dueDate: '2026-04-20'
    })
    t.match((await get(`/work-orders/${late}`)).json(), { standardMet: false, workingDaysTaken: 31, clockState: 'stopped' })

    const register = (await get('/register?from=2026-03-06&to=2026-03-06')).json()
    t.same(
      register.items.map((e: { workOrderId: number; outcome: string; workingDaysTaken: number }) => [e.workOrderId, e.outcome, e.workingDaysTaken]),
      [
        [ontime, 'met', 29],
        [late, 'missed', 31]
      ]
    )
    const missCause = await host.app.inject({
      method: 'PUT',
      url: `${API}/work-orders/${ontime}/miss-cause`,
      headers: auth('demo-operator'),
      payload: { cause: 'gestore' }
    })
    t.equal(missCause.statusCode, 409, 'no cause for a request that met its standard')
    t.match(missCause.json().message, /solo per le richieste che non hanno rispettato lo standard/)
  })

  t.test('a year of requests', async (t) => {
    for (const c of CASES) t.equal(seeded.suggested.get(c.key), c.suggested, `${c.key}: suggested type`)

    // B3: the operator reclassifies the complaint as a billing correction. Due date: 30 working days from
    // Monday 1 Dec 2025 is 19 Jan 2026 (day 29 is 16 Jan); 60 working days is 2 Mar 2026 (55 on 23 Feb + 24–27 Feb + 2 Mar).
    const b3 = ids.get('B3') as number
    t.equal(seeded.dueDateBeforeClassification, '2026-01-19')
    const denied = await host.app.inject({
      method: 'PUT',
      url: `${API}/work-orders/${b3}/classification`,
      headers: auth('demo-viewer'),
      payload: { type: 'rettifica_importi' }
    })
    t.equal(denied.statusCode, 403, 'read-only operators cannot classify')
    const res = seeded.classification
    t.equal(res.statusCode, 200)
    t.match(res.json(), {
      type: 'rettifica_importi',
      suggestedType: 'reclamo_scritto',
      typeConfirmed: true,
      typeConfirmedBy: 'Operatore Demo',
      dueDate: '2026-03-02',
      service: 'tariffe_rapporto_utenti',
      standardMet: true,
      workingDaysTaken: 55
    })
    t.equal((await host.knex('ordini_lavoro').first('tipo_odl').where('id_odl', b3)).tipo_odl, 'RETTIFICA', 'host type column through the mapping')
    const audit = (await repos.audit.listByWorkOrder(b3)).find((a) => a.action === 'arera.classified')
    t.match(audit, {
      actorType: 'operator',
      actorName: 'Operatore Demo',
      details: { from: 'reclamo_scritto', to: 'rettifica_importi', dueDateFrom: '2026-01-19', dueDateTo: '2026-03-02' }
    })
    const view = (await get(`/work-orders/${b3}`)).json()
    t.match(view, { type: 'rettifica_importi', typeConfirmed: true, dueDate: '2026-03-02', hostType: 'RETTIFICA' })

    const bad = await host.app.inject({
      method: 'PUT',
      url: `${API}/work-orders/${b3}/classification`,
      headers: auth('demo-operator'),
      payload: { type: 'reclamo' }
    })
    t.equal(bad.statusCode, 400)
    t.match(bad.json().message, /Tipo di richiesta non valido: "reclamo"\. Valori ammessi: reclamo_scritto, /)

    for (const [key, r] of seeded.causes) {
      t.equal(r.statusCode, 200, `${key}: cause recorded`)
      t.equal(r.json().missCause, CASES.find((c) => c.key === key)?.cause)
    }
    const wrongCause = await host.app.inject({
      method: 'PUT',
      url: `${API}/work-orders/${ids.get('R3')}/miss-cause`,
      headers: auth('demo-operator'),
      payload: { cause: 'meteo' }
    })
    t.equal(wrongCause.statusCode, 400)
    t.match(wrongCause.json().message, /Causa non valida: "meteo"\. Valori ammessi: forza_maggiore, utente_o_terzi, gestore/)
    t.match(
      (await repos.audit.listByWorkOrder(ids.get('R3') as number)).find((a) => a.action === 'arera.missCause'),
      { actorName: 'Operatore Demo', details: { from: null, to: 'gestore' } }
    )
  })

  const year = CASES.filter((c) => c.key !== 'X1')

  t.test('the register as JSON', async (t) => {
    const res = await get('/register?from=2025-01-01&to=2025-12-31')
    t.equal(res.statusCode, 200)
    const items = res.json().items as Array<Record<string, unknown>>
    t.same(
      items.map((e) => e.reference),
      year.map((c) => references.get(c.key)),
      'every 2025 request once, in order of receipt; 1 Jan 2026 (Rome) excluded'
    )
    for (const c of year) {
      const e = items.find((x) => x.reference === references.get(c.key))
      t.match(
        e,
        {
          workOrderId: ids.get(c.key),
          channel: 'email',
          contributorName: names[c.from],
          receivedDate: c.receivedDate,
          workingDaysTaken: c.taken,
          outcome: c.outcome,
          missCause: c.cause ?? null,
          type: c.classify ?? c.suggested
        },
        c.key
      )
    }
    // R7, Monday 3 Nov: 4–7 (4), 10–14 (9), 17–21 (14), 24–28 (19), 1–5 Dec (24), 8 Dec holiday, 9–12 (28), 15 (29), 16 (30).
    t.match(
      items.find((e) => e.reference === references.get('R7')),
      { replySentAt: null, replyDate: null, dueDate: '2025-12-16', standardMet: false }
    )
    const x1 = (await get('/register?from=2026-01-01&to=2026-01-01')).json().items
    t.same(
      x1.map((e: { reference: string }) => e.reference),
      [references.get('X1')]
    )
  })

  t.test('the register as CSV for Italian Excel', async (t) => {
    const res = await get('/register.csv?from=2025-01-01&to=2025-12-31')
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^text\/csv; charset=utf-8/)
    t.match(res.headers['content-disposition'], /attachment; filename="registro-richieste_2025-01-01_2025-12-31\.csv"/)
    t.ok(res.body.startsWith('\uFEFF'), 'UTF-8 BOM')
    const lines = res.body.slice(1).split('\r\n')
    t.equal(
      lines[0],
      'Codice richiesta;Canale;Contribuente;Codice contribuente;Tipo di richiesta;Tipo confermato;Servizio;Data ricevimento;Scadenza;Data invio risposta;Giorni lavorativi impiegati;Giorni lavorativi di sospensione;Standard (giorni lavorativi);Esito;Causa mancato rispetto;Termine;Territorio'
    )
    t.equal(lines.length, 1 + year.length + 1, 'header, one line per request, final CRLF')
    const line = (key: string) => lines.find((l) => l.startsWith(`${references.get(key)};`))
    const mario = host.contributors.marioRossi
    // R6 is due 30 working days after Saturday 25 Oct: 27–31 (5), Nov 3–7 (10), … , Dec 1–5 (30).
    t.equal(
      line('R3'),
      `${references.get('R3')};Email;Rossi Mario;${mario};Reclamo scritto;No;;03/03/2025;14/04/2025;15/04/2025;31;0;30;Non rispettato;Cause imputabili al gestore;Risposta motivata;`
    )
    t.equal(
      line('R6'),
      `${references.get('R6')};Email;${names[STRANGER]};${host.genericContributorId};Reclamo scritto;No;;25/10/2025;05/12/2025;28/10/2025;2;0;30;Rispettato;;Risposta motivata;`
    )
    t.equal(
      line('R7'),
      `${references.get('R7')};Email;${names[STRANGER]};${host.genericContributorId};Reclamo scritto;No;;03/11/2025;16/12/2025;;;0;30;Non rispettato;Non registrata;Risposta motivata;`
    )
    t.equal(
      line('B3'),
      `${references.get('B3')};Email;Rossi Mario;${mario};Richiesta di rettifica degli importi addebitati;Sì;Gestione delle tariffe e rapporto con gli utenti;01/12/2025;02/03/2026;23/02/2026;55;0;60;Rispettato;;Risposta motivata;`
    )
    // D1: 31 Dec 2025 + 30: Jan 2 (1), 5 (2), 6 Epiphany, 7–9 (5), 12–16 (10), 19–23 (15), 26–30 (20), Feb 2–6 (25), 9–13 (30).
    t.equal(
      line('D1'),
      `${references.get('D1')};Email;${names[STRANGER]};${host.genericContributorId};Reclamo scritto;No;;31/12/2025;13/02/2026;;;0;30;Non rispettato;Non registrata;Risposta motivata;`
    )
    t.notOk(line('X1'), 'received on 1 January 2026 in Rome')
  })

  t.test('the register as XLSX', async (t) => {
    const res = await get('/register.xlsx?from=2025-01-01&to=2025-12-31')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    const zip = await JSZip.loadAsync(res.rawPayload)
    const sheet = (await zip.file('xl/worksheets/sheet1.xml')?.async('string')) ?? ''
    t.equal((sheet.match(/<row /g) ?? []).length, 1 + year.length, 'header and one row per request')
    t.match(sheet, /<c r="A1" t="inlineStr" s="2"><is><t xml:space="preserve">Codice richiesta<\/t>/)
    for (const c of year) t.match(sheet, `<t xml:space="preserve">${references.get(c.key)}</t>`, `${c.key} present`)
    // R3 is the 5th request of the year: row 6. 3 March 2025 is Excel day 45719; 31 working days; the cause.
    const row6 = /<row r="6">(.*?)<\/row>/.exec(sheet)?.[1] ?? ''
    t.match(row6, references.get('R3') as string)
    t.match(row6, /<c r="H6" s="1"><v>45719<\/v><\/c>/)
    t.match(row6, /<c r="K6"><v>31<\/v><\/c>/)
    t.match(row6, /Cause imputabili al gestore/)
    t.match(await zip.file('xl/workbook.xml')?.async('string'), /<sheet name="Registro"/)
  })

  t.test('the yearly indicators', async (t) => {
    const res = await get('/indicators?year=2025')
    t.equal(res.statusCode, 200)
    const report = res.json()
    t.match(report, {
      year: 2025,
      basis: 'receipt',
      scheme: { id: 'III', minimumCompliancePercent: 70 },
      totals: { requests: 19, withStandard: 19, met: 12, missed: 7, pending: 0 }
    })
    const by = (type: string) => report.standards.find((s: { type: string }) => s.type === type)
    // complaints: met R9 R1 R2 R5 R6 R8; missed R3 (operator), R4 (force majeure), R7 and D1 (no reply, no cause).
    // 6 / 10 = 60 %; average over the 8 replied: (6 + 9 + 30 + 31 + 32 + 1 + 2 + 23) / 8 = 16.75 → 16.8
    t.match(by('reclamo_scritto'), {
      standardWorkingDays: 30,
      requests: 10,
      met: 6,
      missed: 4,
      pending: 0,
      missedByCause: { forza_maggiore: 1, utente_o_terzi: 0, gestore: 1, non_registrata: 2 },
      percentMet: 60,
      averageWorkingDays: 16.8,
      minimumPercent: 70,
      compliant: false
    })
    // information: (1 + 34 + 9) / 3 = 14.67
    t.match(by('richiesta_informazioni'), {
      requests: 3,
      met: 2,
      missed: 1,
      missedByCause: { utente_o_terzi: 1, gestore: 0, forza_maggiore: 0, non_registrata: 0 },
      percentMet: 66.7,
      averageWorkingDays: 14.7,
      compliant: false
    })
    // billing corrections: B1 40, B3 55 (reclassified), B2 64 missed: 159 / 3 = 53
    t.match(by('rettifica_importi'), {
      standardWorkingDays: 60,
      requests: 3,
      met: 2,
      missed: 1,
      missedByCause: { gestore: 1 },
      percentMet: 66.7,
      averageWorkingDays: 53,
      compliant: false
    })
    // on-call collection: 15 met, 16 missed; the operator's minimum for it is 50 %
    t.match(by('ritiro_su_chiamata'), {
      standardWorkingDays: 15,
      requests: 2,
      met: 1,
      missed: 1,
      missedByCause: { non_registrata: 1 },
      percentMet: 50,
      averageWorkingDays: 15.5,
      minimumPercent: 50,
      compliant: true
    })
    t.match(by('riparazione_attrezzature'), { requests: 1, met: 1, missed: 0, percentMet: 100, averageWorkingDays: 4, compliant: true })
    t.match(by('attivazione_variazione_cessazione'), { requests: 0, percentMet: null, averageWorkingDays: null, compliant: null })
    t.match(
      by('segnalazione_disservizio'),
      { standardWorkingDays: 5, standardWorkingDaysWithInspection: 10, toConfirm: true, requests: 0 },
      'the intervention standard is in force, marked to confirm'
    )

    const csv = await get('/indicators.csv?year=2025')
    t.match(csv.headers['content-disposition'], /indicatori-arera_2025\.csv/)
    const lines = csv.body.slice(1).split('\r\n')
    t.equal(
      lines[0],
      "Standard;Riferimento;Tempo massimo (giorni lavorativi);Richieste ricevute;Standard rispettato;Standard non rispettato;di cui per forza maggiore;di cui imputabili all'utente o a terzi;di cui imputabili al gestore;di cui causa non registrata;In corso;Percentuale rispettate (%);Minimo previsto (%);Tempo medio effettivo (giorni lavorativi);Rispetto del minimo;Valore da confermare nella Carta"
    )
    t.equal(lines[1], 'Tempo di risposta motivata ai reclami scritti;TQRIF art. 14;30;10;6;4;1;0;1;2;0;60;70;16,8;Non raggiunto;No')
    t.equal(lines[5], 'Tempo di ritiro dei rifiuti su chiamata;TQRIF art. 31;15;2;1;1;0;0;0;1;0;50;50;15,5;Raggiunto;Sì')

    const xlsx = await get('/indicators.xlsx?year=2025')
    const zip = await JSZip.loadAsync(xlsx.rawPayload)
    const sheet = (await zip.file('xl/worksheets/sheet1.xml')?.async('string')) ?? ''
    t.equal((sheet.match(/<row /g) ?? []).length, 12, 'header and the eleven standards in force')
    t.match(sheet, /<c r="L2" s="3"><v>60<\/v><\/c>/)

    const html = await get('/indicators.html?year=2025')
    t.equal(html.statusCode, 200)
    t.match(html.headers['content-type'], /text\/html/)
    t.match(html.body, /<html lang="it">/)
    t.match(html.body, /<svg [^>]*role="img" aria-labelledby="chart-title chart-desc"/)
    t.match(html.body, /<table>\s*<caption>Indicatori per standard, anno 2025/)
    t.match(html.body, /<th scope="row">Tempo di risposta motivata ai reclami scritti/)
    t.match(html.body, /60 %/)
    t.notMatch(html.body, /<script|<link|src="http/, 'no scripts, no external assets')
  })

  t.test('the public quality charter', async (t) => {
    const res = await host.app.inject({ url: `${API}/carta-della-qualita` })
    t.equal(res.statusCode, 200, 'public: no login')
    t.match(res.body, /<html lang="it">/)
    t.match(res.body, /Schema III/)
    t.match(
      res.body,
      /Tempo di risposta motivata ai reclami scritti<br><small>TQRIF art\. 14<\/small><\/th><td class="n">30 giorni lavorativi<\/td><td class="n">70 %<\/td><td class="n">60 %<\/td><td class="n">16,8<\/td>/
    )
    t.match(res.body, /Risultato 2025/)
    t.match(res.body, /dal lunedì al venerdì/)
    t.notMatch(res.body, /Rossi|RC-20/, 'aggregates only: no names, no request codes')
  })

  t.test('bad parameters get a clear Italian 400', async (t) => {
    const cases: Array<[string, RegExp]> = [
      ['/register.csv?to=2025-12-31', /Manca il parametro "from": indica una data nel formato AAAA-MM-GG/],
      ['/register?from=2025-02-30&to=2025-12-31', /Il parametro "from" non è una data valida: "2025-02-30"/],
      ['/register.xlsx?from=2025-01-01&to=31/12/2025', /Il parametro "to" non è una data valida: "31\/12\/2025"/],
      ['/register?from=2025-12-31&to=2025-01-01', /Intervallo non valido: la data iniziale \(31\/12\/2025\) è successiva a quella finale \(01\/01\/2025\)/],
      ['/indicators?year=25', /Anno non valido: "25"/],
      ['/indicators.html', /Anno non valido: ""/]
    ]
    for (const [url, message] of cases) {
      const res = await get(url)
      t.equal(res.statusCode, 400, url)
      t.match(res.json().message, message, url)
    }
    const english = await host.app.inject({ url: `${API}/register?from=x&to=2025-01-01&lang=en`, headers: auth('demo-viewer') })
    t.match(english.json().message, /Parameter "from" is not a valid date/)
    t.equal((await host.app.inject({ url: `${API}/register.csv?from=2025-01-01&to=2025-12-31` })).statusCode, 401)
  })
})
