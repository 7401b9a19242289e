// Forwarding part of a conversation to someone else (another office, the collection contractor, a lawyer): one
// mail with the operator's note and, for each message, the familiar "Messaggio inoltrato" header block, plus the
// original attachments. Its signed Message-ID brings their answer back into the same work order.
import { formatDateTime } from '../domain/dates.js'
import { fieldError, HttpError, notFound } from '../http-errors.js'
import { queueOutboundMail } from '../mail/outbound.js'
import { lastPersonMail } from '../mail/participants.js'
import { htmlToText, sanitizeEditorHtml, textToHtml } from '../mail/sanitize.js'
import { replySubject } from '../mail/threading-token.js'
import type { Message } from '../types.js'
import {
  actorOf,
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
import { escapeHtml } from '../domain/escape.js'

type StoredMessage = Omit<Message, 'attachments'>

export interface ForwardInput {
  to: unknown
  cc?: unknown
  note?: string
  /** Default: every message of the conversation except internal notes and machine-written mail. */
  messageIds?: number[]
  /** Default true: the original attachments travel with the forward. */
  includeAttachments?: boolean
  files?: Upload[]
  /** Default true: the operator's and the mailbox's signatures follow the note. */
  signature?: boolean
}

/**
 * The header block mail clients put above a forwarded message, in Italian, then the message. Its inline images
 * (stored as `attachments/cid/<Content-ID>`) point at the attachments' URLs, which the outbox worker turns into
 * `cid:` parts of the forward; without the attachments they become their alt text.
 */
function forwardedBlock(m: StoredMessage, attachments: Array<{ id: number; contentId: string | null }>, keepImages: boolean, base: string): string {
  const sender = m.fromName && m.from ? `${m.fromName} <${m.from}>` : (m.from ?? m.operator?.name ?? '')
  const lines = [
    '---------- Messaggio inoltrato ----------',
    `Da: ${sender}`,
    `Data: ${formatDateTime(new Date(m.receivedAt ?? m.createdAt))}`,
    `A: ${m.to.join(', ')}`,
    ...(m.cc.length ? [`Cc: ${m.cc.join(', ')}`] : []),
    `Oggetto: ${m.subject ?? ''}`
  ]
  let body = m.html ?? (m.text ? textToHtml(m.text) : '')
  body = body.replace(/<img\b[^>]*>/g, (tag) => {
    const src = /\bsrc="([^"]*)"/.exec(tag)?.[1] ?? ''
    const byCid = /^attachments\/cid\/(.+)$/.exec(src)
    const id = byCid ? attachments.find((a) => a.contentId === safeDecode(byCid[1] as string))?.id : Number(/(?:^|\/)attachments\/(\d+)$/.exec(src)?.[1] ?? NaN)
    if (id === undefined || Number.isNaN(id)) return tag
    if (!keepImages) return `[${/\balt="([^"]*)"/.exec(tag)?.[1] || 'immagine'}]`
    return tag.replace(/\bsrc="[^"]*"/, `src="${base}/attachments/${id}"`)
  })
  return `<p>${lines.map(escapeHtml).join('<br>')}</p>\n<div>${body}</div>`
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

export async function forward(deps: ActionDeps, workOrderId: number, input: ForwardInput, operator: Actor): Promise<number> {
  const { repos, options } = deps
  const workOrder = await repos.host.findWorkOrder(workOrderId)
  if (!workOrder) throw notFound('workOrderNotFound', { id: workOrderId })
  const to = parseAddresses(input.to, 'to')
  if (to.length === 0) throw fieldError(400, 'noRecipient', {}, 'to')
  const cc = parseAddresses(input.cc, 'cc')
  const conversation = await repos.messages.listByWorkOrder(workOrderId)

  let selected: StoredMessage[]
  if (input.messageIds && input.messageIds.length > 0) {
    const byId = new Map(conversation.map((m) => [m.id, m]))
    const wanted = new Set(input.messageIds)
    for (const id of wanted) {
      const m = byId.get(id)
      if (!m) throw fieldError(400, 'messageNotInConversation', { id }, 'messageIds')
      if (m.channel === 'note') throw fieldError(400, 'noteNotForwardable', { id }, 'messageIds')
    }
    selected = conversation.filter((m) => wanted.has(m.id))
  } else {
    selected = conversation.filter((m) => m.channel !== 'note' && !m.automaticKind)
  }
  if (selected.length === 0) throw new HttpError(400, 'nothingToForward')

  const includeAttachments = input.includeAttachments ?? true
  const own = await repos.attachments.listByMessageIds(selected.map((m) => m.id))
  const originalIds: number[] = []
  if (includeAttachments) {
    originalIds.push(...own.map((a) => a.id))
    for (const m of selected) {
      const again = m.meta.attachmentIds
      if (Array.isArray(again)) originalIds.push(...again.filter((id): id is number => Number.isSafeInteger(id)))
    }
  }
  const originals = await conversationAttachments(repos, conversation, originalIds)
  const files = input.files ?? []
  checkSizes(
    options,
    files,
    originals.reduce((n, a) => n + a.size, 0)
  )
  const lastCitizen = lastPersonMail(conversation)
  const { from, mailboxId } = await senderFor(deps, lastCitizen)

  const written = input.note ? sanitizeEditorHtml(String(input.note)) : ''
  refuseUnresolved(written, 'note')
  const note = await withSignature(deps, written, operator, lastCitizen?.mailboxId ?? null, input.signature)
  const base = options.prefix === '/' ? '' : options.prefix
  const html = [
    note,
    ...selected.map((m) =>
      forwardedBlock(
        m,
        own.filter((a) => a.messageId === m.id),
        includeAttachments,
        base
      )
    )
  ]
    .filter(Boolean)
    .join('\n<br>\n')
  const subjectSource = selected.length === 1 ? selected[0]?.subject : workOrder.subject
  // replySubject strips every Re:/Fwd:/I: and adds the reference; "I:" is how Italian mail clients mark a forward
  const subject = replySubject(subjectSource, workOrderId).replace(/^Re: /, 'I: ')

  const stored = await storeUploads(deps.storage, files)
  const now = deps.now()
  const messageId = await repos.transaction(async (tx) => {
    const queued = await queueOutboundMail(
      tx,
      {
        workOrderId,
        contributorId: workOrder.contributorId,
        kind: 'forward',
        from,
        mailboxId,
        to,
        cc,
        subject,
        html,
        text: htmlToText(html),
        attachmentIds: originals.map((a) => a.id),
        operator: actorOf(operator),
        meta: { forwardedMessageIds: selected.map((m) => m.id) },
        now
      },
      options.secret
    )
    await insertUploads(tx, queued.messageId, files, stored, now)
    await tx.audit.record(
      {
        actorType: 'operator',
        actorId: operator.id,
        actorName: operator.name,
        action: 'forward.queued',
        workOrderId,
        messageId: queued.messageId,
        details: { to, cc, messages: selected.map((m) => m.id), attachments: originals.length + files.length }
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
