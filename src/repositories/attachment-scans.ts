// The antivirus side of attachments: which still wait for a scan, their verdicts, and the quarantine that takes
// the bytes of infected files out of the attachment store.
import type { Knex } from 'knex'
import { toId, type Row } from './normalize.js'

const TABLE = 'trc_attachments'
const QUARANTINE = 'trc_attachment_quarantine'

export interface ScanCounts {
  pending: number
  infected: number
  error: number
}

export function createAttachmentScanRepository(db: Knex | Knex.Transaction) {
  const due = (now: Date) => (q: Knex.QueryBuilder) => q.whereNull('scan_next_at').orWhere('scan_next_at', '<=', now)
  return {
    /** Attachments waiting for a scan whose turn has come, oldest first. */
    async listDue(now: Date, limit: number): Promise<number[]> {
      const rows: Row[] = await db(TABLE).select('id').where('scan_status', 'pending').andWhere(due(now)).orderBy('id').limit(limit)
      return rows.map((r) => toId(r.id))
    },

    /** One conditional UPDATE: among any number of instances only one scans the file until `until`. */
    async claim(id: number, now: Date, until: Date): Promise<boolean> {
      return (await db(TABLE).where({ id, scan_status: 'pending' }).andWhere(due(now)).update({ scan_next_at: until })) > 0
    },

    /** Back in the queue at `at` (clamd unreachable, or an ERROR verdict to try again). */
    async retryAt(id: number, at: Date, error: string | null, countAttempt: boolean): Promise<number> {
      await db(TABLE)
        .where({ id, scan_status: 'pending' })
        .update({
          scan_next_at: at,
          scan_error: error?.slice(0, 500) ?? null,
          ...(countAttempt ? { scan_attempts: db.raw('?? + 1', ['scan_attempts']) } : {})
        })
      const row = await db(TABLE).first('scan_attempts').where('id', id)
      return Number(row?.scan_attempts ?? 0)
    },

    async markClean(id: number, now: Date): Promise<boolean> {
      return (await db(TABLE).where({ id, scan_status: 'pending' }).update({ scan_status: 'clean', scan_error: null, scan_next_at: null, scanned_at: now })) > 0
    },

    async markError(id: number, error: string, now: Date): Promise<boolean> {
      return (
        (await db(TABLE)
          .where({ id, scan_status: 'pending' })
          .update({ scan_status: 'error', scan_error: error.slice(0, 500), scan_next_at: null, scanned_at: now })) > 0
      )
    },

    /** Infected: the bytes move to the quarantine table and leave the attachment row. */
    async quarantine(id: number, signature: string, content: Buffer | null, now: Date): Promise<boolean> {
      const count = await db(TABLE)
        .where({ id, scan_status: 'pending' })
        .update({
          scan_status: 'infected',
          scan_signature: signature.slice(0, 200),
          scan_error: null,
          scan_next_at: null,
          scanned_at: now,
          content: null
        })
      if (count === 0) return false
      await db(QUARANTINE).insert({ attachment_id: id, signature: signature.slice(0, 200), content, created_at: now })
      return true
    },

    /** Rows other than `exceptId` that still serve this directory file (so it must stay). */
    async countServingStorageKey(storageKey: string, exceptId: number): Promise<number> {
      const row = await db(TABLE).count({ n: '*' }).where('storage_key', storageKey).andWhereNot('id', exceptId).andWhereNot('scan_status', 'infected').first()
      return Number(row?.n ?? 0)
    },

    /** Per work order, how many of its attachments are infected (the operator's alert). */
    async countInfectedByWorkOrder(workOrderId: number): Promise<number> {
      const row = await db(`${TABLE} as a`)
        .join('trc_messages as m', 'm.id', 'a.message_id')
        .count({ n: '*' })
        .where('m.work_order_id', workOrderId)
        .andWhere('a.scan_status', 'infected')
        .first()
      return Number(row?.n ?? 0)
    },

    async counts(): Promise<ScanCounts> {
      const rows: Row[] = await db(TABLE)
        .select('scan_status')
        .count({ n: '*' })
        .whereIn('scan_status', ['pending', 'infected', 'error'])
        .groupBy('scan_status')
      const out: ScanCounts = { pending: 0, infected: 0, error: 0 }
      for (const r of rows) out[String(r.scan_status) as keyof ScanCounts] = Number(r.n)
      return out
    }
  }
}

export type AttachmentScanRepository = ReturnType<typeof createAttachmentScanRepository>
