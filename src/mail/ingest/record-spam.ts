// Spam waits in the spam list with its raw source, so an operator can release it into the normal ingest.
import type { Repositories } from '../../repositories/index.js'
import type { SpamVerdict } from '../spam.js'
import type { IngestContext, IngestResult } from './context.js'

export async function recordSpam(tx: Repositories, ctx: IngestContext, verdict: SpamVerdict, raw: Buffer): Promise<IngestResult> {
  const { incoming, now } = ctx
  const mail = ctx.parsed
  const spamId = await tx.spam.insert(
    {
      mailboxId: incoming.mailboxId,
      uidValidity: incoming.checkpoint?.uidValidity ?? null,
      imapUid: incoming.checkpoint?.uid ?? null,
      dedupeKey: ctx.dedupeKey ?? '',
      messageId: mail?.messageId ?? null,
      from: mail?.from?.address ?? null,
      subject: mail?.subject ?? null,
      reason: verdict.reason,
      raw,
      receivedAt: incoming.receivedAt ?? mail?.date ?? now
    },
    now
  )
  await tx.audit.record(
    { actorType: 'system', action: 'mail.spam', details: { spamId, reason: verdict.reason, from: mail?.from?.address ?? null, mailboxId: incoming.mailboxId } },
    now
  )
  return { outcome: 'spam', messageId: null, workOrderId: null, detail: verdict.reason }
}
