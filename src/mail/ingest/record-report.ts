// A person's mail: joins its conversation (reopening a recently closed one, if configured), or opens a work
// order; a new contact gets a confirmation.
import { translate } from '../../i18n.js'
import type { Repositories } from '../../repositories/index.js'
import { truncate } from '../../domain/text.js'
import { queueConfirmation } from '../../work-orders/confirmation.js'
import { openWorkOrder } from '../../work-orders/open.js'
import { recordSystemNote } from '../../work-orders/system-note.js'
import { htmlToText } from '../sanitize.js'
import type { IngestContext, IngestResult } from './context.js'
import { insertQuarantine } from './persist.js'
import { MAX_TEXT } from './prepare-content.js'
import { storeAttachments } from './store-attachments.js'

export async function recordReport(tx: Repositories, ctx: IngestContext, raw: Buffer | null): Promise<IngestResult> {
  const { deps, incoming, now, pec, thread } = ctx
  const content = ctx.content
  const sender = ctx.sender
  if (!content || !sender || !ctx.dedupeKey) throw new Error('recordReport: the pipeline did not parse, match and key this mail')
  const receivedAt = incoming.receivedAt ?? content.date ?? now
  const text = content.text ?? htmlToText(content.html ?? '')
  if (ctx.oversize && raw) await insertQuarantine(tx, ctx, 'oversize', raw)

  const conversation = thread ? await continuedWorkOrder(tx, ctx, thread.workOrderId) : { workOrderId: null, contributorId: null, parentWorkOrderId: null }
  let workOrderId = conversation.workOrderId
  const created = workOrderId === null
  if (workOrderId === null) {
    const type = ctx.suggestion?.type ?? 'reclamo_scritto'
    workOrderId = await openWorkOrder(
      tx,
      deps,
      {
        contributorId: sender.contributorId,
        subject: content.subject,
        text,
        type,
        suggested: ctx.suggestion?.type ?? null,
        receivedAt,
        parentWorkOrderId: conversation.parentWorkOrderId,
        channel: 'email',
        mailboxId: ctx.incoming.mailboxId,
        suggestedService: ctx.suggestion?.service?.type ?? null,
        historical: incoming.archive ? { inRegister: incoming.archive.includeInRegister } : undefined
      },
      now
    )
  }

  const messageId = await tx.messages.insert({
    workOrderId,
    contributorId: created ? sender.contributorId : (conversation.contributorId ?? sender.contributorId),
    mailboxId: incoming.mailboxId,
    direction: 'inbound',
    channel: 'email',
    messageId: content.messageId,
    dedupeKey: ctx.dedupeKey,
    inReplyTo: content.inReplyTo,
    references: content.references,
    from: content.from?.address ?? null,
    fromName: content.from?.name || null,
    to: content.to.map((a) => a.address),
    cc: content.cc.map((a) => a.address),
    subject: content.subject,
    html: ctx.html,
    text: truncate(text, MAX_TEXT),
    senderMatch: sender.match,
    senderCandidates: sender.candidates,
    imapUid: incoming.checkpoint?.uid ?? null,
    meta: {
      ...(pec ? { pec: { transport: pec.transport, envelopeMessageId: pec.envelopeMessageId } } : {}),
      ...(thread ? { threadedVia: thread.via } : {}),
      ...(conversation.parentWorkOrderId ? { continuesWorkOrder: conversation.parentWorkOrderId } : {}),
      ...(created && ctx.possiblyRelated ? { possiblyRelatedTo: ctx.possiblyRelated } : {}),
      ...(created && ctx.suggestion ? { suggestedType: ctx.suggestion.type, suggestionConfidence: ctx.suggestion.confidence } : {}),
      ...ctx.meta
    },
    // createdAt is when we stored it: the conversation's order is arrival order even within one second
    // (IMAP dates have no milliseconds); receivedAt is the mailbox's date, the ARERA receipt date.
    receivedAt,
    createdAt: now
  })
  await storeAttachments(tx, messageId, ctx)
  if (created && ctx.possiblyRelated) await linkPossiblyRelated(tx, ctx, workOrderId, ctx.possiblyRelated, messageId)
  // the citizen answered: whoever follows the work order is told (history and rescans are old news)
  if (!created && !incoming.archive && !incoming.rescan)
    await tx.notifications.notifyFollowers(workOrderId, 'citizen_reply', truncate(content.subject ?? '', 1000) || null, now)
  await tx.audit.record(
    {
      actorType: 'citizen',
      actorName: content.from?.address ?? null,
      action: created ? 'mail.opened' : 'mail.threaded',
      workOrderId,
      messageId,
      details: { sender: sender.match, candidates: sender.candidates, via: thread?.via ?? null }
    },
    now
  )
  // history and rescans are never answered: the citizen was answered (or not) back then
  if (created && sender.address && !incoming.archive && !incoming.rescan) {
    const auth = ctx.authentication
    if (!auth || auth.confirm === 'none') {
      await withholdConfirmation(tx, ctx, workOrderId, messageId, sender.address)
    } else {
      await queueConfirmation(
        tx,
        deps,
        {
          workOrderId,
          contributorId: sender.contributorId,
          to: sender.address,
          content,
          receivedAt,
          pec: !!pec,
          replyFrom: incoming.replyFrom ?? null,
          mailboxId: incoming.mailboxId,
          inReplyTo: content.messageId,
          quoteBody: auth.confirm === 'quote'
        },
        now
      )
    }
  }
  return { outcome: ctx.oversize ? 'oversize' : created ? 'created' : 'threaded', messageId, workOrderId }
}

