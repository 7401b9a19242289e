// The acknowledgement a citizen receives for a new contact, queued in the outbox in the caller's transaction.
import { requestTypeLabel, type RequestType, type Standards } from '../domain/arera.js'
import { queueOutboundMail } from '../mail/outbound.js'
import { htmlToText } from '../mail/sanitize.js'
import { channelLabel, confirmationMail } from '../mail/templates.js'
import type { ResolvedOptions } from '../options.js'
import type { Repositories } from '../repositories/index.js'

export interface ConfirmationDeps {
  options: ResolvedOptions
  standards: Standards
}

export interface ConfirmationInput {
  workOrderId: number
  contributorId: number
  to: string
  content: { subject: string | null; text: string | null; html: string | null }
  receivedAt: Date
  pec: boolean
  replyFrom: string | null
  /** The mailbox the contact wrote to: the confirmation leaves through its outgoing server. */
  mailboxId?: number | null
  inReplyTo: string | null
  channel?: 'email' | 'web' | 'app'
  /**
   * Quote the citizen's text in the confirmation (default). False for senders nobody vouched for: then neither
   * their text nor their subject appears, so a forged From cannot make us carry someone's words and links.
   */
  quoteBody?: boolean
}

/** Queues the acknowledgement for a new contact, at most `confirmationsPerHour` per address. */
export async function queueConfirmation(tx: Repositories, deps: ConfirmationDeps, input: ConfirmationInput, now: Date): Promise<boolean> {
  const { options } = deps
  const from = input.replyFrom ?? options.mail.from
  if (!from) return false
  const recent = await tx.outbox.countSince(input.to, 'confirmation', new Date(now.getTime() - 3_600_000))
  if (recent >= options.inbound.confirmationsPerHour) {
    await tx.audit.record(
      { actorType: 'system', action: 'confirmation.suppressed', workOrderId: input.workOrderId, details: { to: input.to, reason: 'rate limit' } },
      now
    )
    return false
  }
  const meta = await tx.workOrderMeta.find(input.workOrderId)
  const type = (meta?.areraType ?? null) as RequestType | null
  const quote = input.quoteBody !== false
  const text = !quote ? '' : (input.content.text ?? htmlToText(input.content.html ?? '')).replace(/\s+/g, ' ').trim()
  const mail = confirmationMail({
    locale: options.locale,
    organizationName: options.organizationName,
    reference: meta?.reference ?? String(input.workOrderId),
    workOrderId: input.workOrderId,
    originalSubject: quote ? input.content.subject : null,
    receivedAt: input.receivedAt,
    typeLabel: type ? requestTypeLabel(type, options.locale) : null,
    dueDate: meta?.dueDate ?? null,
    workingDays: type ? (deps.standards[type]?.workingDays ?? null) : null,
    summary: text.length > 400 ? `${text.slice(0, 400)}…` : text,
    channelLabel: channelLabel(input.channel ?? 'email', options.locale, input.pec)
  })
  await queueOutboundMail(
    tx,
    {
      workOrderId: input.workOrderId,
      contributorId: input.contributorId,
      kind: 'confirmation',
      from,
      to: [input.to],
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      inReplyTo: input.inReplyTo,
      references: input.inReplyTo ? [input.inReplyTo] : [],
      mailboxId: input.mailboxId ?? null,
      now
    },
    options.secret
  )
  return true
}
