// What the module knows about a work order beyond the host's columns: reference, channel, ARERA type and clock.
import type { Knex } from 'knex'
import type { Channel } from '../types.js'
import { parseJson, toDateOnly, toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'

export interface WorkOrderMeta {
  workOrderId: number
  reference: string
  areraType: string | null
  suggestedType: string | null
  channel: Channel
  service: string | null
  receivedAt: string
  dueDate: string | null
  replySentAt: string | null
  replyMessageId: number | null
  missCause: string | null
  parentWorkOrderId: number | null
  /** Set while this request is merged into another (the pointer undo follows back). */
  mergedIntoWorkOrderId: number | null
  /** Likely duplicates found at intake or ingest, for the operator to look at (never merged automatically). */
  duplicateCandidates: number[]
  publicToken: string
  /** When and by whom an operator confirmed or changed the ARERA type; null while only suggested. */
  typeConfirmedAt: string | null
  typeConfirmedBy: string | null
  /** The last change a citizen may see (state, public note, expected date, publication); null until the first. */
  publicChangedAt: string | null
}

export interface NewWorkOrderMeta {
  workOrderId: number
  reference: string
  areraType: string | null
  suggestedType?: string | null
  channel: Channel
  service?: string | null
  receivedAt: Date
  dueDate: string | null
  parentWorkOrderId?: number | null
  publicToken: string
  now: Date
}

const TABLE = 'trc_work_order_meta'

function toMeta(row: Row): WorkOrderMeta {
  return {
    workOrderId: toId(row.work_order_id),
    reference: String(row.reference),
    areraType: toStr(row.arera_type),
    suggestedType: toStr(row.suggested_type),
    channel: String(row.channel) as Channel,
    service: toStr(row.service),
    receivedAt: toIso(row.received_at) ?? '',
    dueDate: toDateOnly(row.due_date),
    replySentAt: toIso(row.reply_sent_at),
    replyMessageId: toOptionalId(row.reply_message_id),
    missCause: toStr(row.miss_cause),
    parentWorkOrderId: toOptionalId(row.parent_work_order_id),
    mergedIntoWorkOrderId: toOptionalId(row.merged_into_work_order_id),
    duplicateCandidates: parseJson<number[]>(row.duplicate_candidates_json, []),
    publicToken: String(row.public_token),
    typeConfirmedAt: toIso(row.type_confirmed_at),
    typeConfirmedBy: toStr(row.type_confirmed_by),
    publicChangedAt: toIso(row.public_changed_at)
  }
}

export function createWorkOrderMetaRepository(db: Knex | Knex.Transaction) {
  return {
    async insert(meta: NewWorkOrderMeta): Promise<void> {
      await db(TABLE).insert({
        work_order_id: meta.workOrderId,
        reference: meta.reference,
        arera_type: meta.areraType,
        suggested_type: meta.suggestedType ?? null,
        channel: meta.channel,
        service: meta.service ?? null,
        received_at: meta.receivedAt,
        due_date: meta.dueDate,
        parent_work_order_id: meta.parentWorkOrderId ?? null,
        public_token: meta.publicToken,
        created_at: meta.now,
        updated_at: meta.now
      })
    },

    async find(workOrderId: number): Promise<WorkOrderMeta | null> {
      const row = await db(TABLE).first('*').where('work_order_id', workOrderId)
      return row ? toMeta(row) : null
    },

    /** Metadata of several work orders (in chunks: SQL Server takes at most 2100 parameters per statement). */
    async findByIds(workOrderIds: readonly number[]): Promise<WorkOrderMeta[]> {
      const ids = [...new Set(workOrderIds)]
      const out: WorkOrderMeta[] = []
      for (let i = 0; i < ids.length; i += 1000) {
        const rows: Row[] = await db(TABLE).select('*').whereIn('work_order_id', ids.slice(i, i + 1000))
        out.push(...rows.map(toMeta))
      }
      return out
    },

    async findByPublicToken(token: string): Promise<WorkOrderMeta | null> {
      const row = await db(TABLE).first('*').where('public_token', token)
      return row ? toMeta(row) : null
    },

    async update(
      workOrderId: number,
      changes: Partial<Pick<WorkOrderMeta, 'areraType' | 'dueDate' | 'missCause' | 'service' | 'typeConfirmedBy'>> & {
        replySentAt?: Date | null
        replyMessageId?: number | null
        receivedAt?: Date
        mergedIntoWorkOrderId?: number | null
        duplicateCandidates?: number[]
        typeConfirmedAt?: Date | null
        /** Set when the change is one the citizen sees (a new expected date). */
        publicChangedAt?: Date
      },
      now: Date = new Date()
    ): Promise<void> {
      const row: Record<string, unknown> = { updated_at: now }
      if (changes.areraType !== undefined) row.arera_type = changes.areraType
      if (changes.dueDate !== undefined) row.due_date = changes.dueDate
      if (changes.missCause !== undefined) row.miss_cause = changes.missCause
      if (changes.service !== undefined) row.service = changes.service
      if (changes.replySentAt !== undefined) row.reply_sent_at = changes.replySentAt
      if (changes.replyMessageId !== undefined) row.reply_message_id = changes.replyMessageId
      if (changes.typeConfirmedAt !== undefined) row.type_confirmed_at = changes.typeConfirmedAt
      if (changes.typeConfirmedBy !== undefined) row.type_confirmed_by = changes.typeConfirmedBy
      if (changes.publicChangedAt !== undefined) row.public_changed_at = changes.publicChangedAt
      if (changes.receivedAt !== undefined) row.received_at = changes.receivedAt
      if (changes.mergedIntoWorkOrderId !== undefined) row.merged_into_work_order_id = changes.mergedIntoWorkOrderId
      if (changes.duplicateCandidates !== undefined) row.duplicate_candidates_json = changes.duplicateCandidates.length ? JSON.stringify(changes.duplicateCandidates) : null
      await db(TABLE).where('work_order_id', workOrderId).update(row)
    },

    /** Records a change the citizen sees (Open311 updated_datetime); in the transaction of the change itself. */
    async touchPublic(workOrderId: number, now: Date): Promise<void> {
      await db(TABLE).where('work_order_id', workOrderId).update({ public_changed_at: now, updated_at: now })
    },

    /**
     * Requests received in [from, to), oldest first. Callers widen the instants by a day on each side and keep
     * the Rome calendar days they want in TypeScript: no dialect-specific date functions in SQL.
     */
    async listReceivedBetween(from: Date, to: Date): Promise<WorkOrderMeta[]> {
      const rows: Row[] = await db(TABLE).select('*').where('received_at', '>=', from).andWhere('received_at', '<', to).orderBy([{ column: 'received_at' }, { column: 'work_order_id' }])
      return rows.map(toMeta)
    },

    /** Requests with a due date and no reply yet: the clocks still running (or suspended). A merged one runs in its target's. */
    async listAwaitingReply(): Promise<WorkOrderMeta[]> {
      const rows: Row[] = await db(TABLE).select('*').whereNull('reply_sent_at').whereNotNull('due_date').whereNull('merged_into_work_order_id').orderBy([{ column: 'due_date' }, { column: 'work_order_id' }])
      return rows.map(toMeta)
    }
  }
}

export type WorkOrderMetaRepository = ReturnType<typeof createWorkOrderMetaRepository>
