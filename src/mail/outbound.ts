// The single way anything leaves the module by mail: record the outbound message in the conversation, give it
// our signed Message-ID, and queue it in the outbox — all inside the caller's transaction, so a message is
// either recorded and queued, or neither.
import { randomBytes } from 'node:crypto'
import type { Repositories } from '../repositories/index.js'
import type { OutboxKind, OutboxPayload } from '../repositories/outbox.js'
import type { Channel } from '../types.js'
import { messageIdKey } from './message-id.js'
import { createOutboundMessageId } from './threading-token.js'

/** Header that marks our own mail, so a copy that loops back into a watched mailbox is recognised. */
export const ORIGIN_HEADER = 'X-TRC-Origin'

export interface OutboundMail {
  workOrderId: number
  contributorId: number | null
  kind: OutboxKind
  channel?: Channel
  from: string
  to: string[]
  cc?: string[]
  subject: string
  html: string
  text: string
  inReplyTo?: string | null
  references?: string[]
  /** Stored attachments (of this or earlier messages) to send along. */
  attachmentIds?: number[]
  generated?: OutboxPayload['generated']
  operator?: { id: string; name: string } | null
  meta?: Record<string, unknown>
  /** The mailbox it is sent from (the one the citizen wrote to): it leaves through that mailbox's server. */
  mailboxId?: number | null
  now: Date
}

export interface QueuedMail {
  messageId: number
  outboxId: number
  rfcMessageId: string
}

/** The domain part for our Message-IDs: the sender's domain, so receiving servers see a consistent origin. */
export function messageIdDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim())
  return match?.[1]?.toLowerCase() ?? 'localhost'
}

export async function queueOutboundMail(tx: Repositories, mail: OutboundMail, secret: string): Promise<QueuedMail> {
  const placeholderKey = randomBytes(32).toString('hex')
  const id = await tx.messages.insert({
    workOrderId: mail.workOrderId,
    contributorId: mail.contributorId,
    mailboxId: mail.mailboxId ?? null,
    direction: 'outbound',
    channel: mail.channel ?? 'email',
    messageId: null,
    dedupeKey: placeholderKey,
    inReplyTo: mail.inReplyTo ?? null,
    references: mail.references ?? [],
    from: mail.from,
    to: mail.to,
    cc: mail.cc ?? [],
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    deliveryStatus: 'queued',
    operator: mail.operator ?? null,
    meta: { kind: mail.kind, ...(mail.attachmentIds?.length ? { attachmentIds: mail.attachmentIds } : {}), ...(mail.meta ?? {}) },
    createdAt: mail.now
  })
  // The signed id needs the row id, so it is set right after the insert, in the same transaction.
  const rfcMessageId = createOutboundMessageId({ workOrderId: mail.workOrderId, messageId: id, domain: messageIdDomain(mail.from), secret })
  const bare = rfcMessageId.replace(/^<|>$/g, '')
  await tx.messages.setMessageId(id, bare, messageIdKey(bare))
  const outboxId = await tx.outbox.enqueue(
    {
      messageId: id,
      kind: mail.kind,
      payload: {
        from: mail.from,
        to: mail.to,
        cc: mail.cc ?? [],
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: rfcMessageId,
        inReplyTo: mail.inReplyTo ? `<${mail.inReplyTo}>` : null,
        references: (mail.references ?? []).map((r) => `<${r}>`),
        attachmentIds: mail.attachmentIds ?? [],
        generated: mail.generated,
        headers: { [ORIGIN_HEADER]: `work-order=${mail.workOrderId}` },
        ...(mail.mailboxId != null ? { mailboxId: mail.mailboxId } : {})
      }
    },
    mail.now
  )
  return { messageId: id, outboxId, rfcMessageId }
}
