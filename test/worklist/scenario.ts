// A conversation set where every worklist queue has exactly known members, built through the real paths: mail
// ingest (known, unknown and shared senders, an old and a very old receipt, spam, an oversized mail quarantined),
// the Sportello On-line form, replies (one refused by the SMTP server), a state change and a classification.
import type { TestHost } from '../helpers/host.js'
import { auth } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import type { SmtpTestServer } from '../helpers/smtp.js'
import { formToken } from '../intake/fixtures.js'
import { createWorkingCalendar, romeDate, addCalendarDays } from '../../src/domain/working-days.js'
import { romeDayStart } from '../../src/domain/worklist.js'

export const API = '/api/communications'
export const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const TO = 'tari@garbage.example.test'
/** One text for every mail, so every request gets the same suggested type (and standard). */
const TEXT = 'Buongiorno, vi scrivo per un reclamo sul servizio di raccolta. Cordiali saluti.'

export interface Scenario {
  /** Work orders by role (see buildScenario). */
  ids: Record<'known' | 'replied' | 'unknown' | 'shared' | 'dueSoon' | 'overdue' | 'web' | 'closed' | 'failed' | 'oversize', number>
  spamId: number
  quarantineId: number
  mailboxId: number
  today: string
  /** The due dates the clock gave. */
  due: Record<string, string>
}

export async function buildScenario(host: TestHost, smtp: SmtpTestServer): Promise<Scenario> {
  const api = async (method: 'POST' | 'PUT', url: string, payload: object, token: 'demo-admin' | 'demo-operator' = 'demo-operator') => {
    const res = await host.app.inject({ method, url: `${API}${url}`, headers: auth(token), payload })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }
  const mailbox = await api(
    'POST',
    '/mailboxes',
    { name: 'Reclami', host: '127.0.0.1', port: 1, username: 'reclami@garbage.example.test', password: 'x', enabled: false },
    'demo-admin'
  )
  const mailboxId = Number(mailbox.id)
  const ingest = async (
    from: string,
    subject: string,
    options: { receivedAt?: Date; mailboxId?: number; headers?: Record<string, string>; big?: boolean } = {}
  ) => {
    const raw = await buildMail({
      from,
      to: TO,
      subject,
      text: TEXT,
      headers: options.headers,
      attachments: options.big ? [{ filename: 'foto.bin', content: Buffer.alloc(150_000, 7) }] : []
    })
    return host.app.communications.mail.ingest(raw, { receivedAt: options.receivedAt ?? null, mailboxId: options.mailboxId ?? null })
  }
  const open = async (...args: Parameters<typeof ingest>) => (await ingest(...args)).workOrderId as number
  const dueOf = async (id: number) => {
    const res = await host.app.inject({ url: `${API}/work-orders/${id}`, headers: auth('demo-viewer') })
    return String(res.json().dueDate)
  }

  const known = await open('Mario Rossi <mario.rossi@example.test>', 'Cassonetto rotto in via Garibaldi')
  const today = romeDate(new Date())
  const calendar = createWorkingCalendar()
  const standard = calendar.workingDaysBetween(today, await dueOf(known))
  // a receipt whose due date is tomorrow's working day: "due soon" (within 2 working days)
  const target = calendar.addWorkingDays(today, 1)
  let receipt = addCalendarDays(today, -1)
  while (calendar.addWorkingDays(receipt, standard) > target) receipt = addCalendarDays(receipt, -1)
  if (calendar.addWorkingDays(receipt, standard) !== target) throw new Error(`no receipt day gives ${target}`)
  const at = (day: string) => new Date(romeDayStart(day).getTime() + 10 * 3_600_000)

  const replied = await open('Mario Rossi <mario.rossi@example.test>', 'Orari del centro di raccolta')
  const unknown = await open('Cittadino Sconosciuto <sconosciuto@example.test>', 'Rifiuti abbandonati', { mailboxId })
  const shared = await open('Famiglia Bianchi <famiglia.bianchi@example.test>', 'Sacchetti gialli esauriti')
  const dueSoon = await open('Mario Rossi <mario.rossi@example.test>', 'Raccolta umido saltata', { receivedAt: at(receipt) })
  const overdue = await open('Mario Rossi <mario.rossi@example.test>', 'Vetro non raccolto da mesi', { receivedAt: at(addCalendarDays(today, -150)) })
  const web = (
    await api('POST', '/intake/web', {
      formToken: formToken(),
      type: 'segnalazione_disservizio',
      service: 'raccolta_trasporto',
      subject: 'Segnalazione dal sito: bidone mancante',
      description: TEXT,
      address: 'Via della Libertà 12, Cantù',
      firstName: 'Mario',
      lastName: 'Rossi',
      email: 'mario.rossi@example.test',
      fiscalCode: '',
      privacy: 'true'
    })
  ).workOrderId as number
  const closed = await open('Mario Rossi <mario.rossi@example.test>', 'Richiesta già risolta')
  await api('POST', `/work-orders/${closed}/state`, { state: 'closed' })
  const failed = await open('Mario Rossi <mario.rossi@example.test>', 'Ritiro ingombranti')
  const oversize = await open('Mario Rossi <mario.rossi@example.test>', 'Foto enormi del cassonetto', { big: true })
  const spam = await ingest('Offerte <promo@spam.example.test>', 'Vinci subito', { headers: { 'X-Spam-Flag': 'YES' } })
  if (spam.outcome !== 'spam') throw new Error(`spam not recognised: ${spam.outcome}`)

  // the confirmations are not under test: the next outbox run delivers only the reply that fails
  await host.knex('trc_outbox').where({ kind: 'confirmation' }).update({ status: 'sent' })
  await api('POST', `/work-orders/${failed}/reply`, { html: '<p>Passeremo giovedì.</p>' })
  smtp.failWith(550, '5.1.1 Recipient address rejected', { on: 'RCPT' })
  await host.app.communications.outbox.runOnce()
  smtp.clearFailure()
  await api('POST', `/work-orders/${replied}/reply`, { html: '<p>Il centro è aperto dal lunedì al sabato.</p>' })
  await api('POST', `/work-orders/${known}/state`, { state: 'in_progress' })
  await api('PUT', `/work-orders/${shared}/classification`, { type: 'richiesta_informazioni' })

  const spamRow = await host.knex('trc_spam').first('id')
  const quarantineRow = await host.knex('trc_quarantine').first('id')
  const ids = { known, replied, unknown, shared, dueSoon, overdue, web, closed, failed, oversize }
  const due: Record<string, string> = {}
  for (const [role, id] of Object.entries(ids)) due[role] = await dueOf(id)
  return { ids, spamId: Number(spamRow.id), quarantineId: Number(quarantineRow.id), mailboxId, today, due }
}
