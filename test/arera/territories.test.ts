// Issue 13, end to end: the same written request, received at the same instant, gets the due date of its territory's
// calendar (the contributor's municipality, or the mailbox that received it), and of the deployment's working week.
// Every date is computed by hand below (Europe/Rome days, 2026–2027 Italian holidays).
import t from 'tap'
import type { CommunicationsOptions } from '../../src/plugin.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'

const API = '/api/communications'
const TEXT = 'Il cassonetto della carta non viene svuotato da due settimane. Chiedo una risposta.'
const FIRENZE_MAILBOX = 'reclami.firenze@garbage.example.test'

const TERRITORIES: NonNullable<CommunicationsOptions['arera']>['territories'] = [
  { code: 'roma', name: 'Roma Capitale', municipalities: ['Roma'], patronSaint: { month: 6, day: 29, name: 'Santi Pietro e Paolo' } },
  { code: 'milano', name: 'Comune di Milano', municipalities: ['Milano'], patronSaint: { month: 12, day: 7, name: "Sant'Ambrogio" } },
  { code: 'firenze', name: 'Comune di Firenze', mailboxes: [FIRENZE_MAILBOX], patronSaint: { month: 6, day: 24, name: 'San Giovanni Battista' } }
]

const ROMA = 'Paola Verdi <paola.verdi@roma.example.test>'
const MILANO = 'Carlo Neri <carlo.neri@milano.example.test>'
const STRANGER = 'Cittadino <sconosciuto@example.test>'

async function addContributors(host: TestHost): Promise<void> {
  // Host rows as the ERP has them: the supply's municipality in `comune`, which the mapping reads.
  await host.knex('contribuenti').insert([
    { nominativo: 'Verdi Paola', email: 'paola.verdi@roma.example.test', comune: 'Roma', generico: false },
    { nominativo: 'Neri Carlo', email: 'carlo.neri@milano.example.test', comune: 'MILANO', generico: false }
  ])
}

async function ingest(host: TestHost, from: string, receivedAt: Date, mailboxId: number | null = null): Promise<number> {
  const raw = await buildMail({ from, to: 'reclami@garbage.example.test', subject: 'Reclamo: cassonetto non svuotato', text: TEXT })
  const result = await host.app.communications.mail.ingest(raw, { receivedAt, mailboxId })
  if (result.outcome !== 'created') throw new Error(`expected a new work order, got ${result.outcome}`)
  return result.workOrderId as number
}

const view = async (host: TestHost, id: number) => (await host.app.inject({ url: `${API}/work-orders/${id}`, headers: auth('demo-viewer') })).json()

