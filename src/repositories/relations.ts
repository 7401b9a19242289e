// Links between related work orders and the merges between them (with what each merge moved, for undo).
import type { Knex } from 'knex'
import { parseJson, toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'

export interface MergeMoved {
  messageIds: number[]
  auditIds: number[]
  /** The merged work order's host status and the target's clock before the merge: undo puts them back. */
  sourceHostStatus: string | null
  targetReceivedAt: string | null
  targetDueDate: string | null
  sourceMergedInto: number | null
}

export interface StoredMerge {
  id: number
  sourceWorkOrderId: number
  targetWorkOrderId: number
  moved: MergeMoved
  actorId: string | null
  actorName: string | null
  createdAt: string
  undoneAt: string | null
}

/** 'related': an operator linked the pair; 'possibly_related': the ingest suggests it, for an operator to judge. */
export type LinkKind = 'related' | 'possibly_related'

export interface StoredLink {
  workOrderId: number
  linkedWorkOrderId: number
  kind: LinkKind
  createdBy: string | null
  createdAt: string
}

const MERGES = 'trc_merges'
const LINKS = 'trc_work_order_links'

function toMerge(row: Row): StoredMerge {
  return {
    id: toId(row.id),
    sourceWorkOrderId: toId(row.source_work_order_id),
    targetWorkOrderId: toId(row.target_work_order_id),
    moved: parseJson<MergeMoved>(row.moved_json, {
      messageIds: [],
      auditIds: [],
      sourceHostStatus: null,
      targetReceivedAt: null,
      targetDueDate: null,
      sourceMergedInto: null
    }),
    actorId: toStr(row.actor_id),
    actorName: toStr(row.actor_name),
    createdAt: toIso(row.created_at) ?? '',
    undoneAt: toIso(row.undone_at)
  }
}

const pair = (a: number, b: number) => (a < b ? { work_order_id: a, linked_work_order_id: b } : { work_order_id: b, linked_work_order_id: a })

export function createRelationRepository(db: Knex | Knex.Transaction) {
  return {
    async insertMerge(
      merge: { sourceWorkOrderId: number; targetWorkOrderId: number; moved: MergeMoved; actorId: string; actorName: string },
      now: Date
    ): Promise<number> {
      const [row] = await db(MERGES).insert(
        {
          source_work_order_id: merge.sourceWorkOrderId,
          target_work_order_id: merge.targetWorkOrderId,
          moved_json: JSON.stringify(merge.moved),
          actor_id: merge.actorId,
          actor_name: merge.actorName,
          created_at: now,
          undone_at: null
        },
        ['id']
      )
      return toId((row as Row).id)
    },

    /** The merge that closed this work order into another, if it is still in force. */
    async findActiveMergeOf(sourceWorkOrderId: number): Promise<StoredMerge | null> {
      const row = await db(MERGES).first('*').where('source_work_order_id', sourceWorkOrderId).whereNull('undone_at').orderBy('id', 'desc')
      return row ? toMerge(row) : null
    },

    /** Merges in force into this work order, oldest first. */
    async listActiveMergesInto(targetWorkOrderId: number): Promise<StoredMerge[]> {
      const rows: Row[] = await db(MERGES).select('*').where('target_work_order_id', targetWorkOrderId).whereNull('undone_at').orderBy('id', 'asc')
      return rows.map(toMerge)
    },

    async markMergeUndone(id: number, now: Date): Promise<boolean> {
      return (await db(MERGES).where('id', id).whereNull('undone_at').update({ undone_at: now })) > 0
    },

    /**
     * Links a pair once; false when it was already linked. An operator's link confirms a suggested one (it becomes
     * 'related'); a suggestion never weakens a link an operator made.
     */
    async insertLink(a: number, b: number, createdBy: string | null, now: Date, kind: LinkKind = 'related'): Promise<boolean> {
      const key = pair(a, b)
      const existing = await db(LINKS).first('id', 'kind').where(key)
      if (!existing) {
        await db(LINKS).insert({ ...key, kind, created_by: createdBy, created_at: now })
        return true
      }
      if (kind === 'possibly_related' || existing.kind === 'related') return false
      await db(LINKS).where('id', existing.id).update({ kind, created_by: createdBy, created_at: now })
      return true
    },

    async removeLink(a: number, b: number): Promise<boolean> {
      return (await db(LINKS).where(pair(a, b)).del()) > 0
    },

    /** Every link of a work order, seen from it (linkedWorkOrderId is always the other one). */
    async listLinks(workOrderId: number): Promise<StoredLink[]> {
      const rows: Row[] = await db(LINKS).select('*').where('work_order_id', workOrderId).orWhere('linked_work_order_id', workOrderId).orderBy('id', 'asc')
      return rows.map((row) => {
        const a = toId(row.work_order_id)
        const b = toOptionalId(row.linked_work_order_id) ?? 0
        const kind: LinkKind = row.kind === 'possibly_related' ? 'possibly_related' : 'related'
        return { workOrderId, linkedWorkOrderId: a === workOrderId ? b : a, kind, createdBy: toStr(row.created_by), createdAt: toIso(row.created_at) ?? '' }
      })
    }
  }
}

export type RelationRepository = ReturnType<typeof createRelationRepository>
