// Bounces and PEC receipts are evidence about one of our outbound messages: find it, and whether it failed.
import { readBounce } from '../bounce.js'
import { messageIdKey } from '../message-id.js'
import { readPecReceipt } from '../pec.js'
import type { IngestContext, IngestStep } from './context.js'

export const linkEvidence: IngestStep = {
  name: 'link-evidence',
  async run(ctx) {
    const mail = ctx.parsed
    const verdict = ctx.automatic
    if (!mail || !verdict) return ctx
    if (verdict.kind === 'bounce') {
      const bounce = readBounce(mail)
      const original = await outboundOriginal(ctx, bounce.originalMessageId)
      const reason = [bounce.status, bounce.diagnostic].filter(Boolean).join(' ') || 'Messaggio non recapitato'
      ctx.evidence = {
        workOrderId: original?.workOrderId ?? null,
        failedOutbound: original && bounce.permanent && original.direction === 'outbound' ? { id: original.id, reason } : null,
        detail: `${verdict.reason}; ${bounce.recipient ?? ''} ${bounce.status ?? ''} ${bounce.diagnostic ?? ''}`.trim()
      }
    } else if (verdict.kind === 'pec-receipt') {
      const receipt = readPecReceipt(mail)
      const original = await outboundOriginal(ctx, receipt?.referenceMessageId ?? null)
      ctx.evidence = {
        workOrderId: original?.workOrderId ?? null,
        failedOutbound: original && receipt?.outcome === 'failed' && original.direction === 'outbound' ? { id: original.id, reason: `PEC: ${receipt.type}` } : null,
        detail: verdict.reason
      }
    } else {
      ctx.evidence = { workOrderId: ctx.thread?.workOrderId ?? null, failedOutbound: null, detail: verdict.reason }
    }
    return ctx
  }
}

async function outboundOriginal(ctx: IngestContext, messageId: string | null) {
  return messageId ? ctx.deps.repos.messages.findByDedupeKey(messageIdKey(messageId)) : null
}
