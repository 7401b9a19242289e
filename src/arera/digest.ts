// The daily deadline digest: one email to the configured operators listing overdue requests and those due
// within a few working days. It concerns no single work order, so it goes straight into the outbox with no
// conversation message (outbox.message_id is null; the outbox worker sends such rows as they are).
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { FastifyBaseLogger } from 'fastify'
import { formatItalianDate } from './reports/format.js'
import { escapeHtml } from '../domain/escape.js'
import { messageIdDomain, ORIGIN_HEADER } from '../mail/outbound.js'
import { romeDate, type IsoDate } from '../domain/working-days.js'
import type { ResolvedOptions } from '../options.js'
import type { Repositories } from '../repositories/index.js'
import type { AreraService, DeadlineItem } from './service.js'

export type DigestOutcome =
  | { queued: true; outboxId: number; items: number; day: IsoDate }
  | { queued: false; reason: 'disabled' | 'not-working-day' | 'already-sent' | 'nothing-due'; day: IsoDate }

const romeHourFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour: '2-digit', hourCycle: 'h23' })

export function romeHour(instant: Date): number {
  return Number(romeHourFormat.format(instant))
}

function digestMail(organizationName: string, day: IsoDate, items: readonly DeadlineItem[]): { subject: string; html: string; text: string } {
  const overdue = items.filter((i) => i.daysLeft < 0)
  const dueSoon = items.filter((i) => i.daysLeft >= 0)
  const subject = `Scadenze ARERA del ${formatItalianDate(day)}: ${overdue.length} ${overdue.length === 1 ? 'scaduta' : 'scadute'}, ${dueSoon.length} in scadenza`
  const line = (i: DeadlineItem) =>
    `${i.reference} — ${i.subject ?? '(senza oggetto)'} — ${i.typeLabel} — scadenza ${formatItalianDate(i.dueDate)} — ` +
    (i.daysLeft < 0 ? `in ritardo di ${-i.daysLeft} giorni lavorativi` : i.daysLeft === 0 ? 'scade oggi' : `mancano ${i.daysLeft} giorni lavorativi`) +
    (i.clockState === 'suspended' ? ' (termine sospeso)' : '')
  const section = (title: string, list: readonly DeadlineItem[]) => (list.length === 0 ? [] : [title, ...list.map((i) => `- ${line(i)}`), ''])
  const text = [
    `Riepilogo delle scadenze ARERA (${organizationName}), ${formatItalianDate(day)}.`,
    '',
    ...section('Richieste con il termine scaduto:', overdue),
    ...section('Richieste in scadenza:', dueSoon),
    'Messaggio automatico del modulo Ticket Reclami – Comunicazioni: non rispondere.'
  ].join('\n')
  const rows = (list: readonly DeadlineItem[]) =>
    list
      .map(
        (i) =>
          `<tr><td>${escapeHtml(i.reference)}</td><td>${escapeHtml(i.subject ?? '(senza oggetto)')}</td><td>${escapeHtml(i.typeLabel)}</td><td>${formatItalianDate(i.dueDate)}</td><td>${i.daysLeft}${i.clockState === 'suspended' ? ' (sospeso)' : ''}</td></tr>`
      )
      .join('')
  const table = (caption: string, list: readonly DeadlineItem[]) =>
    list.length === 0
      ? ''
      : `<table border="1" cellpadding="4" style="border-collapse:collapse"><caption>${escapeHtml(caption)}</caption><thead><tr><th scope="col">Codice</th><th scope="col">Oggetto</th><th scope="col">Tipo</th><th scope="col">Scadenza</th><th scope="col">Giorni lavorativi rimasti</th></tr></thead><tbody>${rows(list)}</tbody></table>`
  const html = `<p>Riepilogo delle scadenze ARERA (${escapeHtml(organizationName)}), ${formatItalianDate(day)}.</p>${table('Richieste con il termine scaduto', overdue)}${table('Richieste in scadenza', dueSoon)}<p>Messaggio automatico del modulo Ticket Reclami – Comunicazioni: non rispondere.</p>`
  return { subject, html, text }
}

export interface DigestDeps {
  repos: Repositories
  arera: AreraService
  options: ResolvedOptions
  log: FastifyBaseLogger
}

export function createDigest(deps: DigestDeps) {
  const { repos, arera, options, log } = deps
  const instanceId = options.instanceId ?? `${hostname()}:${process.pid}`
  let timer: NodeJS.Timeout | null = null
  let running: Promise<unknown> | null = null

  /** Queues today's digest unless it was already queued (by any instance) or there is nothing to say. */
  async function run(now: Date = new Date()): Promise<DigestOutcome> {
    const config = options.arera.digest
    const day = romeDate(now)
    if (!config || !options.mail.from) return { queued: false, reason: 'disabled', day }
    if (!arera.calendar.isWorkingDay(day)) return { queued: false, reason: 'not-working-day', day }
    const items = await arera.deadlines({ maxDaysLeft: config.dueWithinWorkingDays }, now)
    // The claim is a plain insert outside any transaction: on PostgreSQL a failed insert would abort one.
    if (!(await repos.arera.claimDigestRun(day, instanceId, now))) return { queued: false, reason: 'already-sent', day }
    if (items.length === 0) return { queued: false, reason: 'nothing-due', day }
    const mail = digestMail(options.organizationName, day, items)
    try {
      const outboxId = await repos.outbox.enqueue(
        {
          messageId: null,
          kind: 'digest',
          payload: {
            from: options.mail.from,
            to: config.to,
            cc: [],
            subject: mail.subject,
            html: mail.html,
            text: mail.text,
            messageId: `<digest.${day}.${randomBytes(6).toString('hex')}@${messageIdDomain(options.mail.from)}>`,
            attachmentIds: [],
            headers: { [ORIGIN_HEADER]: 'digest', 'Auto-Submitted': 'auto-generated' }
          }
        },
        now
      )
      return { queued: true, outboxId, items: items.length, day }
    } catch (err) {
      await repos.arera.releaseDigestRun(day)
      throw err
    }
  }

  function tick(): void {
    const config = options.arera.digest
    if (!config || running) return
    const now = new Date()
    if (romeHour(now) < config.hour) return
    running = run(now)
      .then((outcome) => {
        if (outcome.queued) log.info({ outboxId: outcome.outboxId, items: outcome.items }, 'ARERA digest queued')
      })
      .catch((err: unknown) => log.error({ err }, 'ARERA digest failed; retrying at the next check'))
      .finally(() => {
        running = null
      })
  }

  return {
    run,
    /** Checks once a minute whether today's digest is due; the claim table keeps it to one per day. */
    start(intervalMs = 60_000): void {
      if (!options.arera.digest || timer) return
      timer = setInterval(tick, intervalMs)
      timer.unref()
      tick()
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer)
      timer = null
      await running
    }
  }
}