t.test('two municipalities with different patron saints: the same complaint, the same day, different due dates', async (t) => {
  const host = await startTestHost({ arera: { territories: TERRITORIES } })
  t.teardown(() => host.close())
  await addContributors(host)
  const mailbox = await host.app.inject({
    method: 'POST',
    url: `${API}/mailboxes`,
    headers: auth('demo-admin'),
    payload: {
      name: 'Reclami Firenze',
      host: '127.0.0.1',
      port: 1,
      username: FIRENZE_MAILBOX,
      password: 'imap-pw',
      fromAddress: FIRENZE_MAILBOX,
      enabled: false
    }
  })
  t.equal(mailbox.statusCode, 201, mailbox.body)
  const firenzeMailbox = mailbox.json().id as number

  const territories = (await host.app.inject({ url: `${API}/arera/territories`, headers: auth('demo-viewer') })).json().items
  t.same(
    territories.map((x: { code: string | null; patronSaint: unknown; workingWeekdays: number[] }) => [x.code, x.patronSaint, x.workingWeekdays]),
    [
      [null, null, [1, 2, 3, 4, 5]],
      ['roma', { month: 6, day: 29, name: 'Santi Pietro e Paolo' }, [1, 2, 3, 4, 5]],
      ['milano', { month: 12, day: 7, name: "Sant'Ambrogio" }, [1, 2, 3, 4, 5]],
      ['firenze', { month: 6, day: 24, name: 'San Giovanni Battista' }, [1, 2, 3, 4, 5]]
    ]
  )

  const cases: Array<{ why: string; received: Date; due: Record<'roma' | 'milano' | 'firenze' | 'default', string> }> = [
    {
      // Friday 20 November 2026, 18:45 in Rome. 30 working days, Monday–Friday, national holidays 8 Dec, 25 Dec,
      // 1 Jan, 6 Jan: 23–27 Nov (5), 30 Nov–4 Dec (10), 7 (11), 9–11 (14), 14–18 (19), 21–24 (23), 28–31 (27),
      // 4 Jan (28), 5 (29), 7 Jan (30). Milan also closes on Monday 7 December (Sant'Ambrogio): one day later.
      why: "Sant'Ambrogio (Monday 7 December) is a day off in Milan only",
      received: new Date('2026-11-20T17:45:00Z'),
      due: { roma: '2027-01-07', milano: '2027-01-08', firenze: '2027-01-07', default: '2027-01-07' }
    },
    {
      // Friday 19 June 2026, 10:00 in Rome. Without a patron saint in the window: 22–26 Jun (5), 29–30 (7),
      // 1–3 Jul (10), 6–10 (15), 13–17 (20), 20–24 (25), 27–31 Jul (30). Rome loses Monday 29 June (Santi Pietro e
      // Paolo) and Florence Wednesday 24 June (San Giovanni): the 30th working day is Monday 3 August.
      why: 'Santi Pietro e Paolo (29 June) in Rome and San Giovanni (24 June) in Florence',
      received: new Date('2026-06-19T08:00:00Z'),
      due: { roma: '2026-08-03', milano: '2026-07-31', firenze: '2026-08-03', default: '2026-07-31' }
    }
  ]
  for (const c of cases) {
    const roma = await ingest(host, ROMA, c.received)
    const milano = await ingest(host, MILANO, c.received)
    // An unknown sender has no municipality: the mailbox that received the request decides, else the deployment.
    const firenze = await ingest(host, STRANGER, c.received, firenzeMailbox)
    const fallback = await ingest(host, STRANGER, c.received)
    t.match(await view(host, roma), { territory: 'roma', territoryName: 'Roma Capitale', dueDate: c.due.roma, standardWorkingDays: 30 }, `Rome: ${c.why}`)
    t.match(await view(host, milano), { territory: 'milano', territoryName: 'Comune di Milano', dueDate: c.due.milano }, `Milan: ${c.why}`)
    t.match(await view(host, firenze), { territory: 'firenze', territoryName: 'Comune di Firenze', dueDate: c.due.firenze }, `Florence: ${c.why}`)
    t.match(
      await view(host, fallback),
      { territory: null, territoryName: 'Garbage Servizi Ambientali S.p.A.', dueDate: c.due.default },
      `the deployment: ${c.why}`
    )

    // The register shows each request under its territory, with that territory's due date.
    const day = c.received.toISOString().slice(0, 10)
    const register = (await host.app.inject({ url: `${API}/register?from=${day}&to=${day}`, headers: auth('demo-viewer') })).json().items
    t.same(
      register.map((e: { workOrderId: number; territory: string | null; dueDate: string }) => [e.workOrderId, e.territory, e.dueDate]),
      [
        [roma, 'roma', c.due.roma],
        [milano, 'milano', c.due.milano],
        [firenze, 'firenze', c.due.firenze],
        [fallback, null, c.due.default]
      ]
    )
  }

  // The intervention clock follows the territory's calendar too. 5 working days from Friday 19 June: 22–26 June
  // everywhere but Florence, where Wednesday 24 June is San Giovanni: Monday 29 June.
  const roma = await ingest(host, ROMA, new Date('2026-06-19T08:00:00Z'))
  const firenze = await ingest(host, STRANGER, new Date('2026-06-19T08:00:00Z'), firenzeMailbox)
  const clock = async (id: number) =>
    (
      await host.app.inject({
        method: 'PUT',
        url: `${API}/work-orders/${id}/service-clock`,
        headers: auth('demo-operator'),
        payload: { type: 'segnalazione_disservizio' }
      })
    ).json()
  t.match((await clock(roma)).serviceClock, { dueDate: '2026-06-26', standardWorkingDays: 5 })
  t.match((await clock(firenze)).serviceClock, { dueDate: '2026-06-29', standardWorkingDays: 5 })
})

t.test('a Monday–Saturday working week: the same complaint is due earlier than Monday–Friday', async (t) => {
  const host = await startTestHost({ calendar: { workingWeekdays: [1, 2, 3, 4, 5, 6] } })
  t.teardown(() => host.close())
  // Friday 20 November 2026, 18:45 in Rome; Saturdays count, Sundays and holidays do not: Sat 21 Nov (1),
  // 23–28 (7), 30 Nov–5 Dec (13), 7 (14), 8 Immacolata, 9–12 (18), 14–19 (24), 21–24 (28), 25 Natale,
  // 26 Santo Stefano (a Saturday, closed), 28 (29), 29 Dec (30). Monday–Friday it is 7 January 2027 (test above).
  const id = await ingest(host, STRANGER, new Date('2026-11-20T17:45:00Z'))
  t.match(await view(host, id), { territory: null, dueDate: '2026-12-29', standardWorkingDays: 30 })
  // The intervention: Sat 21 (1), Mon 23 (2), 24 (3), 25 (4), Thu 26 November (5); Monday–Friday it is Friday 27.
  const clock = await host.app.inject({
    method: 'PUT',
    url: `${API}/work-orders/${id}/service-clock`,
    headers: auth('demo-operator'),
    payload: { type: 'segnalazione_disservizio' }
  })
  t.match(clock.json().serviceClock, { dueDate: '2026-11-26', standardWorkingDays: 5 })
  // Received on a Saturday, a working day here: that Saturday is day 0, one day later than Friday's.
  const saturday = await ingest(host, STRANGER, new Date('2026-11-21T09:00:00Z'))
  // Saturday 21 Nov day 0: 23–28 (6), 30 Nov–5 Dec (12), 7 (13), 9–12 (17), 14–19 (23), 21–24 (27), 28 (28), 29 (29), 30 Dec (30).
  t.match(await view(host, saturday), { dueDate: '2026-12-30' })

  const territories = (await host.app.inject({ url: `${API}/arera/territories`, headers: auth('demo-viewer') })).json().items
  t.same(territories[0].workingWeekdays, [1, 2, 3, 4, 5, 6])
  const carta = await host.app.inject({ url: `${API}/carta-della-qualita` })
  t.match(carta.body, /dal lunedì al sabato/, 'the public charter states the working week')
})
