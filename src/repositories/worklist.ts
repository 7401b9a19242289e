// The worklist's queries: which work orders each queue holds, one keyset page of them, and how many there are.
// Each queue is a condition on the module's work-order metadata joined to the host's work order; paging walks the
// (due_date, id) or (last_activity_at, id) index, so a page costs the same at row 10 as at row 100,000.
import type { Knex } from 'knex'
import type { WorkOrderQueue, WorklistCursor, WorklistSort } from '../domain/worklist.js'
import type { HostMapping } from '../options.js'
import { toDateOnly, toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'

export interface WorklistFilter {
  mailboxId?: number
  channel?: string
  /** The ARERA request type code. */
  type?: string
  /** Host status values (the module state already translated through the mapping). */
  hostStatuses?: string[]
  /** Subject or sender contains this, case-insensitively. */
  text?: string
}

/** What the queue conditions need to know about "now" and the deployment. */
export interface QueueContext {
  today: string
  /** The last due date that counts as "due soon" (today + N working days). */
  dueSoonUntil: string
  dayStart: Date
  dayEnd: Date
  genericContributorId: number
}

export interface WorklistRow {
  workOrderId: number
  reference: string
  channel: string
  type: string | null
  dueDate: string | null
  lastActivityAt: string
  receivedAt: string
  subject: string | null
  hostStatus: string | null
  contributorId: number | null
}

export interface AdminListRow {
  id: number
  mailboxId: number | null
  from: string | null
  subject: string | null
  reason: string
  at: string
}

/** A LIKE pattern matching `text` literally anywhere (`!` escapes; `[` is a wildcard on SQL Server). */
const containing = (text: string) => `%${text.toLowerCase().replace(/[!%_[]/g, '!$&')}%`
const META = 'trc_work_order_meta'
const MESSAGES = 'trc_messages'

export function createWorklistRepository(db: Knex | Knex.Transaction, mapping: HostMapping) {
  const w = mapping.workOrders
  const closed = w.statuses.closed
  const one = db.raw('1')
  const sameWorkOrder = (alias: string) => db.raw('?? = ??', [`${alias}.work_order_id`, 'm.work_order_id'])

  const notClosed = (q: Knex.QueryBuilder) => q.where((s) => s.whereNull(`w.${w.status}`).orWhere(`w.${w.status}`, '<>', closed))

  /** The citizen spoke last: no answering reply at or after their latest message (src/repositories/conversation-state.ts). */
  const awaitingAnswer = (q: Knex.QueryBuilder) =>
    q.whereNotNull('m.last_inbound_at').andWhere((s) => s.whereNull('m.last_reply_at').orWhereRaw('?? < ??', ['m.last_reply_at', 'm.last_inbound_at']))

  const awaitingReply = (q: Knex.QueryBuilder) => q.whereNull('m.reply_sent_at').whereNotNull('m.due_date').andWhere('m.register_excluded', false)

  function applyQueue(q: Knex.QueryBuilder, queue: WorkOrderQueue, ctx: QueueContext): Knex.QueryBuilder {
    switch (queue) {
      case 'to_answer':
        return awaitingAnswer(notClosed(q))
      case 'due_soon':
        return awaitingReply(q).andWhere('m.due_date', '>=', ctx.today).andWhere('m.due_date', '<=', ctx.dueSoonUntil)
      case 'overdue':
        return awaitingReply(q).andWhere('m.due_date', '<', ctx.today)
      case 'new_today':
        return q.andWhere('m.received_at', '>=', ctx.dayStart).andWhere('m.received_at', '<', ctx.dayEnd)
      case 'unlinked_senders':
        // unknown and shared addresses both leave the work order on the generic contributor (src/mail/sender-match.ts)
        return notClosed(q).andWhere((s) => s.whereNull(`w.${w.contributorId}`).orWhere(`w.${w.contributorId}`, ctx.genericContributorId))
      case 'failed_deliveries':
        return notClosed(q).whereIn(
          'm.work_order_id',
          db(MESSAGES).select('work_order_id').where('delivery_status', 'failed').andWhere('direction', 'outbound').whereNotNull('work_order_id')
        )
    }
  }

  function applyFilter(q: Knex.QueryBuilder, filter: WorklistFilter): Knex.QueryBuilder {
    if (filter.channel !== undefined) q.andWhere('m.channel', filter.channel)
    if (filter.type !== undefined) q.andWhere('m.arera_type', filter.type)
    if (filter.hostStatuses !== undefined) q.whereIn(`w.${w.status}`, filter.hostStatuses)
    if (filter.mailboxId !== undefined) {
      q.whereExists(db(`${MESSAGES} as b`).select(one).where(sameWorkOrder('b')).andWhere('b.mailbox_id', filter.mailboxId))
    }
    if (filter.text !== undefined && filter.text.trim() !== '') {
      const pattern = containing(filter.text.trim())
      q.andWhere((s) =>
        s
          .whereRaw("LOWER(??) LIKE ? ESCAPE '!'", [`w.${w.subject}`, pattern])
          .orWhereExists(
            db(`${MESSAGES} as f`)
              .select(one)
              .where(sameWorkOrder('f'))
              .andWhere('f.direction', 'inbound')
              .andWhereRaw("LOWER(??) LIKE ? ESCAPE '!'", ['f.from_address', pattern])
          )
      )
    }
    return q
  }

  const base = (queue: WorkOrderQueue, filter: WorklistFilter, ctx: QueueContext) =>
    applyFilter(
      applyQueue(db(`${META} as m`).join(`${w.table} as w`, `w.${w.id}`, 'm.work_order_id').whereNull('m.merged_into_work_order_id'), queue, ctx),
      filter
    )

  const toRow = (r: Row): WorklistRow => ({
    workOrderId: toId(r.work_order_id),
    reference: String(r.reference),
    channel: String(r.channel),
    type: toStr(r.arera_type),
    dueDate: toDateOnly(r.due_date),
    lastActivityAt: toIso(r.last_activity_at) ?? toIso(r.received_at) ?? '',
    receivedAt: toIso(r.received_at) ?? '',
    subject: toStr(r.subject),
    hostStatus: toStr(r.host_status),
    contributorId: toOptionalId(r.contributor_id)
  })

  const columns = [
    'm.work_order_id',
    'm.reference',
    'm.channel',
    'm.arera_type',
    'm.due_date',
    'm.last_activity_at',
    'm.received_at',
    `w.${w.subject} as subject`,
    `w.${w.status} as host_status`,
    `w.${w.contributorId} as contributor_id`
  ]

  return {
    /** One page (`limit` rows) after the cursor: due date ascending (undated last), or latest activity first. */
    async listPage(queue: WorkOrderQueue, filter: WorklistFilter, ctx: QueueContext, sort: WorklistSort, limit: number, after: WorklistCursor | null) {
      // One day's requests are few, but a planner walking the sort index looks for them across every row (PostgreSQL
      // did, 400 ms at 100,000): read them by the receipt index and order them here, with the same keyset.
      if (queue === 'new_today') return pageInMemory((await base(queue, filter, ctx).select(columns)).map(toRow), sort, limit, after)
      if (sort === 'last_activity') {
        const q = base(queue, filter, ctx).select(columns)
        if (after?.at !== undefined) {
          const at = new Date(after.at)
          q.andWhere((s) => s.where('m.last_activity_at', '<', at).orWhere((e) => e.where('m.last_activity_at', at).andWhere('m.work_order_id', '<', after.id)))
        }
        const rows: Row[] = await q
          .orderBy([
            { column: 'm.last_activity_at', order: 'desc' },
            { column: 'm.work_order_id', order: 'desc' }
          ])
          .limit(limit)
        return rows.map(toRow)
      }
      const out: WorklistRow[] = []
      // dated rows first, in (due_date, id) order; then the undated ones by id (NULL sorts differently per database)
      if (after === null || (after.due !== null && after.due !== undefined)) {
        const q = base(queue, filter, ctx).select(columns).whereNotNull('m.due_date')
        if (after?.due) {
          const due = after.due
          q.andWhere((s) => s.where('m.due_date', '>', due).orWhere((e) => e.where('m.due_date', due).andWhere('m.work_order_id', '>', after.id)))
        }
        const rows: Row[] = await q.orderBy([{ column: 'm.due_date' }, { column: 'm.work_order_id' }]).limit(limit)
        out.push(...rows.map(toRow))
      }
      if (out.length < limit) {
        const q = base(queue, filter, ctx).select(columns).whereNull('m.due_date')
        if (after && after.due === null) q.andWhere('m.work_order_id', '>', after.id)
        const rows: Row[] = await q.orderBy('m.work_order_id').limit(limit - out.length)
        out.push(...rows.map(toRow))
      }
      return out
    },

    async count(queue: WorkOrderQueue, filter: WorklistFilter, ctx: QueueContext): Promise<number> {
      const row = await base(queue, filter, ctx).count({ n: '*' }).first()
      return Number((row as Row | undefined)?.n ?? 0)
    },

    /** The address each work order's citizen last wrote from (its latest inbound message). */
    async lastSenders(workOrderIds: readonly number[]): Promise<Map<number, string>> {
      const result = new Map<number, string>()
      if (workOrderIds.length === 0) return result
      const rows: Row[] = await db(MESSAGES)
        .select('work_order_id', 'from_address', 'id')
        .whereIn('work_order_id', [...new Set(workOrderIds)].slice(0, 1000))
        .andWhere('direction', 'inbound')
        .whereNotNull('from_address')
        .orderBy('id')
      for (const r of rows) result.set(toId(r.work_order_id), String(r.from_address))
      return result
    },

    /** Spam not yet released, newest first; mailbox and text (sender or subject) filter it. */
    async listSpam(filter: WorklistFilter, limit: number, afterId: number | null): Promise<AdminListRow[]> {
      const q = spamQuery(filter).select('id', 'mailbox_id', 'from_address', 'subject', 'reason', 'received_at')
      if (afterId !== null) q.andWhere('id', '<', afterId)
      const rows: Row[] = await q.orderBy('id', 'desc').limit(limit)
      return rows.map((r) => ({
        id: toId(r.id),
        mailboxId: toOptionalId(r.mailbox_id),
        from: toStr(r.from_address),
        subject: toStr(r.subject),
        reason: String(r.reason),
        at: toIso(r.received_at) ?? ''
      }))
    },

    async countSpam(filter: WorklistFilter): Promise<number> {
      const row = await spamQuery(filter).count({ n: '*' }).first()
      return Number((row as Row | undefined)?.n ?? 0)
    },

    /** Mail kept unparsed and not yet resolved, newest first; mailbox and text (the reason) filter it. */
    async listQuarantine(filter: WorklistFilter, limit: number, afterId: number | null): Promise<AdminListRow[]> {
      const q = quarantineQuery(filter).select('id', 'mailbox_id', 'reason', 'created_at')
      if (afterId !== null) q.andWhere('id', '<', afterId)
      const rows: Row[] = await q.orderBy('id', 'desc').limit(limit)
      return rows.map((r) => ({
        id: toId(r.id),
        mailboxId: toOptionalId(r.mailbox_id),
        from: null,
        subject: null,
        reason: String(r.reason),
        at: toIso(r.created_at) ?? ''
      }))
    },

    async countQuarantine(filter: WorklistFilter): Promise<number> {
      const row = await quarantineQuery(filter).count({ n: '*' }).first()
      return Number((row as Row | undefined)?.n ?? 0)
    }
  }

  function pageInMemory(rows: WorklistRow[], sort: WorklistSort, limit: number, after: WorklistCursor | null): WorklistRow[] {
    if (sort === 'last_activity') {
      const key = (r: WorklistRow) => [r.lastActivityAt, r.workOrderId] as const
      const sorted = rows.sort((a, b) => (key(a)[0] === key(b)[0] ? b.workOrderId - a.workOrderId : key(a)[0] < key(b)[0] ? 1 : -1))
      const from =
        after?.at === undefined
          ? sorted
          : sorted.filter((r) => r.lastActivityAt < (after.at as string) || (r.lastActivityAt === after.at && r.workOrderId < after.id))
      return from.slice(0, limit)
    }
    // dated first by (due date, id), then undated by id: as the SQL above pages them
    const rank = (r: WorklistRow) =>
      r.dueDate === null ? `~${String(r.workOrderId).padStart(16, '0')}` : `${r.dueDate}:${String(r.workOrderId).padStart(16, '0')}`
    const sorted = rows.sort((a, b) => (rank(a) < rank(b) ? -1 : 1))
    if (after === null || after.due === undefined) return sorted.slice(0, limit)
    const mark = rank({ dueDate: after.due, workOrderId: after.id } as WorklistRow)
    return sorted.filter((r) => rank(r) > mark).slice(0, limit)
  }

  function spamQuery(filter: WorklistFilter): Knex.QueryBuilder {
    const q = db('trc_spam').whereNull('released_at')
    if (filter.mailboxId !== undefined) q.andWhere('mailbox_id', filter.mailboxId)
    if (filter.text !== undefined && filter.text.trim() !== '') {
      const pattern = containing(filter.text.trim())
      q.andWhere((s) => s.whereRaw("LOWER(??) LIKE ? ESCAPE '!'", ['from_address', pattern]).orWhereRaw("LOWER(??) LIKE ? ESCAPE '!'", ['subject', pattern]))
    }
    return q
  }

  function quarantineQuery(filter: WorklistFilter): Knex.QueryBuilder {
    const q = db('trc_quarantine').whereNull('resolved_at')
    if (filter.mailboxId !== undefined) q.andWhere('mailbox_id', filter.mailboxId)
    if (filter.text !== undefined && filter.text.trim() !== '') q.andWhereRaw("LOWER(??) LIKE ? ESCAPE '!'", ['reason', containing(filter.text.trim())])
    return q
  }
}

export type WorklistRepository = ReturnType<typeof createWorklistRepository>
