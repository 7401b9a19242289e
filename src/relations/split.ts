// Splitting messages out of a conversation into a new work order: the citizen raised a second matter in a reply.
// The new work order belongs to the same contributor and is linked to the old one; the moved messages keep their
// attachments. Its ARERA clock counts from the earliest receipt among the moved messages, the citizen asked then;
// the old work order keeps its own receipt and clock (its first request did not move).
import { suggestRequestType } from '../domain/arera.js'
import { HttpError, notFound } from '../http-errors.js'
import type { Repositories } from '../repositories/index.js'
import type { Message, Operator } from '../types.js'
import { openWorkOrder, type WorkOrderClockDeps } from '../work-orders/open.js'

export interface SplitResult {
  sourceWorkOrderId: number
  workOrderId: number
  movedMessageIds: number[]
  receivedAt: string
  dueDate: string | null
}

export function createSplit(repos: Repositories, clock: WorkOrderClockDeps) {
  return async function split(sourceId: number, messageIds: readonly number[], operator: Operator, now: Date = new Date()): Promise<SplitResult> {
    const wanted = [...new Set(messageIds)]
    return repos.transaction(async (tx) => {
      const source = await tx.host.findWorkOrder(sourceId)
      if (!source) throw notFound('workOrderNotFound', { id: sourceId })
      const merged = await tx.relations.findActiveMergeOf(sourceId)
      if (merged) throw new HttpError(409, 'splitMerged', { id: sourceId, into: merged.targetWorkOrderId })
      const conversation = await tx.messages.listByWorkOrder(sourceId)
      const foreign = wanted.filter((id) => !conversation.some((m) => m.id === id))
      if (foreign.length) throw new HttpError(409, 'splitForeignMessages', { id: sourceId, list: foreign.join(', ') })
      if (wanted.length === conversation.length) throw new HttpError(409, 'splitEverything', { id: sourceId })
      const moving = conversation.filter((m) => wanted.includes(m.id))
      const first = earliest(moving)
      const receivedAt = new Date(first.receivedAt ?? first.createdAt)
      const text = first.text ?? ''
      // the moved text alone: the subject is usually the old conversation's ("Re: …"), about the first matter
      const suggested = suggestRequestType('', text.slice(0, 20_000)).type
      const sourceMeta = await tx.workOrderMeta.find(sourceId)
      const workOrderId = await openWorkOrder(
        tx,
        clock,
        {
          contributorId: source.contributorId ?? first.contributorId ?? 0,
          subject: first.subject,
          text,
          type: suggested,
          suggested,
          receivedAt,
          parentWorkOrderId: null,
          channel: first.channel === 'web' || first.channel === 'app' ? first.channel : 'email',
          mailboxId: first.mailboxId ?? null,
          service: sourceMeta?.service ?? null
        },
        now
      )
      await tx.messages.moveToWorkOrder(wanted, workOrderId)
      await tx.relations.insertLink(sourceId, workOrderId, operator.id, now)
      const details = { sourceWorkOrderId: sourceId, workOrderId, messageIds: wanted }
      const actor = { actorType: 'operator' as const, actorId: operator.id, actorName: operator.name }
      await tx.audit.record({ ...actor, action: 'workOrder.splitOut', workOrderId: sourceId, details }, now)
      await tx.audit.record({ ...actor, action: 'workOrder.splitFrom', workOrderId, details }, now)
      await tx.changes.appendEach([sourceId, workOrderId], 'link', now)
      const meta = await tx.workOrderMeta.find(workOrderId)
      return { sourceWorkOrderId: sourceId, workOrderId, movedMessageIds: wanted, receivedAt: receivedAt.toISOString(), dueDate: meta?.dueDate ?? null }
    })
  }
}

/** The message the new request counts from: the earliest the citizen sent (an inbound one, if any moved). */
function earliest(messages: ReadonlyArray<Omit<Message, 'attachments'>>): Omit<Message, 'attachments'> {
  const inbound = messages.filter((m) => m.direction === 'inbound')
  const pool = inbound.length ? inbound : messages
  const at = (m: Omit<Message, 'attachments'>) => Date.parse(m.receivedAt ?? m.createdAt)
  return pool.reduce((a, b) => (at(b) < at(a) ? b : a))
}
