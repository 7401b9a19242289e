// Step 5 of the ingest pipeline: does this mail continue an existing conversation?
// 1. In-Reply-To/References carrying our signed Message-ID token (survives subject edits, cannot be forged);
// 2. In-Reply-To/References matching a stored message (inbound ones too: a citizen answering their own mail), only
//    from a sender accepted into that conversation (see participants.ts): anyone the citizen's mail reached knows
//    its Message-ID. Anyone else opens a new work order, linked to that one as possibly related;
// 3. a subject reference such as "[OdL #123]", accepted only from an address of that work order's contributor.
import type { Repositories } from '../repositories/index.js'
import { messageIdKey } from './message-id.js'
import { bareAddress, loadParticipants } from './participants.js'
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

export interface ThreadLookup {
  thread: ThreadMatch | null
  /** No thread, but a stored Message-ID named this work order (its sender is not in that conversation). */
  possiblyRelated: number | null
}

type ThreadRepos = Pick<Repositories, 'messages' | 'host'>

export async function findThread(repos: ThreadRepos, secret: string, mail: ThreadInput): Promise<ThreadLookup> {
  // newest first: In-Reply-To, then References from the end
  const ids = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()]
  // Our signed id threads whoever sends it: it proves the mail answers ours (the citizen may have forwarded our
  // answer to a neighbour), so it is evidence for this work order. It does not make the sender a correspondent:
  // replies still default to accepted addresses only (participants.ts).
  const token = findWorkOrderToken(ids, secret)
  if (token && (await repos.host.findWorkOrder(token.workOrderId))) {
    return { thread: { workOrderId: token.workOrderId, via: 'token', parentMessageId: token.messageId }, possiblyRelated: null }
  }
  const stored = await storedMessageMatch(repos, ids, mail.senderAddresses)
  if (stored.thread) return stored
  const referenced = mail.subject ? parseSubjectReference(mail.subject) : null
  if (referenced !== null) {
    const workOrder = await repos.host.findWorkOrder(referenced)
    if (workOrder?.contributorId != null) {
      const contributor = await repos.host.findContributor(workOrder.contributorId)
      const known = new Set((contributor?.emails ?? []).map((e) => e.toLowerCase()))
      if (mail.senderAddresses.some((a) => known.has(a.toLowerCase())))
        return { thread: { workOrderId: referenced, via: 'subject', parentMessageId: null }, possiblyRelated: null }
    }
  }
  return stored
}

/** The most recent stored id (header order) of a conversation the sender belongs to; else the first one named. */
async function storedMessageMatch(repos: ThreadRepos, ids: string[], senderAddresses: string[]): Promise<ThreadLookup> {
  if (ids.length === 0) return { thread: null, possiblyRelated: null }
  const keys = ids.map(messageIdKey)
  const stored = await repos.messages.findByDedupeKeys(keys)
  const senders = senderAddresses.map(bareAddress)
  const checked = new Map<number, boolean>()
  let possiblyRelated: number | null = null
  for (const key of keys) {
    const hit = stored.find((m) => m.workOrderId !== null && messageIdKey(m.messageId ?? '') === key)
    if (!hit || hit.workOrderId === null) continue
    let member = checked.get(hit.workOrderId)
    if (member === undefined) {
      const workOrder = await repos.host.findWorkOrder(hit.workOrderId)
      const { accepted } = await loadParticipants(repos, hit.workOrderId, workOrder?.contributorId ?? null)
      member = senders.some((a) => accepted.has(a))
      checked.set(hit.workOrderId, member)
    }
    if (member) return { thread: { workOrderId: hit.workOrderId, via: 'references', parentMessageId: hit.id }, possiblyRelated: null }
    possiblyRelated ??= hit.workOrderId
  }
  return { thread: null, possiblyRelated }
}
