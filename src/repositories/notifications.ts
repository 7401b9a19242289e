// Followers of work orders, the notifications they get, and each operator's notification settings. Inserts that
// must not fail inside a caller's transaction (following twice, notifying twice about one due date) are written as
// INSERT … SELECT … WHERE NOT EXISTS: portable to SQLite, PostgreSQL and SQL Server, and no unique-key error that
// would abort a PostgreSQL transaction.
import type { Knex } from 'knex'
import { toBool, toId, toIso, toStr, type Row } from './normalize.js'

export type FollowReason = 'replied' | 'followed'
export type NotificationKind = 'citizen_reply' | 'delivery_failed' | 'due_tomorrow'

export interface Follower {
  workOrderId: number
  operatorId: string
  operatorName: string | null
  reason: FollowReason
  createdAt: string
}

export interface StoredNotification {
  id: number
  operatorId: string
  workOrderId: number
  kind: NotificationKind
  detail: string | null
  createdAt: string
  readAt: string | null
  emailedAt: string | null
}

export interface OperatorSettings {
  operatorId: string
  email: string | null
  locale: 'it' | 'en'
  emailNotifications: boolean
}

const FOLLOWERS = 'trc_followers'
const NOTIFICATIONS = 'trc_notifications'
const SETTINGS = 'trc_operator_settings'

const toNotification = (r: Row): StoredNotification => ({
  id: toId(r.id),
  operatorId: String(r.operator_id),
  workOrderId: toId(r.work_order_id),
  kind: String(r.kind) as NotificationKind,
  detail: toStr(r.detail),
  createdAt: toIso(r.created_at) ?? '',
  readAt: toIso(r.read_at),
  emailedAt: toIso(r.emailed_at)
})

