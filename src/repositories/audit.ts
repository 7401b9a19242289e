// Append-only audit log: who did what, when, to which work order.
import type { Knex } from 'knex'
import { parseJson, toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'

export type ActorType = 'operator' | 'system' | 'citizen'

export interface AuditEntry {
  actorType: ActorType
  actorId?: string | null
  actorName?: string | null
  action: string
  workOrderId?: number | null
  messageId?: number | null
  details?: Record<string, unknown>
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'details'>> {
  id: number
  at: string
  details: Record<string, unknown>
}

const TABLE = 'trc_audit_log'

export function createAuditRepository(db: Knex | Knex.Transaction) {
  return {
    async record(entry: AuditEntry, at: Date = new Date()): Promise<void> {
      await db(TABLE).insert({
        at,
        actor_type: entry.actorType,
        actor_id: entry.actorId ?? null,
        actor_name: entry.actorName ?? null,
        action: entry.action,
        work_order_id: entry.workOrderId ?? null,
        message_id: entry.messageId ?? null,
        details_json: entry.details ? JSON.stringify(entry.details) : null
      })
    },

    /** Moves audit entries with the messages they describe (merge and its undo). */
    async moveToWorkOrder(ids: readonly number[], workOrderId: number): Promise<void> {
      for (let i = 0; i < ids.length; i += 1000)
        await db(TABLE)
          .whereIn('id', ids.slice(i, i + 1000))
          .update({ work_order_id: workOrderId })
    },

    async listByWorkOrder(workOrderId: number): Promise<AuditRecord[]> {
      const rows: Row[] = await db(TABLE).select('*').where('work_order_id', workOrderId).orderBy('id', 'asc')
      return rows.map(toRecord)
    },

    /** The latest entries of one action (e.g. every change of an ARERA standard), newest first. */
    async listByAction(action: string, limit = 200): Promise<AuditRecord[]> {
      const rows: Row[] = await db(TABLE).select('*').where('action', action).orderBy('id', 'desc').limit(limit)
      return rows.map(toRecord)
    },

    /**
     * Entries with one of `actions` in [from, to] on requests that came through the form or the app, oldest
     * first, at most `limit` (Open311 servicerequestupdates).
     */
    async listIntakeChanges(filter: { actions: readonly string[]; from: Date; to: Date; limit: number }): Promise<AuditRecord[]> {
      const rows: Row[] = await db(TABLE)
        .select('*')
        .whereIn('action', [...filter.actions])
        .whereIn('work_order_id', db('trc_intake_requests').select('work_order_id'))
        .andWhere('at', '>=', filter.from)
        .andWhere('at', '<=', filter.to)
        .orderBy([{ column: 'at' }, { column: 'id' }])
        .limit(filter.limit)
      return rows.map(toRecord)
    }
  }
}

function toRecord(row: Row): AuditRecord {
  return {
    id: toId(row.id),
    at: toIso(row.at) ?? '',
    actorType: String(row.actor_type) as ActorType,
    actorId: toStr(row.actor_id),
    actorName: toStr(row.actor_name),
    action: String(row.action),
    workOrderId: toOptionalId(row.work_order_id),
    messageId: toOptionalId(row.message_id),
    details: parseJson<Record<string, unknown>>(row.details_json, {})
  }
}

export type AuditRepository = ReturnType<typeof createAuditRepository>
