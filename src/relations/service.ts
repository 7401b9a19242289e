// Merge, undo, and links between work orders. A merge moves the merged request's messages (attachments follow
// them) and audit entries into the target, closes the merged one in the host with a pointer (its metadata's
// mergedIntoWorkOrderId and a trc_merges row recording exactly what moved), and lets the target's ARERA clock
// run from the earliest receipt. Undo puts every moved row back and both work orders' host and clock values too.
import type { AreraService } from '../arera/service.js'
import { HttpError, notFound } from '../http-errors.js'
import type { Repositories } from '../repositories/index.js'
import type { MergeMoved } from '../repositories/relations.js'
import type { Operator, WorkOrder } from '../types.js'

export interface MergeResult {
  mergeId: number
  sourceWorkOrderId: number
  targetWorkOrderId: number
  movedMessageIds: number[]
  movedAuditIds: number[]
  /** The target's receipt after the merge: the earliest of the two. */
  receivedAt: string | null
  dueDate: string | null
}

export interface RelatedWorkOrder {
  workOrderId: number
  reference: string | null
  subject: string | null
  status: WorkOrder['status']
}

export interface Relations {
  workOrderId: number
  mergedInto: RelatedWorkOrder | null
  mergedFrom: RelatedWorkOrder[]
  links: RelatedWorkOrder[]
  /** Suggested by the ingest (a mail named this conversation from a sender outside it): link to confirm, unlink to dismiss. */
  possiblyRelated: RelatedWorkOrder[]
  duplicateCandidates: RelatedWorkOrder[]
}

const actor = (operator: Operator) => ({ actorType: 'operator' as const, actorId: operator.id, actorName: operator.name })

