// Mailbox failure alerts: a mailbox that has been failing (login refused, server unreachable, folder gone, a
// message that cannot be stored…) for longer than `afterMs` mails the administrators once, and once more when it
// works again. Every instance checks; a conditional UPDATE on the state row makes each notice go out once.
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { formatTimestamp } from '../domain/dates.js'
import { escapeHtml } from '../domain/escape.js'
import type { Locale } from '../i18n.js'
import type { FailureAlertOptions } from '../options.js'
import type { Repositories } from '../repositories/index.js'
import type { MailboxRecord, MailboxState } from '../repositories/mailboxes.js'
import { messageIdDomain, ORIGIN_HEADER } from './outbound.js'

export interface MailboxAlertDeps {
  repos: Repositories
  alerts: Required<FailureAlertOptions> | null
  from: string | null
  organizationName: string
  locale: Locale
  log: Pick<FastifyBaseLogger, 'info' | 'error'>
  /** Called when a notice was queued (the outbox worker sends it now). */
  onQueued?: () => void
}

function alertMail(
  kind: 'failing' | 'recovered',
  mb: Pick<MailboxRecord, 'name' | 'username' | 'host'>,
  state: Pick<MailboxState, 'failingSince' | 'lastError'>,
  locale: Locale,
  now: Date
) {
  const since = state.failingSince ? formatTimestamp(state.failingSince, locale) : '?'
  const it =
    kind === 'failing'
      ? {
          subject: `Casella "${mb.name}" non funzionante dal ${since}`,
          text: `La casella di posta "${mb.name}" (${mb.username} su ${mb.host}) non funziona dal ${since}: la posta in arrivo non viene letta.\n\nUltimo errore: ${state.lastError ?? 'sconosciuto'}\n\nRiceverai un altro messaggio quando tornerà a funzionare.`
        }
      : {
          subject: `Casella "${mb.name}" di nuovo funzionante`,
          text: `La casella di posta "${mb.name}" (${mb.username} su ${mb.host}) funziona di nuovo dal ${formatTimestamp(now.toISOString(), locale)}: la posta arrivata nel frattempo viene letta ora.`
        }
  const en =
    kind === 'failing'
      ? {
          subject: `Mailbox "${mb.name}" failing since ${since}`,
          text: `Mailbox "${mb.name}" (${mb.username} on ${mb.host}) has been failing since ${since}: incoming mail is not being read.\n\nLast error: ${state.lastError ?? 'unknown'}\n\nYou will get another message when it works again.`
        }
      : {
          subject: `Mailbox "${mb.name}" working again`,
          text: `Mailbox "${mb.name}" (${mb.username} on ${mb.host}) has been working again since ${formatTimestamp(now.toISOString(), locale)}: the mail that arrived meanwhile is being read now.`
        }
  const mail = locale === 'it' ? it : en
  const footer =
    locale === 'it' ? 'Messaggio automatico del modulo Ticket Reclami – Comunicazioni.' : 'Automatic message from the Ticket Reclami – Comunicazioni module.'
  const text = `${mail.text}\n\n${footer}`
  const html = text
    .split('\n\n')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('')
  return { subject: mail.subject, text, html }
}

export function createMailboxAlerts(deps: MailboxAlertDeps) {
  const { repos, alerts, log } = deps
  let timer: NodeJS.Timeout | null = null
  let running: Promise<number> | null = null

  async function notify(kind: 'failing' | 'recovered', mb: MailboxRecord, state: MailboxState, now: Date): Promise<boolean> {
    if (!alerts || !deps.from) return false
    const from = deps.from
    const mail = alertMail(kind, mb, state, deps.locale, now)
    return repos.transaction(async (tx) => {
      const claimed =
        kind === 'failing'
          ? await tx.mailboxes.claimFailureAlert(mb.id, new Date(now.getTime() - alerts.afterMs), now)
          : await tx.mailboxes.claimRecoveryAlert(mb.id, now)
      if (!claimed) return false
      await tx.outbox.enqueue(
        {
          messageId: null,
          kind: 'alert',
          payload: {
            from,
            to: alerts.to,
            cc: [],
            subject: mail.subject,
            html: mail.html,
            text: mail.text,
            attachmentIds: [],
            messageId: `<mailbox-alert.${mb.id}.${randomBytes(6).toString('hex')}@${messageIdDomain(from)}>`,
            headers: { [ORIGIN_HEADER]: 'alert', 'Auto-Submitted': 'auto-generated' }
          }
        },
        now
      )
      await tx.audit.record(
        {
          actorType: 'system',
          action: kind === 'failing' ? 'mailbox.alert' : 'mailbox.recovered',
          details: { mailboxId: mb.id, failingSince: state.failingSince, to: alerts.to }
        },
        now
      )
      return true
    })
  }

  /** One pass over every mailbox; returns how many notices were queued. */
  async function check(now: Date = new Date()): Promise<number> {
    if (!alerts) return 0
    const [mailboxes, states] = await Promise.all([repos.mailboxes.list(), repos.mailboxes.listStates()])
    const stateOf = new Map(states.map((s) => [s.mailboxId, s]))
    let queued = 0
    for (const mb of mailboxes) {
      const state = stateOf.get(mb.id)
      if (!state) continue
      const failingFor = state.failingSince ? now.getTime() - Date.parse(state.failingSince) : 0
      if (mb.enabled && !state.alertSentAt && state.failingSince && failingFor >= alerts.afterMs && (await notify('failing', mb, state, now))) queued++
      else if (state.alertSentAt && !state.failingSince && (await notify('recovered', mb, state, now))) queued++
    }
    if (queued > 0) {
      log.info({ queued }, 'mailbox alerts queued')
      deps.onQueued?.()
    }
    return queued
  }

  function tick(): void {
    if (running) return
    running = check()
      .catch((err: unknown) => {
        log.error({ err }, 'mailbox alerts: check failed; trying again at the next one')
        return 0
      })
      .finally(() => {
        running = null
      })
  }

  return {
    check,
    start(): void {
      if (!alerts || timer) return
      timer = setInterval(tick, alerts.checkMs)
      timer.unref()
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer)
      timer = null
      await running
    }
  }
}
