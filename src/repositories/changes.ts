// The change feed (trc_changes): one INSERT in the transaction of each change, read by sequence by every
// instance's watcher, pruned after a day. It says that something changed and where, never what.
import type { Knex } from 'knex'
import { toId, toOptionalId, type Row } from './normalize.js'

/** What changed: a browser refetches what the kind concerns. */
export type ChangeKind =
  | 'message' //    inbound mail, a Sportello or app submission, a machine-written mail stored as evidence
  | 'reply' //      an operator's reply, forward or conversation document queued
  | 'delivery' //   an outbound message's delivery status (sent, retrying, failed, bounced, PEC receipts)
  | 'state' //      the work order's state, request type or ARERA clock (suspended, resumed, extended)
  | 'note' //       an internal note
  | 'merge' //      merged into another work order, or the merge undone
  | 'link' //       linked to or unlinked from a related work order, or a message split out
  | 'spam' //       mailbox-level: the spam list changed (no work order)
  | 'quarantine' // mailbox-level: unreadable mail quarantined (no work order)

export interface Change {
  seq: number
  workOrderId: number | null
  kind: ChangeKind
}

const TABLE = 'trc_changes'

const toChange = (row: Row): Change => ({ seq: toId(row.seq), workOrderId: toOptionalId(row.work_order_id), kind: String(row.kind) as ChangeKind })

export function createChangeRepository(db: Knex | Knex.Transaction) {
  return {
    /** Appends a change; call it last in the change's own transaction (its sequence is taken at insert time). */
    async append(workOrderId: number | null, kind: ChangeKind, now: Date = new Date()): Promise<void> {
      await db(TABLE).insert({ work_order_id: workOrderId, kind, created_at: now })
    },

    /** The same change of several work orders (both sides of a merge or a link), in one INSERT. */
    async appendEach(workOrderIds: readonly number[], kind: ChangeKind, now: Date = new Date()): Promise<void> {
      if (workOrderIds.length) await db(TABLE).insert(workOrderIds.map((id) => ({ work_order_id: id, kind, created_at: now })))
    },

    /** Changes after `seq` (up to `through`, when given), in sequence order. */
    async after(seq: number, limit: number, through?: number): Promise<Change[]> {
      const query = db(TABLE).select('seq', 'work_order_id', 'kind').where('seq', '>', seq)
      if (through !== undefined) query.andWhere('seq', '<=', through)
      const rows: Row[] = await query.orderBy('seq', 'asc').limit(limit)
      return rows.map(toChange)
    },

    /** The highest sequence written so far (0 on an empty feed). */
    async latestSeq(): Promise<number> {
      const row = (await db(TABLE).max({ seq: 'seq' }).first()) as Row | undefined
      return row?.seq == null ? 0 : toId(row.seq)
    },

    /** The lowest sequence still kept (null on an empty feed): below it, changes were pruned. */
    async oldestSeq(): Promise<number | null> {
      const row = (await db(TABLE).min({ seq: 'seq' }).first()) as Row | undefined
      return row?.seq == null ? null : toId(row.seq)
    },

    /** Deletes changes written before `before`; returns how many. */
    async pruneBefore(before: Date): Promise<number> {
      return Number(await db(TABLE).where('created_at', '<', before).delete())
    }
  }
}
