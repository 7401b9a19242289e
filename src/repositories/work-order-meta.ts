// What the module knows about a work order beyond the host's columns: reference, channel, ARERA type and clock.
import type { Knex } from 'knex'
import type { Channel } from '../types.js'
import { parseJson, toBool, toDateOnly, toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'

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
  /** The territory whose calendar and standards apply (null: the deployment's default). */
  territory: string | null
  /** Why an operator left this request without a due date (required when its standard is off). */
  noDueDateReason: string | null
  suggestedServiceType: string | null
  /** The second clock (the service the request also asks for), once an operator confirmed it. */
  serviceClock: ServiceClockMeta | null
  /** Brought in by an archive import of a mailbox's history. */
  historical: boolean
  /** Left out of the ARERA register, indicators and deadlines (history, unless an administrator included it). */
  registerExcluded: boolean
}

export interface ServiceClockMeta {
  type: string
  inspection: boolean
  /** When the clock starts: the receipt, unless it follows a later event (a refund, a forwarded reply). */
  startedAt: string
  dueDate: string | null
  doneAt: string | null
  missCause: string | null
  confirmedAt: string | null
  confirmedBy: string | null
}

export interface ServiceClockChanges {
  type: string | null
  inspection?: boolean
  startedAt?: Date | null
  dueDate?: string | null
  doneAt?: Date | null
  missCause?: string | null
  confirmedAt?: Date
  confirmedBy?: string
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
  territory?: string | null
  suggestedServiceType?: string | null
  historical?: boolean
  registerExcluded?: boolean
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
    publicChangedAt: toIso(row.public_changed_at),
    territory: toStr(row.territory),
    noDueDateReason: toStr(row.no_due_date_reason),
    suggestedServiceType: toStr(row.suggested_service_type),
    serviceClock: row.service_type
      ? {
          type: String(row.service_type),
          inspection: toBool(row.service_inspection),
          startedAt: toIso(row.service_started_at) ?? toIso(row.received_at) ?? '',
          dueDate: toDateOnly(row.service_due_date),
          doneAt: toIso(row.service_done_at),
          missCause: toStr(row.service_miss_cause),
          confirmedAt: toIso(row.service_confirmed_at),
          confirmedBy: toStr(row.service_confirmed_by)
        }
      : null,
    historical: toBool(row.historical),
    registerExcluded: toBool(row.register_excluded)
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
        territory: meta.territory ?? null,
        suggested_service_type: meta.suggestedServiceType ?? null,
        historical: meta.historical ?? false,
        register_excluded: meta.registerExcluded ?? false,
        created_at: meta.now,
        updated_at: meta.now,
        last_activity_at: meta.now
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
        const rows: Row[] = await db(TABLE)
          .select('*')
          .whereIn('work_order_id', ids.slice(i, i + 1000))
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
      changes: Partial<Pick<WorkOrderMeta, 'areraType' | 'dueDate' | 'missCause' | 'service' | 'typeConfirmedBy' | 'territory' | 'noDueDateReason'>> & {
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
      if (changes.duplicateCandidates !== undefined)
        row.duplicate_candidates_json = changes.duplicateCandidates.length ? JSON.stringify(changes.duplicateCandidates) : null
      if (changes.territory !== undefined) row.territory = changes.territory
      if (changes.noDueDateReason !== undefined) row.no_due_date_reason = changes.noDueDateReason === null ? null : changes.noDueDateReason.slice(0, 500)
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
      const rows: Row[] = await db(TABLE)
        .select('*')
        .where('received_at', '>=', from)
        .andWhere('received_at', '<', to)
        .andWhere('register_excluded', false)
        .orderBy([{ column: 'received_at' }, { column: 'work_order_id' }])
      return rows.map(toMeta)
    },

    /** Sets, changes or (type null) removes the second clock; only the given fields change. */
    async updateServiceClock(workOrderId: number, c: ServiceClockChanges, now: Date = new Date()): Promise<void> {
      const row: Record<string, unknown> = { updated_at: now, service_type: c.type }
      if (c.type === null) {
        Object.assign(row, {
          service_inspection: false,
          service_started_at: null,
          service_due_date: null,
          service_done_at: null,
          service_miss_cause: null,
          service_confirmed_at: null,
          service_confirmed_by: null
        })
      } else {
        if (c.inspection !== undefined) row.service_inspection = c.inspection
        if (c.startedAt !== undefined) row.service_started_at = c.startedAt
        if (c.dueDate !== undefined) row.service_due_date = c.dueDate
        if (c.doneAt !== undefined) row.service_done_at = c.doneAt
        if (c.missCause !== undefined) row.service_miss_cause = c.missCause
        if (c.confirmedAt !== undefined) row.service_confirmed_at = c.confirmedAt
        if (c.confirmedBy !== undefined) row.service_confirmed_by = c.confirmedBy.slice(0, 200)
      }
      await db(TABLE).where('work_order_id', workOrderId).update(row)
    },

    /** Requests with a second clock still running (the service not yet performed). */
    async listAwaitingService(): Promise<WorkOrderMeta[]> {
      const rows: Row[] = await db(TABLE)
        .select('*')
        .whereNotNull('service_type')
        .whereNull('service_done_at')
        .orderBy([{ column: 'service_due_date' }, { column: 'work_order_id' }])
      return rows.map(toMeta)
    },

    /** Requests awaiting their reply without a due date (their standard is off or their type has none). */
    async listUndated(): Promise<WorkOrderMeta[]> {
      const rows: Row[] = await db(TABLE)
        .select('*')
        .whereNull('reply_sent_at')
        .whereNull('due_date')
        .orderBy([{ column: 'received_at' }, { column: 'work_order_id' }])
      return rows.map(toMeta)
    },

    /** Requests with a due date and no reply yet: the clocks still running (or suspended). A merged one runs in its target's. */
    async listAwaitingReply(): Promise<WorkOrderMeta[]> {
      const rows: Row[] = await db(TABLE)
        .select('*')
        .whereNull('reply_sent_at')
        .whereNotNull('due_date')
        .whereNull('merged_into_work_order_id')
        .andWhere('register_excluded', false)
        .orderBy([{ column: 'due_date' }, { column: 'work_order_id' }])
      return rows.map(toMeta)
    }
  }
}

export type WorkOrderMetaRepository = ReturnType<typeof createWorkOrderMetaRepository>
