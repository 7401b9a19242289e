// The example host's first start on an empty database seeds the demo conversations (example-host/demo-data.ts)
// through the module's own paths: exact conversations, last year's ARERA indicators as the data implies them, no
// mail leaving, and nothing added by a second start.
import t from 'tap'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'
import { freePort } from '../helpers/free-port.js'
import { ready, startServer, type HostProcess } from '../helpers/host-process.js'
import { startSmtpServer } from '../helpers/smtp.js'
import { createWorkingCalendar } from '../../src/domain/working-days.js'

const API = '/api/communications'
const viewer = { authorization: 'Bearer demo-viewer' }
const operator = { authorization: 'Bearer demo-operator', 'content-type': 'application/json' }

const get = async <T>(host: HostProcess, url: string): Promise<T> => {
  const response = await fetch(`http://127.0.0.1:${host.port}${API}${url}`, { headers: viewer })
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

const count = async (db: TestDatabase, table: string, where: Record<string, unknown> = {}) =>
  Number((await db.knex(table).count({ n: '*' }).where(where).first())?.n)

interface ApiMessage {
  direction: string
  channel: string
  from: string | null
  to: string[]
  subject: string | null
  text: string | null
  attachments: Array<{ filename: string; contentType: string }>
  deliveryStatus: string | null
  createdAt: string
}

/** This year's requests are on the 8th and 22nd of each month before the last working day (demo-data.ts). */
function thisYearRequests(now: Date): number {
  const calendar = createWorkingCalendar()
  const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome' }).format(now)
  let previous = today
  do previous = new Date(Date.parse(`${previous}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
  while (!calendar.isWorkingDay(previous))
  let n = 0
  for (let month = 1; month <= 12; month++)
    for (const day of [8, 22]) if (`${today.slice(0, 4)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` < previous) n++
  return n
}

t.test('the first start seeds the demo conversations through the module, and no demo mail leaves', async (t) => {
  const db = await createTestDatabase()
  t.teardown(() => db.destroy())
  const smtp = await startSmtpServer({ t })
  const host = startServer(t, db, { PORT: String(await freePort()), SMTP_URL: smtp.url, MAIL_FROM: 'Ufficio Clienti <clienti@garbage.example.test>' })
  await ready(host, 120_000)
  const yearRequests = 33 + thisYearRequests(new Date())

  // 12 scripted conversations (work orders 321–332, after the host's 320) and a year of requests
  const withConversation = await db.knex('trc_messages').distinct('work_order_id').whereNotNull('work_order_id')
  t.equal(withConversation.length, 12 + yearRequests, 'work orders with a conversation')
  const showcase = (channel: string, direction: string) =>
    db.knex('trc_messages').count({ n: '*' }).where({ channel, direction }).whereBetween('work_order_id', [321, 332]).first()
  t.same(
    {
      emailIn: Number((await showcase('email', 'inbound'))?.n),
      emailOut: Number((await showcase('email', 'outbound'))?.n),
      web: Number((await showcase('web', 'inbound'))?.n),
      app: Number((await showcase('app', 'inbound'))?.n),
      notes: Number((await showcase('note', 'outbound'))?.n)
    },
    // inbound: 8 conversations by mail (one PEC) + 2 citizens' answers + 2 PEC receipts; outbound: 12 confirmations
    // (8 mail, 2 Sportello, 2 app), 6 answers, 1 forward; notes: 5 by operators + 8 state changes
    { emailIn: 12, emailOut: 19, web: 2, app: 2, notes: 13 },
    'messages per channel in the scripted conversations'
  )
  const attachments = await db
    .knex('trc_attachments as a')
    .join('trc_messages as m', 'm.id', 'a.message_id')
    .whereBetween('m.work_order_id', [321, 332])
    .orderBy('a.id')
    .pluck('a.filename')
  t.same(
    attachments,
    [
      'bidone-via-roma-12.png',
      // the PEC: the citizen's attachment, then the envelope's evidence; the answer; the two receipts' evidence
      'planimetria-catastale.pdf',
      'daticert.xml',
      'smime.p7s',
      'avviso-rettificato.pdf',
      'daticert.xml',
      'smime.p7s',
      'daticert.xml',
      'smime.p7s',
      'parco-1.png',
      'parco-2.png',
      'calendario-raccolta.pdf',
      'marciapiede-via-cavour.png',
      'estratto-conto.pdf',
      'avviso-tari.png',
      'contratto-locazione.pdf'
    ],
    'attachments of the scripted conversations'
  )

  const mario = await get<{ items: ApiMessage[] }>(host, '/work-orders/321/messages')
  t.same(
    mario.items.map((m) => [m.direction, m.channel, m.from, m.to, m.subject, m.attachments.map((a) => a.filename), m.deliveryStatus]),
    [
      [
        'inbound',
        'email',
        'mario.rossi@example.test',
        ['tari@garbage.example.test'],
        "Mancata raccolta dell'umido in Via Roma 12",
        ['bidone-via-roma-12.png'],
        null
      ],
      [
        'outbound',
        'email',
        '"Garbage Servizi Ambientali – Ufficio TARI" <tari@garbage.example.test>',
        ['mario.rossi@example.test'],
        "Presa in carico: Mancata raccolta dell'umido in Via Roma 12 [OdL #321]",
        [],
        'sent'
      ],
      ['outbound', 'note', 'operatore@garbage.example.test', [], null, [], null],
      [
        'outbound',
        'email',
        '"Garbage Servizi Ambientali – Ufficio TARI" <tari@garbage.example.test>',
        ['"Ambiente Servizi Soc. Coop." <raccolta@ambienteservizi.example.test>'],
        "I: Mancata raccolta dell'umido in Via Roma 12 [OdL #321]",
        [],
        'sent'
      ],
      [
        'outbound',
        'email',
        '"Garbage Servizi Ambientali – Ufficio TARI" <tari@garbage.example.test>',
        ['mario.rossi@example.test'],
        "Re: Mancata raccolta dell'umido in Via Roma 12 [OdL #321]",
        [],
        'sent'
      ],
      ['inbound', 'email', 'mario.rossi@example.test', ['tari@garbage.example.test'], "Re: Mancata raccolta dell'umido in Via Roma 12", [], null],
      ['outbound', 'note', 'operatore@garbage.example.test', [], null, [], null]
    ],
    "Mario Rossi's conversation, oldest first"
  )
  t.match(mario.items[2]?.text, /^Sentito il capoturno: il mezzo non è passato in Via Roma/, 'the internal note')
  t.match(mario.items[4]?.text, /^Gentile sig\. Rossi,\s+la raccolta dell'umido in Via Roma non è stata effettuata martedì/, 'the reasoned reply')
  t.match(mario.items[6]?.text, /^Stato cambiato da Aperto a Chiuso\./, 'the state change')
  const times = mario.items.map((m) => Date.parse(m.createdAt))
  t.same(
    times,
    [...times].sort((a, b) => a - b),
    'stamped with the demo clock, in order'
  )
  t.ok((times[0] as number) < Date.now() - 86_400_000, 'the conversation began days ago')
  const workOrder = await get<{ status: string; type: string; standardMet: boolean | null; replySentAt: string }>(host, '/work-orders/321')
  t.match(workOrder, { status: 'closed', type: 'reclamo_scritto', standardMet: true }, 'closed, answered within the standard')
  t.equal(workOrder.replySentAt, mario.items[4]?.createdAt, 'the clock stopped when the reasoned reply left')

  const pec = await get<{ items: ApiMessage[] }>(host, '/work-orders/322/messages')
  t.same(
    pec.items.filter((m) => m.direction === 'outbound' && m.channel === 'email').map((m) => [m.from, m.to, m.deliveryStatus]),
    [
      ['"Garbage Servizi Ambientali – Protocollo" <protocollo@pec.garbage.example.test>', ['mario.rossi@pec.example.test'], 'sent'],
      ['"Garbage Servizi Ambientali – Protocollo" <protocollo@pec.garbage.example.test>', ['mario.rossi@pec.example.test'], 'delivered']
    ],
    'the PEC confirmation, and the certified answer delivered by its receipts'
  )
  const shared = await db.knex('trc_messages').first('contributor_id', 'sender_match').where({ work_order_id: 323, direction: 'inbound' })
  const stranger = await db.knex('trc_messages').first('contributor_id', 'sender_match').where({ work_order_id: 324, direction: 'inbound' })
  t.same([shared?.sender_match, stranger?.sender_match, Number(stranger?.contributor_id)], ['ambiguous', 'unknown', 1], 'a shared and an unknown sender')

  const indicators = await get<{
    totals: Record<string, number>
    standards: Array<{
      type: string
      requests: number
      met: number
      missed: number
      missedByCause: Record<string, number>
      percentMet: number | null
      averageWorkingDays: number | null
    }>
  }>(host, `/indicators?year=${new Date().getFullYear() - 1}`)
  t.same(indicators.totals, { requests: 33, withStandard: 33, met: 25, missed: 8, pending: 0 }, "last year's totals")
  const cause = (fm: number, user: number, operator: number, none = 0) => ({
    non_registrata: none,
    forza_maggiore: fm,
    utente_o_terzi: user,
    gestore: operator
  })
  t.same(
    indicators.standards
      .filter((s) => s.requests > 0)
      .map(({ type, requests, met, missed, missedByCause, percentMet, averageWorkingDays }) => ({
        type,
        requests,
        met,
        missed,
        missedByCause,
        percentMet,
        averageWorkingDays
      })),
    [
      // 12 replies in 12+25+18+30+34+9+22+41+15+28+6+33 = 273 working days; one never answered
      { type: 'reclamo_scritto', requests: 13, met: 9, missed: 4, missedByCause: cause(1, 1, 1, 1), percentMet: 69.2, averageWorkingDays: 22.8 },
      // 5+14+8+31+20+11+3+26 = 118
      { type: 'richiesta_informazioni', requests: 8, met: 7, missed: 1, missedByCause: cause(0, 0, 1), percentMet: 87.5, averageWorkingDays: 14.8 },
      // 40+70+55+62+35+48 = 310
      { type: 'rettifica_importi', requests: 6, met: 4, missed: 2, missedByCause: cause(0, 1, 1), percentMet: 66.7, averageWorkingDays: 51.7 },
      // 7+12+4+19+10+35 = 87
      { type: 'attivazione_variazione_cessazione', requests: 6, met: 5, missed: 1, missedByCause: cause(0, 0, 1), percentMet: 83.3, averageWorkingDays: 14.5 }
    ],
    "last year's indicators, as the demo data implies them"
  )

  // every demo mail was composed and settled by the outbox worker on the demo transport: the relay saw none
  const outbox: Array<{ status: string; smtp_response: string | null }> = await db.knex('trc_outbox').distinct('status', 'smtp_response')
  t.same(
    outbox.map((r) => [r.status, r.smtp_response]),
    [['sent', '250 demo: consegna simulata, nessun messaggio è uscito dal server']],
    'the outbox: all sent by the demo transport'
  )
  t.equal(smtp.messages.length, 0, 'no demo mail reached the SMTP server')
  // the live host does send through SMTP_URL: an operator's answer now reaches the relay, alone
  const reply = await fetch(`http://127.0.0.1:${host.port}${API}/work-orders/324/reply`, {
    method: 'POST',
    headers: operator,
    body: JSON.stringify({ html: '<p>Grazie della segnalazione: interveniamo domani.</p>' })
  })
  t.equal(reply.status, 201, 'a live reply is queued')
  const sent = await smtp.waitFor(1, 20_000)
  t.same(
    sent.map((m) => m.envelope.to),
    [['luca.esposito88@posta.example.test']],
    'the only mail the relay received is the live one'
  )
})

t.test('a second start on the same database adds nothing', async (t) => {
  const db = await createTestDatabase()
  t.teardown(() => db.destroy())
  const first = startServer(t, db, { PORT: String(await freePort()) })
  await ready(first, 120_000)
  const tables = ['contribuenti', 'ordini_lavoro', 'trc_messages', 'trc_attachments', 'trc_outbox', 'trc_mailboxes', 'trc_audit_log']
  const before = await Promise.all(tables.map((name) => count(db, name)))
  t.equal(await first.stop(), 0, 'the first instance shut down cleanly')
  const second = startServer(t, db, { PORT: String(await freePort()) })
  await ready(second)
  t.same(await Promise.all(tables.map((name) => count(db, name))), before, 'the same rows after the second start')
  t.equal(await count(db, 'trc_outbox', { status: 'sent' }), before[4], 'and every outbox row still settled')
})
