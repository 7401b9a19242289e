// The conversation document: built from the database on request, and mailed on request. A mailed document is
// built once, when the operator asks, and stored as an attachment of the outgoing message: the conversation then
// keeps the exact bytes that were sent (evidence, should anyone ask what the citizen received), a retry sends the
// same file, and the worker stays a plain sender. Generating at send time (payload.generated) would instead send
// whatever the conversation holds when the relay finally accepts the mail.
import { fieldError, notFound } from '../http-errors.js'
import type { Locale } from '../i18n.js'
import { buildConversationDocx, conversationFilename, DOCX_CONTENT_TYPE, type DocumentMessage } from '../export/conversation-docx.js'
import { queueOutboundMail } from '../mail/outbound.js'
import { htmlToText, sanitizeEditorHtml } from '../mail/sanitize.js'
import { lastPersonMail } from '../mail/participants.js'
import { subjectReference } from '../mail/threading-token.js'
import { sha256Hex } from '../storage.js'
import { actorOf, parseAddresses, senderFor, type ActionDeps, type Actor } from './common.js'
import { escapeHtml } from '../domain/escape.js'

export interface ConversationDocument {
  filename: string
  contentType: string
  content: Buffer
  reference: string | null
}

export interface ExportOptions {
  locale?: Locale
  /** Internal notes and state changes (default true); a document mailed outside leaves them out unless asked. */
  includeNotes?: boolean
}

export async function exportConversation(deps: ActionDeps, workOrderId: number, exportOptions: ExportOptions = {}): Promise<ConversationDocument | null> {
  const locale = exportOptions.locale ?? deps.options.locale
  const { repos, options } = deps
  const workOrder = await repos.host.findWorkOrder(workOrderId)
  if (!workOrder) return null
  const meta = await repos.workOrderMeta.find(workOrderId)
  const contributor = workOrder.contributorId === null ? null : await repos.host.findContributor(workOrder.contributorId)
  const messages = (await repos.messages.listByWorkOrder(workOrderId)).filter((m) => exportOptions.includeNotes !== false || m.channel !== 'note')
  const attachments = await repos.attachments.listByMessageIds(messages.map((m) => m.id))
  const byMessage = new Map<number, Array<{ filename: string; size: number }>>()
  const byId = new Map(attachments.map((a) => [a.id, a]))
  for (const a of attachments) {
    const list = byMessage.get(a.messageId) ?? []
    list.push({ filename: a.filename, size: a.size })
    byMessage.set(a.messageId, list)
  }
  const documentMessages: DocumentMessage[] = messages.map((m) => {
    // files sent again with a reply or forward are listed with the message that sent them
    const again = Array.isArray(m.meta.attachmentIds)
      ? (m.meta.attachmentIds as unknown[]).map((id) => byId.get(Number(id))).filter((a) => a !== undefined)
      : []
    return {
      direction: m.direction,
      channel: m.channel,
      date: m.receivedAt ?? m.createdAt,
      from: m.from,
      fromName: m.fromName,
      to: m.to,
      cc: m.cc,
      subject: m.subject,
      html: m.html,
      text: m.text,
      attachments: [...(byMessage.get(m.id) ?? []), ...again.map((a) => ({ filename: a.filename, size: a.size }))],
      deliveryStatus: m.deliveryStatus,
      deliveryError: m.deliveryError,
      operatorName: m.operator?.name ?? null,
      automaticKind: m.automaticKind,
      kind: typeof m.meta.kind === 'string' ? m.meta.kind : null
    }
  })
  const content = await buildConversationDocx({
    locale,
    organizationName: options.organizationName,
    generatedAt: new Date(),
    workOrder: {
      id: workOrder.id,
      reference: meta?.reference ?? null,
      subject: workOrder.subject,
      status: workOrder.status,
      hostStatus: workOrder.hostStatus,
      type: meta?.areraType ?? null,
      channel: meta?.channel ?? null,
      receivedAt: meta?.receivedAt ?? workOrder.createdAt,
      dueDate: meta?.dueDate ?? null,
      replySentAt: meta?.replySentAt ?? null,
      contributor: contributor ? { displayName: contributor.displayName, fiscalCode: contributor.fiscalCode, emails: contributor.emails } : null
    },
    messages: documentMessages
  })
  return {
    filename: conversationFilename(workOrder.id, meta?.reference ?? null, locale),
    contentType: DOCX_CONTENT_TYPE,
    content,
    reference: meta?.reference ?? null
  }
}

export async function sendConversationDocument(
  deps: ActionDeps,
  workOrderId: number,
  input: { to: unknown; cc?: unknown; note?: string; includeNotes?: boolean },
  operator: Actor
): Promise<number> {
  const { repos, options } = deps
  const to = parseAddresses(input.to, 'to')
  if (to.length === 0) throw fieldError(400, 'noRecipient', {}, 'to')
  const cc = parseAddresses(input.cc, 'cc')
  const workOrder = await repos.host.findWorkOrder(workOrderId)
  if (!workOrder) throw notFound('workOrderNotFound', { id: workOrderId })
  const { from, mailboxId } = await senderFor(deps, lastPersonMail(await repos.messages.listByWorkOrder(workOrderId)))
  // internal notes stay inside unless the operator explicitly includes them
  const doc = (await exportConversation(deps, workOrderId, { locale: 'it', includeNotes: input.includeNotes ?? false })) as ConversationDocument
  const label = doc.reference ?? `n. ${workOrderId}`
  const note = input.note ? sanitizeEditorHtml(String(input.note)) : ''
  const html = `${note}<p>In allegato il documento con la conversazione completa della pratica <strong>${escapeHtml(label)}</strong> (ordine di lavoro n. ${workOrderId}).</p><p>${escapeHtml(options.organizationName)}</p>`
  const stored = await deps.storage.put(doc.content)
  const sha256 = sha256Hex(doc.content)
  const now = deps.now()
  const messageId = await repos.transaction(async (tx) => {
    const queued = await queueOutboundMail(
      tx,
      {
        workOrderId,
        contributorId: workOrder.contributorId,
        kind: 'document',
        from,
        mailboxId,
        to,
        cc,
        subject: `Documentazione pratica ${label} ${subjectReference(workOrderId)}`,
        html,
        text: htmlToText(html),
        operator: actorOf(operator),
        meta: { document: doc.filename },
        now
      },
      options.secret
    )
    await tx.attachments.insert({
      messageId: queued.messageId,
      filename: doc.filename,
      contentType: doc.contentType,
      size: doc.content.length,
      sha256,
      contentId: null,
      inline: false,
      storage: stored.storage,
      storageKey: stored.storageKey,
      content: stored.content,
      createdAt: now
    })
    await tx.audit.record(
      {
        actorType: 'operator',
        actorId: operator.id,
        actorName: operator.name,
        action: 'conversation.documentSent',
        workOrderId,
        messageId: queued.messageId,
        details: { to, cc, filename: doc.filename, size: doc.content.length, sha256, includeNotes: input.includeNotes ?? false }
      },
      now
    )
    await tx.changes.append(workOrderId, 'reply', now)
    return queued.messageId
  })
  deps.wake()
  return messageId
}