export function createNotificationRepository(db: Knex | Knex.Transaction) {
  return {
    /** True when the operator was not following yet. */
    async follow(workOrderId: number, operatorId: string, operatorName: string | null, reason: FollowReason, now: Date): Promise<boolean> {
      const result = await db.raw(`insert into ?? (??, ??, ??, ??, ??) select ?, ?, ?, ?, ? where not exists (select 1 from ?? where ?? = ? and ?? = ?)`, [
        FOLLOWERS,
        'work_order_id',
        'operator_id',
        'operator_name',
        'reason',
        'created_at',
        workOrderId,
        operatorId,
        operatorName,
        reason,
        now,
        FOLLOWERS,
        'work_order_id',
        workOrderId,
        'operator_id',
        operatorId
      ])
      return affected(result) > 0
    },

    async unfollow(workOrderId: number, operatorId: string): Promise<boolean> {
      return (await db(FOLLOWERS).where({ work_order_id: workOrderId, operator_id: operatorId }).del()) > 0
    },

    async listFollowers(workOrderId: number): Promise<Follower[]> {
      const rows: Row[] = await db(FOLLOWERS).select('*').where('work_order_id', workOrderId).orderBy('created_at', 'asc').orderBy('operator_id', 'asc')
      return rows.map((r) => ({
        workOrderId: toId(r.work_order_id),
        operatorId: String(r.operator_id),
        operatorName: toStr(r.operator_name),
        reason: String(r.reason) as FollowReason,
        createdAt: toIso(r.created_at) ?? ''
      }))
    },

    /**
     * One notification per follower of the work order (but `except`, who caused it). With `once`, a follower who
     * already has one of this kind and detail for this work order gets no second one. Returns how many were added.
     */
    async notifyFollowers(
      workOrderId: number,
      kind: NotificationKind,
      detail: string | null,
      now: Date,
      opts: { except?: string | null; once?: boolean } = {}
    ): Promise<number> {
      const conditions = ['f.?? = ?']
      const bindings: Knex.RawBinding[] = ['work_order_id', workOrderId]
      if (opts.except) {
        conditions.push('f.?? <> ?')
        bindings.push('operator_id', opts.except)
      }
      if (opts.once) {
        conditions.push('not exists (select 1 from ?? n where n.?? = f.?? and n.?? = ? and n.?? = ? and n.?? = ?)')
        bindings.push(NOTIFICATIONS, 'operator_id', 'operator_id', 'work_order_id', workOrderId, 'kind', kind, 'detail', detail ?? '')
      }
      const result = await db.raw(`insert into ?? (??, ??, ??, ??, ??) select f.??, ?, ?, ?, ? from ?? f where ${conditions.join(' and ')}`, [
        NOTIFICATIONS,
        'operator_id',
        'work_order_id',
        'kind',
        'detail',
        'created_at',
        'operator_id',
        workOrderId,
        kind,
        detail ?? '',
        now,
        FOLLOWERS,
        ...bindings
      ])
      return affected(result)
    },

    async listForOperator(operatorId: string, opts: { unreadOnly?: boolean; limit?: number } = {}): Promise<StoredNotification[]> {
      const query = db(NOTIFICATIONS).select('*').where('operator_id', operatorId)
      if (opts.unreadOnly) query.whereNull('read_at')
      const rows: Row[] = await query.orderBy('id', 'desc').limit(opts.limit ?? 50)
      return rows.map(toNotification)
    },

    async countUnread(operatorId: string): Promise<number> {
      const row = await db(NOTIFICATIONS).where('operator_id', operatorId).whereNull('read_at').count({ n: '*' }).first()
      return Number(row?.n ?? 0)
    },

    /** Marks the operator's notifications read: the ones given, or all. Returns how many changed. */
    async markRead(operatorId: string, ids: readonly number[] | null, now: Date): Promise<number> {
      const query = db(NOTIFICATIONS).where('operator_id', operatorId).whereNull('read_at')
      if (ids) query.whereIn('id', ids.length ? [...ids] : [0])
      return query.update({ read_at: now })
    },

    /** Notifications not emailed yet, of operators who asked for email, oldest first. */
    async listPendingEmail(limit = 500): Promise<Array<StoredNotification & { email: string; locale: 'it' | 'en' }>> {
      const rows: Row[] = await db(`${NOTIFICATIONS} as n`)
        .join(`${SETTINGS} as s`, 's.operator_id', 'n.operator_id')
        .select('n.*', 's.email', 's.locale')
        .whereNull('n.emailed_at')
        .whereNull('n.read_at')
        .where('s.email_notifications', true)
        .whereNotNull('s.email')
        .orderBy('n.id', 'asc')
        .limit(limit)
      return rows.map((r) => ({ ...toNotification(r), email: String(r.email), locale: r.locale === 'en' ? 'en' : 'it' }))
    },

    /** When each (operator, work order) pair among these operators was last emailed about, after `since`. */
    async lastEmailed(operatorIds: readonly string[], since: Date): Promise<Map<string, string>> {
      if (!operatorIds.length) return new Map()
      const rows: Row[] = await db(NOTIFICATIONS)
        .select('operator_id', 'work_order_id')
        .max({ last: 'emailed_at' })
        .whereIn('operator_id', [...operatorIds])
        .where('emailed_at', '>=', since)
        .groupBy('operator_id', 'work_order_id')
      return new Map(rows.map((r) => [`${String(r.operator_id)}:${toId(r.work_order_id)}`, toIso(r.last) ?? '']))
    },

    async markEmailed(ids: readonly number[], now: Date): Promise<number> {
      if (!ids.length) return 0
      return db(NOTIFICATIONS)
        .whereIn('id', [...ids])
        .whereNull('emailed_at')
        .update({ emailed_at: now })
    },

    async findSettings(operatorId: string): Promise<OperatorSettings | null> {
      const row: Row | undefined = await db(SETTINGS).first('*').where('operator_id', operatorId)
      return row
        ? {
            operatorId: String(row.operator_id),
            email: toStr(row.email),
            locale: row.locale === 'en' ? 'en' : 'it',
            emailNotifications: toBool(row.email_notifications)
          }
        : null
    },

    async saveSettings(settings: OperatorSettings, now: Date): Promise<void> {
      const values = { email: settings.email, locale: settings.locale, email_notifications: settings.emailNotifications, updated_at: now }
      const updated = await db(SETTINGS).where('operator_id', settings.operatorId).update(values)
      if (!updated) await db(SETTINGS).insert({ operator_id: settings.operatorId, ...values })
    }
  }
}

/** Rows an INSERT … SELECT wrote, as each driver reports it. */
function affected(result: unknown): number {
  if (typeof result === 'number') return result
  const r = result as { rowCount?: number; changes?: number; rowsAffected?: number[] } | null
  return r?.rowCount ?? r?.changes ?? r?.rowsAffected?.[0] ?? 0
}