/**
 * The mail named another conversation's Message-ID but its sender is not part of it: it opened its own work order
 * (the stranger is answered there, never in the citizen's), and the two are linked for an operator to judge.
 */
async function linkPossiblyRelated(tx: Repositories, ctx: IngestContext, workOrderId: number, other: number, messageId: number): Promise<void> {
  if (other === workOrderId || !(await tx.host.findWorkOrder(other))) return
  if (!(await tx.relations.insertLink(workOrderId, other, null, ctx.now, 'possibly_related'))) return
  const from = ctx.content?.from?.address ?? null
  for (const [id, linked] of [
    [workOrderId, other],
    [other, workOrderId]
  ] as const) {
    const own = id === workOrderId ? messageId : null // the mail is in the new work order only
    await tx.audit.record(
      { actorType: 'system', action: 'workOrder.possiblyRelated', workOrderId: id, messageId: own, details: { linkedWorkOrderId: linked, from } },
      ctx.now
    )
  }
}

/**
 * The receiving server did not vouch for the sender: no confirmation (it would go to whoever the From names). The
 * timeline says so, with the server's results, so the operator knows the citizen was not told and why.
 */
async function withholdConfirmation(tx: Repositories, ctx: IngestContext, workOrderId: number, messageId: number, to: string): Promise<void> {
  const detail = ctx.authentication?.detail ?? 'no Authentication-Results'
  await tx.audit.record(
    { actorType: 'system', action: 'confirmation.suppressed', workOrderId, messageId, details: { to, reason: 'unauthenticated sender', detail } },
    ctx.now
  )
  await recordSystemNote(
    tx,
    workOrderId,
    ctx.sender?.contributorId ?? null,
    translate(ctx.deps.options.locale, 'confirmationWithheld', { to, detail }),
    { kind: 'system', event: 'confirmation.suppressed', reason: 'unauthenticated sender', detail },
    ctx.now
  )
}

interface Continuation {
  /** The open (or reopened) work order the mail joins; null opens a new one. */
  workOrderId: number | null
  contributorId: number | null
  /** A closed work order the new one continues. */
  parentWorkOrderId: number | null
}

async function continuedWorkOrder(tx: Repositories, ctx: IngestContext, threadWorkOrderId: number): Promise<Continuation> {
  const { options } = ctx.deps
  const wo = await tx.host.findWorkOrder(threadWorkOrderId)
  if (!wo) return { workOrderId: null, contributorId: null, parentWorkOrderId: null }
  // history joins its conversation as it was, closed or not
  if (wo.status !== 'closed' || ctx.incoming.archive) return { workOrderId: wo.id, contributorId: wo.contributorId, parentWorkOrderId: null }
  // a historical request is never reopened: its activity is years old, however recently it was imported
  const historical = (await tx.workOrderMeta.find(wo.id))?.historical ?? false
  if (!historical && options.inbound.closedReplies === 'reopen' && (await recentlyActive(tx, wo.id, ctx.now, options.inbound.reopenWithinDays))) {
    await tx.host.setWorkOrderState(wo.id, 'open')
    await tx.workOrderMeta.touchPublic(wo.id, ctx.now) // the citizen sees the reopening (Open311 updated_datetime)
    await tx.audit.record(
      {
        actorType: 'citizen',
        actorName: ctx.content?.from?.address ?? null,
        action: 'workOrder.reopened',
        workOrderId: wo.id,
        details: { from: 'closed', via: ctx.thread?.via ?? null }
      },
      ctx.now
    )
    return { workOrderId: wo.id, contributorId: wo.contributorId, parentWorkOrderId: null }
  }
  return { workOrderId: null, contributorId: wo.contributorId, parentWorkOrderId: wo.id }
}

async function recentlyActive(tx: Repositories, workOrderId: number, now: Date, days: number): Promise<boolean> {
  const conversation = await tx.messages.listByWorkOrder(workOrderId)
  const last = conversation.at(-1)?.createdAt
  const lastActivity = last ? Date.parse(last) : 0
  return now.getTime() - lastActivity <= days * 86_400_000
}
