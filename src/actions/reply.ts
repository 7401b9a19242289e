// An operator answers the citizen from inside the work order. The reply joins the thread the citizen started
// (In-Reply-To, References, "Re: … [OdL #id]"), comes from the mailbox they wrote to, and — when it is the reasoned
// reply ARERA measures — stops the clock. The stop is recorded when the reply is queued and moved to the moment
// the relay accepted it by the outbox worker (or undone if it could never be delivered).
import { fieldError, notFound } from '../http-errors.js'
import { queueOutboundMail } from '../mail/outbound.js'
import { bareAddress, defaultRecipient, lastPersonMail, loadParticipants } from '../mail/participants.js'
import { htmlToText, sanitizeEditorHtml } from '../mail/sanitize.js'
import { replySubject } from '../mail/threading-token.js'
import {
  actorOf,
  attachmentImageSrc,
  checkSizes,
  conversationAttachments,
  insertUploads,
  parseAddresses,
  refuseUnresolved,
  senderFor,
  storeUploads,
  withSignature,
  type ActionDeps,
  type Actor,
  type Upload
} from './common.js'

export interface ReplyInput {
  html: string
  to?: unknown
  cc?: unknown
  /** Attachments already in this conversation, sent again. */
  attachmentIds?: number[]
  /** This is the reasoned reply ARERA measures; undefined: the first reply counts unless the type needs a reasoned one. */
  reasonedReply?: boolean
  files?: Upload[]
  /** Default true: the operator's and the mailbox's signatures are added. */
  signature?: boolean
}

/** Types whose standard is a "risposta motivata": only a reply the operator marks as such stops their clock. */
const REASONED_REPLY_TYPES = new Set(['reclamo_scritto', 'richiesta_informazioni', 'rettifica_importi'])

/** References grow with every exchange; RFC 5322 lets us keep the first and the most recent ones. */
const MAX_REFERENCES = 30

export async function reply(deps: ActionDeps, workOrderId: number, input: ReplyInput, operator: Actor): Promise<number> {
  const { repos, options } = deps
  const workOrder = await repos.host.findWorkOrder(workOrderId)
  if (!workOrder) throw notFound('workOrderNotFound', { id: workOrderId })
  const participants = await loadParticipants(repos, workOrderId, workOrder.contributorId)
  const { conversation } = participants

  const inConversation = await repos.attachments.listByMessageIds(conversation.map((m) => m.id))
  const pastedImages = new Set<number>()
  const body = sanitizeEditorHtml(String(input.html ?? ''), {
    imageSrc: attachmentImageSrc(options.prefix, new Set(inConversation.map((a) => a.id)), pastedImages)
  })
  if (htmlToText(body).trim() === '' && !/<img\b/i.test(body)) throw fieldError(400, 'emptyBody', {}, 'html')
  refuseUnresolved(body, 'html')

  let to = parseAddresses(input.to, 'to')
  const cc = parseAddresses(input.cc, 'cc')
  // The mail this reply answers (its In-Reply-To, subject and mailbox): the last one of whom the operator writes
  // to, else the last of an accepted correspondent — not a stranger's mail that only quoted our Message-ID.
  const inbound =
    (to.length ? lastPersonMail(conversation, new Set(to.map(bareAddress))) : null) ??
    lastPersonMail(conversation, participants.accepted) ??
    lastPersonMail(conversation)
  if (to.length === 0) {
    const fallback = defaultRecipient(participants)
    if (!fallback) throw fieldError(400, 'noRecipient', {}, 'to')
    to = parseAddresses(fallback, 'to')
  }
  const html = await withSignature(deps, body, operator, inbound?.mailboxId ?? null, input.signature)
  const text = htmlToText(html)
  const files = input.files ?? []
  const reattached = await conversationAttachments(repos, conversation, [...(input.attachmentIds ?? []), ...pastedImages])
  checkSizes(
    options,
    files,
    reattached.reduce((n, a) => n + a.size, 0)
  )
  const { from, mailboxId } = await senderFor(deps, inbound)

  const ids = conversation.filter((m) => m.channel !== 'note' && m.messageId).map((m) => m.messageId as string)
  const inReplyTo = inbound?.messageId ?? null
  let references = [...new Set(ids.filter((id) => id !== inReplyTo)), ...(inReplyTo ? [inReplyTo] : [])]
  if (references.length > MAX_REFERENCES) references = [references[0] as string, ...references.slice(-(MAX_REFERENCES - 1))]

  const meta = await repos.workOrderMeta.find(workOrderId)
  const stopsClock = meta !== null && meta.replySentAt === null && (input.reasonedReply ?? !REASONED_REPLY_TYPES.has(meta.areraType ?? 'reclamo_scritto'))

  const stored = await storeUploads(deps.storage, files)
  const now = deps.now()
  const messageId = await repos.transaction(async (tx) => {
    const queued = await queueOutboundMail(
      tx,
      {
        workOrderId,
        contributorId: workOrder.contributorId,
        kind: 'reply',
        from,
        mailboxId,
        to,
        cc,
        subject: replySubject(inbound?.subject ?? workOrder.subject, workOrderId),
        html,
        text,
        inReplyTo,
        references,
        attachmentIds: reattached.map((a) => a.id),
        operator: actorOf(operator),
        meta: { reasonedReply: input.reasonedReply ?? null, stopsClock },
        now
      },
      options.secret
    )
    await insertUploads(tx, queued.messageId, files, stored, now)
    if (stopsClock) await tx.workOrderMeta.update(workOrderId, { replySentAt: now, replyMessageId: queued.messageId }, now)
    await tx.audit.record(
      {
        actorType: 'operator',
        actorId: operator.id,
        actorName: operator.name,
        action: 'reply.queued',
        workOrderId,
        messageId: queued.messageId,
        details: { to, cc, attachments: files.length + reattached.length, reasonedReply: input.reasonedReply ?? null, stopsClock }
      },
      now
    )
    // whoever answers follows the work order: the citizen's next reply, a failed delivery, the due date reach them
    await tx.notifications.follow(workOrderId, operator.id, operator.name, 'replied', now)
    await tx.changes.append(workOrderId, 'reply', now)
    return queued.messageId
  })
  deps.wake()
  return messageId
}
