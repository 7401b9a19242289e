// Machine-written mail: stored as evidence in the conversation it concerns (if any); a permanent bounce or a
// failed PEC delivery marks our outbound message failed. Never a work order, never a confirmation.
import type { Repositories } from '../../repositories/index.js'
import { truncate } from '../../text.js'
import type { AutomaticVerdict } from '../automatic.js'
import { htmlToText } from '../sanitize.js'
import type { IngestContext, IngestResult } from './context.js'
import { MAX_TEXT } from './prepare-content.js'
import { storeAttachments } from './store-attachments.js'

export async function recordAutomatic(tx: Repositories, ctx: IngestContext, verdict: AutomaticVerdict): Promise<IngestResult> {
  const { incoming, now } = ctx
  const mail = ctx.parsed
  if (!mail || !ctx.dedupeKey) throw new Error('recordAutomatic: the pipeline did not parse and key this mail')
  const evidence = ctx.evidence ?? { workOrderId: null, failedOutbound: null, detail: verdict.reason }
  const { workOrderId, failedOutbound, detail } = evidence
  const messageId = await tx.messages.insert({
    workOrderId, contributorId: null, mailboxId: incoming.mailboxId, direction: 'inbound', channel: 'email',
    messageId: mail.messageId, dedupeKey: ctx.dedupeKey, inReplyTo: mail.inReplyTo, references: mail.references,
    from: mail.from?.address ?? null, fromName: mail.from?.name || null, to: mail.to.map((a) => a.address), cc: mail.cc.map((a) => a.address),
    subject: mail.subject, html: ctx.html, text: truncate(mail.text ?? htmlToText(mail.html ?? ''), MAX_TEXT), automaticKind: verdict.kind,
    imapUid: incoming.checkpoint?.uid ?? null, meta: { automatic: detail, ...ctx.meta },
    receivedAt: incoming.receivedAt ?? mail.date ?? now, createdAt: now
  })
  await storeAttachments(tx, messageId, ctx)
  if (failedOutbound) {
    await tx.messages.setDeliveryStatus(failedOutbound.id, 'failed', failedOutbound.reason)
    await tx.audit.record({ actorType: 'system', action: 'outbound.bounced', workOrderId, messageId: failedOutbound.id, details: { reason: failedOutbound.reason, evidence: messageId } }, now)
  }
  await tx.audit.record({ actorType: 'system', action: 'mail.automatic', workOrderId, messageId, details: { kind: verdict.kind, reason: detail } }, now)
  return { outcome: 'automatic', messageId, workOrderId, detail }
}
