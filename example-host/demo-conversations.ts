// The demo conversations, seeded on the first start through the module's own paths: mail through
// `communications.mail.ingest` (PEC envelopes and receipts included), the Sportello On-line and the app through their
// HTTP routes, operator answers through reply/forward/note/state. A separate, short-lived instance of the host does it,
// with the module's clock set to each step's time (a year of history in a few seconds) and its outgoing mail handed to
// nodemailer's stream transport: every demo mail is composed and marked sent by the outbox worker, none leaves the
// process. The live host then starts on the same database with the real clock and the configured SMTP server.
import type { Knex } from 'knex'
import nodemailer from 'nodemailer'
import { issueFormToken } from '../src/intake/form-token.js'
import type { SmtpTransport } from '../src/mail/smtp.js'
import type { CommunicationsService } from '../src/module.js'
import { buildHostApp } from './app.js'
import { DEMO_OPERATORS } from './auth.js'
import {
  LAST_YEAR,
  SHOWCASE,
  THIS_YEAR_DAYS,
  THIS_YEAR_REPLY_AFTER,
  THIS_YEAR_TYPES,
  YEAR_TEXTS,
  yearReplyHtml,
  type DemoStep,
  type When,
  type YearRequest
} from './demo-data.js'
import { buildDemoMail, buildPecEnvelope, buildPecReceipt, DEMO_AUTHSERV_ID, DEMO_PEC_PROVIDER, type DemoFile } from './demo-mail.js'

const PREFIX = '/api/communications'
const OPERATOR = DEMO_OPERATORS['demo-operator']!
const ADMIN = DEMO_OPERATORS['demo-admin']!
/** The sender of confirmations and answers to the Sportello and the app (the host's MAIL_FROM, when set, wins). */
export const DEMO_MAIL_FROM = '"Garbage Servizi Ambientali – Ufficio Clienti" <clienti@garbage.example.test>'
export const DEMO_SMTP_RESPONSE = '250 demo: consegna simulata, nessun messaggio è uscito dal server'
const TARI = 'tari@garbage.example.test'
const PEC = 'protocollo@pec.garbage.example.test'

export interface DemoSeedSummary {
  conversations: number
  yearRequests: number
  ms: number
  /** CPU time of this process (SQLite's work included; a busy machine inflates `ms`, less this). */
  cpuMs: number
}

/** Every outgoing demo mail is composed in full and kept nowhere: the outbox worker records it as sent. */
function demoTransport(): SmtpTransport {
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true })
  const transport = {
    async sendMail(mail: Parameters<SmtpTransport['sendMail']>[0]) {
      const info = await stream.sendMail(mail)
      return { ...info, response: DEMO_SMTP_RESPONSE, accepted: info.envelope.to, rejected: [], pending: [] }
    },
    verify: async () => true as const,
    close: () => stream.close()
  }
  return transport as unknown as SmtpTransport
}

/** A Rome wall-clock time on a Rome date, as an instant. */
function romeInstant(isoDate: string, time: string): Date {
  const guess = new Date(`${isoDate}T${time}:00Z`)
  const offset = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Rome', timeZoneName: 'longOffset' })
    .formatToParts(guess)
    .find((p) => p.type === 'timeZoneName')
    ?.value.replace('GMT', '')
  const [h, m] = (offset || '+00:00').split(':').map(Number) as [number, number]
  return new Date(guess.getTime() - Math.sign(h || 1) * (Math.abs(h) * 60 + (m || 0)) * 60_000)
}

const multipart = (fields: Record<string, string>, files: DemoFile[]) => {
  const boundary = '----demoSportelloBoundary'
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`))
  for (const f of files) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${f.filename}"\r\nContent-Type: ${f.contentType}\r\n\r\n`),
      f.content,
      Buffer.from('\r\n')
    )
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

interface Contributor {
  name: string
  first: string
  last: string
  email: string
  fiscalCode: string
}

