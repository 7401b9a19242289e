// The ARERA clock's own rows: clock events (suspend/resume/extend), digest runs, and the mailbox a work order
// came in through (for the deadline list's filter).
import type { Knex } from 'knex'
import type { ClockAction } from '../domain/clock.js'
import { isUniqueViolation, toDate, toId, toOptionalId, toStr, type Row } from './normalize.js'

export interface StoredClockEvent {
  id: number
  workOrderId: number
  action: ClockAction
  reason: string
  days: number | null
  at: Date
  actorId: string | null
  actorName: string | null
}

export interface NewClockEvent {
  workOrderId: number
  action: ClockAction
  reason: string
  days: number | null
  at: Date
  actorId: string | null
  actorName: string | null
}

const EVENTS = 'trc_clock_events'
const RUNS = 'trc_digest_runs'
/** SQL Server accepts at most 2100 parameters per statement: long id lists go in chunks. */
const CHUNK = 1000

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK))
  return out
}

function toEvent(row: Row): StoredClockEvent {
  return {
    id: toId(row.id),
    workOrderId: toId(row.work_order_id),
    action: String(row.action) as ClockAction,
    reason: String(row.reason ?? ''),
    days: row.days === null || row.days === undefined ? null : Number(row.days),
    at: toDate(row.at) ?? new Date(0),
    actorId: toStr(row.actor_id),
    actorName: toStr(row.actor_name)
  }
}

export function createAreraRepository(db: Knex | Knex.Transaction) {
  return {
    async insertClockEvent(event: NewClockEvent): Promise<void> {
      await db(EVENTS).insert({
        work_order_id: event.workOrderId,
        action: event.action,
        reason: event.reason.slice(0, 1000),
        days: event.days,
        at: event.at,
        actor_id: event.actorId,
        actor_name: event.actorName
      })
    },

    async listClockEvents(workOrderId: number): Promise<StoredClockEvent[]> {
      const rows: Row[] = await db(EVENTS)
        .select('*')
        .where('work_order_id', workOrderId)
        .orderBy([{ column: 'at' }, { column: 'id' }])
      return rows.map(toEvent)
    },

    /** Events of many work orders, grouped by work order id (sequential chunks: one connection in a transaction). */
    async listClockEventsFor(workOrderIds: readonly number[]): Promise<Map<number, StoredClockEvent[]>> {
      const byWorkOrder = new Map<number, StoredClockEvent[]>()
      for (const ids of chunks([...new Set(workOrderIds)])) {
        const rows: Row[] = await db(EVENTS)
          .select('*')
          .whereIn('work_order_id', ids)
          .orderBy([{ column: 'at' }, { column: 'id' }])
        for (const event of rows.map(toEvent)) {
          const list = byWorkOrder.get(event.workOrderId) ?? []
          list.push(event)
          byWorkOrder.set(event.workOrderId, list)
        }
      }
      return byWorkOrder
    },

    /** The mailbox of each work order's first inbound message, when it came by mail. */
    async inboundMailboxes(workOrderIds: readonly number[]): Promise<Map<number, number>> {
      const result = new Map<number, number>()
      for (const ids of chunks([...new Set(workOrderIds)])) {
        const rows: Row[] = await db('trc_messages')
          .select('work_order_id', 'mailbox_id')
          .whereIn('work_order_id', ids)
          .andWhere('direction', 'inbound')
          .whereNotNull('mailbox_id')
          .orderBy('id')
        for (const row of rows) {
          const workOrderId = toId(row.work_order_id)
          const mailboxId = toOptionalId(row.mailbox_id)
          if (mailboxId !== null && !result.has(workOrderId)) result.set(workOrderId, mailboxId)
        }
      }
      return result
    },

    /**
     * Claims the digest of a day for this instance: true for exactly one caller per day, however many
     * instances race (the primary key decides; no dialect-specific upsert).
     */
    async claimDigestRun(runDate: string, instanceId: string, now: Date = new Date()): Promise<boolean> {
      try {
        await db(RUNS).insert({ run_date: runDate, instance_id: instanceId.slice(0, 100), created_at: now })
        return true
      } catch (err) {
        if (isUniqueViolation(err)) return false
        throw err
      }
    },

    /** Gives a claimed day back (the digest could not be queued), so a later attempt can send it. */
    async releaseDigestRun(runDate: string): Promise<void> {
      await db(RUNS).where('run_date', runDate).delete()
    }
  }
}

export type AreraRepository = ReturnType<typeof createAreraRepository>
