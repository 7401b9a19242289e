// Mail that could not be turned into a message (unparseable, oversized): the raw source is kept with the reason.
import type { Knex } from 'knex'
import { toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'

export interface QuarantineEntry {
  mailboxId: number | null
  uidValidity: string | null
  imapUid: number | null
  reason: string
  messageId: string | null
  size: number
  raw: Buffer | null
  rawStorageKey: string | null
}

export interface QuarantineRecord extends Omit<QuarantineEntry, 'raw'> {
  id: number
  createdAt: string
  resolvedAt: string | null
}

const TABLE = 'trc_quarantine'
const COLUMNS = ['id', 'mailbox_id', 'uid_validity', 'imap_uid', 'reason', 'message_id', 'size', 'raw_storage_key', 'created_at', 'resolved_at']

export function createQuarantineRepository(db: Knex | Knex.Transaction) {
  return {
    async insert(entry: QuarantineEntry, now: Date = new Date()): Promise<number> {
      const [row] = await db(TABLE).insert(
        {
          mailbox_id: entry.mailboxId,
          uid_validity: entry.uidValidity,
          imap_uid: entry.imapUid,
          reason: entry.reason.slice(0, 4000),
          message_id: entry.messageId,
          size: entry.size,
          raw: entry.raw,
          raw_storage_key: entry.rawStorageKey,
          created_at: now
        },
        ['id']
      )
      return toId((row as Row).id)
    },

    async list(limit = 100): Promise<QuarantineRecord[]> {
      const rows: Row[] = await db(TABLE).select(COLUMNS).orderBy('id', 'desc').limit(limit)
      return rows.map((row) => ({
        id: toId(row.id),
        mailboxId: toOptionalId(row.mailbox_id),
        uidValidity: toStr(row.uid_validity),
        imapUid: row.imap_uid === null || row.imap_uid === undefined ? null : Number(row.imap_uid),
        reason: String(row.reason),
        messageId: toStr(row.message_id),
        size: Number(row.size),
        rawStorageKey: toStr(row.raw_storage_key),
        createdAt: toIso(row.created_at) ?? '',
        resolvedAt: toIso(row.resolved_at)
      }))
    },

    async readRaw(id: number): Promise<Buffer | null> {
      const row = await db(TABLE).first('raw').where('id', id)
      const raw = row?.raw
      return raw === null || raw === undefined ? null : Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array)
    }
  }
}

export type QuarantineRepository = ReturnType<typeof createQuarantineRepository>