export function createRelationService(repos: Repositories, arera: AreraService) {
  async function requireWorkOrder(tx: Repositories, id: number): Promise<WorkOrder> {
    const wo = await tx.host.findWorkOrder(id)
    if (!wo) throw notFound('workOrderNotFound', { id })
    return wo
  }

  async function describe(ids: number[]): Promise<RelatedWorkOrder[]> {
    if (ids.length === 0) return []
    const hosts = new Map((await repos.host.findWorkOrdersByIds(ids)).map((w) => [w.id, w]))
    const metas = new Map((await repos.workOrderMeta.findByIds(ids)).map((m) => [m.workOrderId, m]))
    return ids.flatMap((id) => {
      const wo = hosts.get(id)
      return wo ? [{ workOrderId: id, reference: metas.get(id)?.reference ?? null, subject: wo.subject, status: wo.status }] : []
    })
  }

  async function relations(id: number): Promise<Relations> {
    await requireWorkOrder(repos, id)
    const [active, into, links, meta] = [
      await repos.relations.findActiveMergeOf(id),
      await repos.relations.listActiveMergesInto(id),
      await repos.relations.listLinks(id),
      await repos.workOrderMeta.find(id)
    ]
    return {
      workOrderId: id,
      mergedInto: active ? ((await describe([active.targetWorkOrderId]))[0] ?? null) : null,
      mergedFrom: await describe(into.map((m) => m.sourceWorkOrderId)),
      links: await describe(links.filter((l) => l.kind === 'related').map((l) => l.linkedWorkOrderId)),
      possiblyRelated: await describe(links.filter((l) => l.kind === 'possibly_related').map((l) => l.linkedWorkOrderId)),
      duplicateCandidates: await describe(meta?.duplicateCandidates ?? [])
    }
  }

  return {
    relations,

    async merge(sourceId: number, targetId: number, operator: Operator, now: Date = new Date()): Promise<MergeResult> {
      if (sourceId === targetId) throw new HttpError(400, 'mergeSelf', {}, { into: 'stesso ordine di lavoro' })
      return repos.transaction(async (tx) => {
        const source = await requireWorkOrder(tx, sourceId)
        await requireWorkOrder(tx, targetId)
        const already = await tx.relations.findActiveMergeOf(sourceId)
        if (already) throw new HttpError(409, 'mergeAlreadyMerged', { id: sourceId, into: already.targetWorkOrderId })
        const targetMerged = await tx.relations.findActiveMergeOf(targetId)
        if (targetMerged) throw new HttpError(409, 'mergeTargetMerged', { id: targetId, into: targetMerged.targetWorkOrderId })

        const messageIds = (await tx.messages.listByWorkOrder(sourceId)).map((m) => m.id)
        const auditIds = (await tx.audit.listByWorkOrder(sourceId)).map((a) => a.id)
        const sourceMeta = await tx.workOrderMeta.find(sourceId)
        const targetMeta = await tx.workOrderMeta.find(targetId)
        const moved: MergeMoved = {
          messageIds,
          auditIds,
          sourceHostStatus: source.hostStatus,
          targetReceivedAt: targetMeta?.receivedAt ?? null,
          targetDueDate: targetMeta?.dueDate ?? null,
          sourceMergedInto: sourceMeta?.mergedIntoWorkOrderId ?? null
        }
        await tx.messages.moveToWorkOrder(messageIds, targetId)
        await tx.audit.moveToWorkOrder(auditIds, targetId)
        await tx.host.setWorkOrderState(sourceId, 'closed')
        if (sourceMeta) await tx.workOrderMeta.update(sourceId, { mergedIntoWorkOrderId: targetId }, now)
        let receivedAt = targetMeta?.receivedAt ?? null
        let dueDate = targetMeta?.dueDate ?? null
        // The merged request's clock follows the earliest receipt: the citizen asked first then.
        if (targetMeta && sourceMeta && sourceMeta.receivedAt < targetMeta.receivedAt) {
          receivedAt = sourceMeta.receivedAt
          const clock = arera.clockOf({ ...targetMeta, receivedAt }, await tx.arera.listClockEvents(targetId), now)
          dueDate = clock.dueDate
          await tx.workOrderMeta.update(targetId, { receivedAt: new Date(receivedAt), dueDate }, now)
        }
        const mergeId = await tx.relations.insertMerge(
          { sourceWorkOrderId: sourceId, targetWorkOrderId: targetId, moved, actorId: operator.id, actorName: operator.name },
          now
        )
        const details = {
          mergeId,
          sourceWorkOrderId: sourceId,
          targetWorkOrderId: targetId,
          messages: messageIds.length,
          auditEntries: auditIds.length,
          receivedAtFrom: moved.targetReceivedAt,
          receivedAtTo: receivedAt
        }
        await tx.audit.record({ ...actor(operator), action: 'workOrder.merged', workOrderId: targetId, details }, now)
        await tx.audit.record({ ...actor(operator), action: 'workOrder.mergedInto', workOrderId: sourceId, details }, now)
        await tx.changes.appendEach([sourceId, targetId], 'merge', now)
        return { mergeId, sourceWorkOrderId: sourceId, targetWorkOrderId: targetId, movedMessageIds: messageIds, movedAuditIds: auditIds, receivedAt, dueDate }
      })
    },

    /** Undoes the merge that closed this work order: both work orders as they were before it. */
    async unmerge(
      sourceId: number,
      operator: Operator,
      now: Date = new Date()
    ): Promise<{ sourceWorkOrderId: number; targetWorkOrderId: number; restoredMessageIds: number[] }> {
      return repos.transaction(async (tx) => {
        await requireWorkOrder(tx, sourceId)
        const merge = await tx.relations.findActiveMergeOf(sourceId)
        if (!merge) throw new HttpError(409, 'notMerged', { id: sourceId })
        const { moved, targetWorkOrderId: targetId } = merge
        await tx.messages.moveToWorkOrder(moved.messageIds, sourceId)
        await tx.audit.moveToWorkOrder(moved.auditIds, sourceId)
        await tx.host.setWorkOrderHostStatus(sourceId, moved.sourceHostStatus)
        if (await tx.workOrderMeta.find(sourceId)) await tx.workOrderMeta.update(sourceId, { mergedIntoWorkOrderId: moved.sourceMergedInto }, now)
        if (moved.targetReceivedAt && (await tx.workOrderMeta.find(targetId))) {
          await tx.workOrderMeta.update(targetId, { receivedAt: new Date(moved.targetReceivedAt), dueDate: moved.targetDueDate }, now)
        }
        await tx.relations.markMergeUndone(merge.id, now)
        const details = { mergeId: merge.id, sourceWorkOrderId: sourceId, targetWorkOrderId: targetId, messages: moved.messageIds.length }
        await tx.audit.record({ ...actor(operator), action: 'workOrder.unmerged', workOrderId: targetId, details }, now)
        await tx.audit.record({ ...actor(operator), action: 'workOrder.unmerged', workOrderId: sourceId, details }, now)
        await tx.changes.appendEach([sourceId, targetId], 'merge', now)
        return { sourceWorkOrderId: sourceId, targetWorkOrderId: targetId, restoredMessageIds: moved.messageIds }
      })
    },

    async link(id: number, other: number, operator: Operator, now: Date = new Date()): Promise<Relations> {
      if (id === other) throw new HttpError(400, 'linkSelf', {}, { workOrderId: 'stesso ordine di lavoro' })
      await repos.transaction(async (tx) => {
        await requireWorkOrder(tx, id)
        await requireWorkOrder(tx, other)
        if (await tx.relations.insertLink(id, other, operator.name, now)) {
          await tx.audit.record({ ...actor(operator), action: 'workOrder.linked', workOrderId: id, details: { linkedWorkOrderId: other } }, now)
          await tx.audit.record({ ...actor(operator), action: 'workOrder.linked', workOrderId: other, details: { linkedWorkOrderId: id } }, now)
          await tx.changes.appendEach([id, other], 'link', now)
        }
      })
      return relations(id)
    },

    async unlink(id: number, other: number, operator: Operator, now: Date = new Date()): Promise<Relations> {
      await repos.transaction(async (tx) => {
        await requireWorkOrder(tx, id)
        if (await tx.relations.removeLink(id, other)) {
          await tx.audit.record({ ...actor(operator), action: 'workOrder.unlinked', workOrderId: id, details: { linkedWorkOrderId: other } }, now)
          await tx.audit.record({ ...actor(operator), action: 'workOrder.unlinked', workOrderId: other, details: { linkedWorkOrderId: id } }, now)
          await tx.changes.appendEach([id, other], 'link', now)
        }
      })
      return relations(id)
    }
  }
}

export type RelationService = ReturnType<typeof createRelationService>
