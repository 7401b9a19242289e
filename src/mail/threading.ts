// Step 5 of the ingest pipeline: does this mail continue an existing conversation?
// 1. In-Reply-To/References carrying our signed Message-ID token (survives subject edits, cannot be forged);
// 2. In-Reply-To/References matching any stored message (inbound ones too: a citizen answering their own mail);
// 3. a subject reference such as "[OdL #123]", accepted only from an address of that work order's contributor.
import type { Repositories } from '../repositories/index.js'
import { messageIdKey } from './message-id.js'
import { findWorkOrderToken, parseSubjectReference } from './threading-token.js'

export type ThreadVia = 'token' | 'references' | 'subject'

export interface ThreadMatch {
  workOrderId: number
  via: ThreadVia
  /** The stored message this one answers, when known. */
  parentMessageId: number | null
}

export interface ThreadInput {
  inReplyTo: string | null
  references: string[]
  subject: string | null
  senderAddresses: string[]
}

export async function findThread(repos: Pick<Repositories, 'messages' | 'host'>, secret: string, mail: ThreadInput): Promise<ThreadMatch | null> {
  // newest first: In-Reply-To, then References from the end
  const ids = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()]
  const token = findWorkOrderToken(ids, secret)
  if (token && (await repos.host.findWorkOrder(token.workOrderId))) {
    return { workOrderId: token.workOrderId, via: 'token', parentMessageId: token.messageId }
  }
  if (ids.length > 0) {
    const keys = ids.map(messageIdKey)
    const stored = await repos.messages.findByDedupeKeys(keys)
    // prefer the most recent id in the header order
    for (const key of keys) {
      const hit = stored.find((m) => m.workOrderId !== null && messageIdKey(m.messageId ?? '') === key)
      if (hit && hit.workOrderId !== null) return { workOrderId: hit.workOrderId, via: 'references', parentMessageId: hit.id }
    }
  }
  const referenced = mail.subject ? parseSubjectReference(mail.subject) : null
  if (referenced !== null) {
    const workOrder = await repos.host.findWorkOrder(referenced)
    if (workOrder?.contributorId != null) {
      const contributor = await repos.host.findContributor(workOrder.contributorId)
      const known = new Set((contributor?.emails ?? []).map((e) => e.toLowerCase()))
      if (mail.senderAddresses.some((a) => known.has(a.toLowerCase()))) return { workOrderId: referenced, via: 'subject', parentMessageId: null }
    }
  }
  return null
}
