// Bounces and PEC receipts are evidence about one of our outbound messages: find it, and whether it failed.
import { readBounce } from '../bounce.js'
import { messageIdKey } from '../message-id.js'
import { decryptSecret } from '../../crypto.js'
import { readPecReceipt } from '../pec.js'
import { receiptRejection } from '../pec-receipt.js'
import { describeSmtpUrl } from '../smtp.js'
import { returnPathOutboxId } from '../verp.js'
import type { IngestContext, IngestStep } from './context.js'

export const linkEvidence: IngestStep = {
  name: 'link-evidence',
  async run(ctx) {
    const mail = ctx.parsed
    const verdict = ctx.automatic
    if (!mail || !verdict) return ctx
    if (verdict.kind === 'bounce') {
      ctx.evidence = await bounceEvidence(ctx, verdict.reason)
    } else if (verdict.kind === 'pec-receipt') {
      ctx.evidence = await pecEvidence(ctx, verdict.reason)
    } else {
      ctx.evidence = { workOrderId: ctx.thread?.workOrderId ?? null, failedOutbound: null, detail: verdict.reason }
    }
    return ctx
  }
}

/**
 * A DSN fails our message only when it came back to the return path signed for that message (src/mail/verp.ts):
 * the Message-ID a report names is anyone's to write. Any other stays ordinary automatic mail.
 */
async function bounceEvidence(ctx: IngestContext, reason: string): Promise<NonNullable<IngestContext['evidence']>> {
  const mail = ctx.parsed as NonNullable<IngestContext['parsed']>
  const bounce = readBounce(mail)
  const detail = `${reason}; ${bounce.recipient ?? ''} ${bounce.status ?? ''} ${bounce.diagnostic ?? ''}`.trim()
  const ordinary = (why: string) => ({ workOrderId: ctx.thread?.workOrderId ?? null, failedOutbound: null, detail: `${detail}; ${why}` })
  const outboxId = returnPathOutboxId(mail, ctx.deps.options.secret)
  if (outboxId === null) return ordinary("non indirizzato all'indirizzo di ritorno firmato di un nostro messaggio")
  const row = await ctx.deps.repos.outbox.findById(outboxId)
  const original = row?.messageId == null ? null : await ctx.deps.repos.messages.findById(row.messageId)
  if (!original) return ordinary('messaggio non trovato')
  const failure = [bounce.status, bounce.diagnostic].filter(Boolean).join(' ') || 'Messaggio non recapitato'
  return { workOrderId: original.workOrderId, failedOutbound: bounce.permanent ? { id: original.id, reason: failure } : null, detail }
}

/** A genuine receipt sets the delivery status of our message; any other stays ordinary automatic mail. */
async function pecEvidence(ctx: IngestContext, reason: string): Promise<NonNullable<IngestContext['evidence']>> {
  const mail = ctx.parsed as NonNullable<IngestContext['parsed']>
  const receipt = readPecReceipt(mail)
  const ordinary = (why: string) => ({ workOrderId: ctx.thread?.workOrderId ?? null, failedOutbound: null, detail: `${reason}; ${why}` })
  if (!receipt?.referenceMessageId) return ordinary('ricevuta PEC senza X-Riferimento-Message-ID')
  const record = ctx.incoming.mailboxId === null ? null : await ctx.deps.repos.mailboxes.findById(ctx.incoming.mailboxId)
  const original = await outboundOriginal(ctx, receipt.referenceMessageId)
  const rejection = receiptRejection({
    receipt,
    mail,
    original,
    mailbox: record && {
      id: record.id,
      pec: record.pec,
      imapHost: record.host,
      pecProviderDomain: record.pecProviderDomain,
      smtpHost: record.smtpUrlEncrypted ? describeSmtpUrl(decryptSecret(record.smtpUrlEncrypted, ctx.deps.options.secret)).host : null
    }
  })
  if (rejection || !original) return ordinary(rejection ?? 'messaggio non trovato')
  return {
    workOrderId: original.workOrderId,
    failedOutbound: receipt.outcome === 'failed' ? { id: original.id, reason: `PEC: ${receipt.type}` } : null,
    deliveredOutbound: receipt.outcome === 'accepted' || receipt.outcome === 'delivered' ? { id: original.id, status: receipt.outcome } : null,
    detail: reason
  }
}

async function outboundOriginal(ctx: IngestContext, messageId: string | null) {
  return messageId ? ctx.deps.repos.messages.findByDedupeKey(messageIdKey(messageId)) : null
}