/** Seeds the demo conversations into a database the host has just seeded; returns what it did and how long it took. */
export async function seedDemoConversations(knex: Knex, options: { secret: string; mailFrom?: string }): Promise<DemoSeedSummary> {
  const started = Date.now()
  const cpu = process.cpuUsage()
  const realNow = new Date()
  let clock = realNow
  const { app } = await buildHostApp({
    knex,
    module: {
      secret: options.secret,
      mail: { mailboxes: [], startWorkers: false, from: options.mailFrom ?? DEMO_MAIL_FROM },
      intake: { perIpLimit: 1_000_000, perKeyLimit: 1_000_000, perEmailPerHour: 1_000 },
      hooks: { now: () => new Date(clock.getTime()), transport: demoTransport() }
    }
  })
  try {
    await app.ready()
    const service = app.communications
    const calendar = service.arera.calendar
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome' }).format(realNow)
    const yearStart = `${today.slice(0, 4)}-01-01`
    const workingDaysBefore = (n: number): string => {
      let date = today
      for (let left = n; left > 0;) {
        date = new Date(Date.parse(`${date}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
        if (calendar.isWorkingDay(date)) left--
      }
      // the first weeks of January: the demo's recent weeks stay in this year, last year's figures stay fixed
      return date < yearStart ? yearStart : date
    }
    const whenOf = (w: When): Date => {
      const instant = romeInstant(workingDaysBefore(w.wd), w.time)
      return instant.getTime() > realNow.getTime() ? new Date(realNow.getTime() - 60_000 * (w.wd + 1)) : instant
    }

    const tari = await service.mailboxes.create(
      {
        name: 'Ufficio TARI (demo, disattivata)',
        host: 'imap.garbage.example.test',
        port: 993,
        secure: true,
        username: TARI,
        password: 'demo',
        fromAddress: TARI,
        fromName: 'Garbage Servizi Ambientali – Ufficio TARI',
        enabled: false,
        authservId: DEMO_AUTHSERV_ID
      },
      ADMIN
    )
    const pec = await service.mailboxes.create(
      {
        name: 'Protocollo PEC (demo, disattivata)',
        host: `imap.${DEMO_PEC_PROVIDER}`,
        port: 993,
        secure: true,
        username: PEC,
        password: 'demo',
        fromAddress: PEC,
        fromName: 'Garbage Servizi Ambientali – Protocollo',
        enabled: false,
        pec: true,
        pecProviderDomain: DEMO_PEC_PROVIDER,
        authservId: DEMO_AUTHSERV_ID
      },
      ADMIN
    )
    const mailboxId = { tari: tari.id, pec: pec.id }
    let counter = 0
    const nextId = (domain: string) => `<demo.${++counter}@${domain}>`

    const deliver = async () => {
      await service.outbox.runOnce()
    }

    const intake = async (url: string, fields: Record<string, string>, files: DemoFile[] = []): Promise<number> => {
      const formToken = issueFormToken(options.secret, new Date(Date.now() - 60_000))
      const web = url.endsWith('/intake/web')
      const body = web ? { ...fields, formToken, privacy: 'true' } : { ...fields, api_key: 'demo-app-key' }
      const response =
        files.length > 0
          ? await app.inject({ method: 'POST', url, ...multipart(body, files) })
          : await app.inject({
              method: 'POST',
              url,
              payload: new URLSearchParams(body).toString(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' }
            })
      if (response.statusCode !== 201) throw new Error(`demo seed: ${url} answered ${response.statusCode}: ${response.body}`)
      const json = response.json() as { workOrderId?: number } | Array<{ token: string }>
      if (!Array.isArray(json)) return Number(json.workOrderId)
      // Open311 answers with the reference and the citizen's token: the token names the work order
      const request = await app.communications.intake.findByToken(json[0]?.token ?? '')
      if (!request) throw new Error('demo seed: the app request was not found by its token')
      return request.workOrderId
    }

    /** Runs one step of a conversation at its time; returns the work order it opened or continued. */
    const run = async (step: DemoStep, workOrderId: number | null, at: Date): Promise<number> => {
      clock = at
      switch (step.kind) {
        case 'mail': {
          const conversation = workOrderId === null ? [] : await service.workOrders.conversation(workOrderId)
          const lastOutbound = step.threaded ? conversation.filter((m) => m.direction === 'outbound' && m.channel === 'email').at(-1) : undefined
          const address = step.mailbox === 'pec' ? PEC : TARI
          const domain = (/@([^>]+)>?$/.exec(step.from)?.[1] ?? 'example.test').toLowerCase()
          let raw = await buildDemoMail({
            from: step.from,
            to: address,
            subject: step.subject,
            text: step.text,
            date: at,
            messageId: nextId(domain),
            inReplyTo: lastOutbound?.messageId ?? null,
            references: conversation.flatMap((m) => (m.messageId ? [m.messageId] : [])),
            attachments: step.files
          })
          if (step.pec) {
            const bare = /<([^>]+)>/.exec(step.from)?.[1] ?? step.from
            raw = buildPecEnvelope(raw, {
              from: bare,
              to: address,
              subject: step.subject,
              date: at,
              envelopeId: nextId('pec.example.test'),
              provider: 'pec.example.test'
            })
          }
          const result = await service.mail.ingest(raw, { receivedAt: at, mailboxId: mailboxId[step.mailbox] })
          if (result.workOrderId === null) throw new Error(`demo seed: mail "${step.subject}" was ${result.outcome}`)
          return result.workOrderId
        }
        // confirmations wait for the next answer's delivery round (or the last one): one outbox pass instead of many
        case 'web':
          return intake(`${PREFIX}/intake/web`, step.fields, step.files)
        case 'app':
          return intake(`${PREFIX}/open311/v2/requests.json`, step.fields)
      }
      if (workOrderId === null) throw new Error(`demo seed: a conversation must start with a message, not "${step.kind}"`)
      switch (step.kind) {
        case 'reply':
          await service.workOrders.reply(workOrderId, { html: step.html, reasonedReply: step.reasoned, files: step.files }, OPERATOR)
          await deliver()
          break
        case 'forward':
          await service.workOrders.forward(workOrderId, { to: step.to, note: step.note }, OPERATOR)
          await deliver()
          break
        case 'note':
          await service.workOrders.addNote(workOrderId, { html: step.html }, OPERATOR)
          break
        case 'state':
          await service.workOrders.setState(workOrderId, { state: step.state }, OPERATOR)
          break
        case 'classify':
          await service.arera.classify(workOrderId, { type: step.type, service: step.service }, OPERATOR, at)
          break
        case 'pecReceipts':
          await pecReceipts(service, workOrderId, at, mailboxId.pec, nextId)
          break
      }
      return workOrderId
    }

    for (const conversation of SHOWCASE) {
      let workOrderId: number | null = null
      for (const step of conversation.steps) workOrderId = await run(step, workOrderId, whenOf(step.at))
    }

    const people = await yearContributors(knex)
    const year = Number(today.slice(0, 4))
    const requests: Array<YearRequest & { year: number }> = LAST_YEAR.map((r) => ({ ...r, year: year - 1 }))
    let turn = 0
    for (let month = 1; month <= 12; month++) {
      for (const day of THIS_YEAR_DAYS) {
        const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
        if (date >= workingDaysBefore(1)) continue
        const replyAfter = THIS_YEAR_REPLY_AFTER[turn % THIS_YEAR_REPLY_AFTER.length] as number
        const type = THIS_YEAR_TYPES[turn % THIS_YEAR_TYPES.length] as YearRequest['type']
        const answered = calendar.addWorkingDays(date, replyAfter) < today
        requests.push({
          year,
          month,
          day,
          type,
          replyAfter: answered ? replyAfter : null,
          cause: replyAfter > (type === 'rettifica_importi' ? 60 : 30) ? 'gestore' : undefined
        })
        turn++
      }
    }
    for (const [i, request] of requests.entries()) {
      const person = people[(i * 7) % people.length] as Contributor
      const texts = YEAR_TEXTS[request.type]
      const text = texts[i % texts.length] as (typeof texts)[number]
      const date = `${request.year}-${String(request.month).padStart(2, '0')}-${String(request.day).padStart(2, '0')}`
      const received = romeInstant(date, `${String(8 + (i % 9)).padStart(2, '0')}:${String((i * 13) % 60).padStart(2, '0')}`)
      let workOrderId: number
      // every other one through the Sportello, which does not offer activations: those come by mail
      if (i % 2 === 0 || request.type === 'attivazione_variazione_cessazione') {
        workOrderId = await run(
          {
            kind: 'mail',
            at: { wd: 0, time: '' },
            mailbox: 'tari',
            from: `${person.name} <${person.email}>`,
            subject: text.subject,
            text: `${text.text}\n\n${person.name}`
          },
          null,
          received
        )
        await run(
          { kind: 'classify', at: { wd: 0, time: '' }, type: request.type, service: text.service },
          workOrderId,
          new Date(received.getTime() + 1_800_000)
        )
      } else {
        const fields = {
          type: request.type,
          service: text.service,
          subject: text.subject,
          description: text.text,
          firstName: person.first,
          lastName: person.last,
          email: person.email,
          fiscalCode: person.fiscalCode
        }
        workOrderId = await run({ kind: 'web', at: { wd: 0, time: '' }, fields }, null, received)
      }
      if (request.replyAfter === null) continue
      const replied = romeInstant(calendar.addWorkingDays(date, request.replyAfter), '11:00')
      const late = request.cause !== undefined
      await run({ kind: 'reply', at: { wd: 0, time: '' }, reasoned: true, html: yearReplyHtml(text.subject, late) }, workOrderId, replied)
      if (late) await service.arera.setMissCause(workOrderId, request.cause, OPERATOR, new Date(replied.getTime() + 600_000))
      await run({ kind: 'state', at: { wd: 0, time: '' }, state: 'closed' }, workOrderId, new Date(replied.getTime() + 900_000))
    }
    clock = realNow
    await deliver()
    const used = process.cpuUsage(cpu)
    return { conversations: SHOWCASE.length, yearRequests: requests.length, ms: Date.now() - started, cpuMs: Math.round((used.user + used.system) / 1000) }
  } finally {
    await app.close()
  }
}

/** Our PEC provider's acceptance and delivery receipts for the last certified answer of a work order. */
async function pecReceipts(
  service: CommunicationsService,
  workOrderId: number,
  at: Date,
  mailboxId: number,
  nextId: (domain: string) => string
): Promise<void> {
  const answer = (await service.workOrders.conversation(workOrderId)).filter((m) => m.direction === 'outbound' && m.mailboxId === mailboxId).at(-1)
  if (!answer?.messageId) throw new Error('demo seed: no certified answer to receive PEC receipts for')
  for (const [type, delay] of [
    ['accettazione', 5_000],
    ['avvenuta-consegna', 40_000]
  ] as const) {
    const date = new Date(at.getTime() + delay)
    const raw = buildPecReceipt(type, {
      referenceMessageId: answer.messageId,
      ourAddress: PEC,
      recipient: answer.to[0] ?? '',
      subject: answer.subject ?? '',
      date,
      receiptId: nextId(DEMO_PEC_PROVIDER)
    })
    await service.mail.ingest(raw, { receivedAt: date, mailboxId })
  }
}

/** Contributors of the host's demo data who have an email and a fiscal code, beyond the ones the contract names. */
async function yearContributors(knex: Knex): Promise<Contributor[]> {
  const rows: Array<{ nominativo: string; email: string; codice_fiscale: string }> = await knex('contribuenti')
    .select('nominativo', 'email', 'codice_fiscale')
    .whereNotNull('email')
    .whereNotNull('codice_fiscale')
    .where('generico', false)
    .whereNotIn('email', ['mario.rossi@example.test', 'famiglia.bianchi@example.test'])
    .orderBy('id_contribuente')
    .limit(60)
  return rows.map((r) => {
    const words = r.nominativo.split(' ')
    const first = words.at(-1) as string
    const last = words.slice(0, -1).join(' ')
    return { name: `${first} ${last}`, first, last, email: r.email, fiscalCode: r.codice_fiscale }
  })
}
