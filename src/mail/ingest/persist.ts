// The last step: everything the mail changes — message, attachments, work order, quarantine or spam entry, the
// confirmation, the audit entries and the mailbox checkpoint — commits in one transaction, whatever the outcome.
import type { ChangeKind } from '../../repositories/changes.js'
import type { Repositories } from '../../repositories/index.js'
import { isUniqueViolation } from '../../repositories/normalize.js'
import { LeaseLostError, type IngestContext, type IngestResult, type IngestStep } from './context.js'
import { recordAutomatic } from './record-automatic.js'
import { recordReport } from './record-report.js'
import { recordSpam } from './record-spam.js'

export const persist: IngestStep = {
  name: 'persist',
  async run(ctx) {
    // read before the transaction opens: a large spool file is not read while locks are held
    const raw = ctx.disposition?.kind === 'quarantine' || ctx.oversize || (ctx.spam && !ctx.disposition) ? await ctx.incoming.raw.readAll() : null
    try {
      ctx.result = await inTransaction(ctx, (tx) => record(tx, ctx, raw))
    } catch (err) {
      if (ctx.disposition || !isUniqueViolation(err)) throw err
      // another instance stored the same mail between our check and our insert: the unique key held
      ctx.disposition = { kind: 'duplicate', key: ctx.dedupeKey ?? '' }
      ctx.result = await inTransaction(ctx, (tx) => recordDuplicate(tx, ctx, ctx.dedupeKey ?? ''))
    }
    return ctx
  }
}

async function inTransaction(ctx: IngestContext, work: (tx: Repositories) => Promise<IngestResult>): Promise<IngestResult> {
  return ctx.deps.repos.transaction(async (tx) => {
    const result = await work(tx)
    await advanceCheckpoint(tx, ctx)
    const change = changeOf(ctx, result)
    if (change) await tx.changes.append(change.workOrderId, change.kind, ctx.now)
    return result
  })
}

/** What open browsers hear of this mail: nothing for a duplicate or a receipt concerning no conversation. */
function changeOf(ctx: IngestContext, result: IngestResult): { workOrderId: number | null; kind: ChangeKind } | null {
  if (result.outcome === 'spam') return { workOrderId: null, kind: 'spam' }
  if (result.outcome === 'quarantined') return { workOrderId: null, kind: 'quarantine' }
  if (result.outcome === 'duplicate' || result.workOrderId === null) return null
  const receipt = result.outcome === 'automatic' && (ctx.evidence?.failedOutbound || ctx.evidence?.deliveredOutbound)
  return { workOrderId: result.workOrderId, kind: receipt ? 'delivery' : 'message' }
}

function record(tx: Repositories, ctx: IngestContext, raw: Buffer | null): Promise<IngestResult> {
  if (ctx.disposition?.kind === 'duplicate') return recordDuplicate(tx, ctx, ctx.disposition.key)
  if (ctx.disposition?.kind === 'quarantine') return recordQuarantine(tx, ctx, ctx.disposition.reason, raw)
  if (ctx.spam && raw) return recordSpam(tx, ctx, ctx.spam, raw)
  if (ctx.automatic) return recordAutomatic(tx, ctx, ctx.automatic)
  return recordReport(tx, ctx, raw)
}

async function advanceCheckpoint(tx: Repositories, ctx: IngestContext): Promise<void> {
  const { incoming, now } = ctx
  if (!incoming.checkpoint || incoming.mailboxId === null) return
  const { owner, uidValidity, uid } = incoming.checkpoint
  if (!(await tx.mailboxes.advanceCheckpoint(incoming.mailboxId, owner, uidValidity, uid, now))) throw new LeaseLostError(incoming.mailboxId)
}

async function recordDuplicate(tx: Repositories, ctx: IngestContext, key: string): Promise<IngestResult> {
  const { incoming } = ctx
  await tx.audit.record(
    {
      actorType: 'system',
      action: 'mail.duplicate',
      details: { key, messageId: ctx.content?.messageId ?? null, mailboxId: incoming.mailboxId, uid: incoming.checkpoint?.uid ?? null }
    },
    ctx.now
  )
  return { outcome: 'duplicate', messageId: null, workOrderId: null, detail: key }
}

/** Unreadable mail: the raw source is kept whole with the reason, for an administrator to look at. */
async function recordQuarantine(tx: Repositories, ctx: IngestContext, reason: string, raw: Buffer | null): Promise<IngestResult> {
  await insertQuarantine(tx, ctx, reason, raw ?? Buffer.alloc(0))
  await tx.audit.record(
    { actorType: 'system', action: 'mail.quarantined', details: { reason, mailboxId: ctx.incoming.mailboxId, uid: ctx.incoming.checkpoint?.uid ?? null } },
    ctx.now
  )
  return { outcome: 'quarantined', messageId: null, workOrderId: null, detail: reason }
}

export async function insertQuarantine(tx: Repositories, ctx: IngestContext, reason: string, raw: Buffer): Promise<void> {
  const { incoming } = ctx
  await tx.quarantine.insert(
    {
      mailboxId: incoming.mailboxId,
      uidValidity: incoming.checkpoint?.uidValidity ?? null,
      imapUid: incoming.checkpoint?.uid ?? null,
      reason,
      messageId: ctx.content?.messageId ?? ctx.parsed?.messageId ?? null,
      size: raw.length,
      raw,
      rawStorageKey: null
    },
    ctx.now
  )
}
