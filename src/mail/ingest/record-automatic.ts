// Machine-written mail: stored as evidence in the conversation it concerns (if any); a permanent bounce or a
// failed PEC delivery marks our outbound message failed (and reopens the ARERA clock); a genuine PEC acceptance or
// delivery receipt becomes its delivery status. Never a work order, never a confirmation.
import type { Repositories } from '../../repositories/index.js'
import { truncate } from '../../domain/text.js'
import type { DeliveryStatus } from '../../types.js'
import type { AutomaticVerdict } from '../automatic.js'
import { markOutboundFailed } from '../delivery.js'
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
    workOrderId,
    contributorId: null,
    mailboxId: incoming.mailboxId,
    direction: 'inbound',
    channel: 'email',
    messageId: mail.messageId,
    dedupeKey: ctx.dedupeKey,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    from: mail.from?.address ?? null,
    fromName: mail.from?.name || null,
    to: mail.to.map((a) => a.address),
    cc: mail.cc.map((a) => a.address),
    subject: mail.subject,
    html: ctx.html,
    text: truncate(mail.text ?? htmlToText(mail.html ?? ''), MAX_TEXT),
    automaticKind: verdict.kind,
    imapUid: incoming.checkpoint?.uid ?? null,
    meta: { automatic: detail, ...ctx.meta },
    receivedAt: incoming.receivedAt ?? mail.date ?? now,
    createdAt: now
  })
  await storeAttachments(tx, messageId, ctx)
  if (failedOutbound) {
    // the citizen never received it: the ARERA clock runs again, exactly as after an SMTP 5xx
    await markOutboundFailed(tx, failedOutbound.id, failedOutbound.reason, now)
    await tx.audit.record(
      {
        actorType: 'system',
        action: 'outbound.bounced',
        workOrderId,
        messageId: failedOutbound.id,
        details: { reason: failedOutbound.reason, evidence: messageId }
      },
      now
    )
  }
  const delivered = evidence.deliveredOutbound
  if (delivered) {
    // receipts may arrive before the send is recorded, and out of order: the status only moves forward
    const before: DeliveryStatus[] =
      delivered.status === 'accepted' ? ['queued', 'sending', 'retrying', 'sent'] : ['queued', 'sending', 'retrying', 'sent', 'accepted']
    if (await tx.messages.setDeliveryStatus(delivered.id, delivered.status, null, before)) {
      await tx.audit.record(
        { actorType: 'system', action: `outbound.pec.${delivered.status}`, workOrderId, messageId: delivered.id, details: { evidence: messageId } },
        now
      )
    }
  }
  await tx.audit.record({ actorType: 'system', action: 'mail.automatic', workOrderId, messageId, details: { kind: verdict.kind, reason: detail } }, now)
  return { outcome: 'automatic', messageId, workOrderId, detail }
}
