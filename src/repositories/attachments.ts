// Attachment metadata, and the bytes themselves when storage is the database.
import type { Knex } from 'knex'
import type { AttachmentSummary, ScanStatus } from '../types.js'
import { toBool, toId, toStr, type Row } from './normalize.js'
import { indexAttachmentName } from './search.js'

export interface NewAttachment {
  messageId: number
  filename: string
  contentType: string
  size: number
  sha256: string
  contentId: string | null
  inline: boolean
  storage: 'database' | 'directory'
  storageKey: string | null
  content: Buffer | null
  createdAt: Date
  /** Default: 'pending' when a scanner is configured, else 'off' (see createRepositories). */
  scan?: ScanStatus
}

export interface StoredAttachment extends AttachmentSummary {
  messageId: number
  storage: 'database' | 'directory'
  storageKey: string | null
}

const TABLE = 'trc_attachments'
const SUMMARY_COLUMNS = [
  'id',
  'message_id',
  'filename',
  'content_type',
  'size',
  'sha256',
  'content_id',
  'inline',
  'storage',
  'storage_key',
  'scan_status',
  'scan_signature'
]

/** Only these can be downloaded, re-attached or sent. */
export const SERVABLE_SCANS: ReadonlySet<ScanStatus> = new Set(['clean', 'off'])

function toStored(row: Row): StoredAttachment {
  return {
    id: toId(row.id),
    messageId: toId(row.message_id),
    filename: String(row.filename),
    contentType: String(row.content_type),
    size: Number(row.size),
    sha256: String(row.sha256),
    contentId: toStr(row.content_id),
    inline: toBool(row.inline),
    storage: String(row.storage) as 'database' | 'directory',
    storageKey: toStr(row.storage_key),
    scan: String(row.scan_status ?? 'off') as ScanStatus,
    virus: toStr(row.scan_signature),
    blocked: !SERVABLE_SCANS.has(String(row.scan_status ?? 'off') as ScanStatus)
  }
}

export function toSummary(a: StoredAttachment): AttachmentSummary {
  return {
    id: a.id,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
    contentId: a.contentId,
    inline: a.inline,
    scan: a.scan,
    virus: a.virus,
    blocked: a.blocked
  }
}

export function createAttachmentRepository(db: Knex | Knex.Transaction, initialScan: 'pending' | 'off' = 'off') {
  return {
    async insert(a: NewAttachment): Promise<number> {
      const [row] = await db(TABLE).insert(
        {
          message_id: a.messageId,
          filename: a.filename,
          content_type: a.contentType,
          size: a.size,
          sha256: a.sha256,
          content_id: a.contentId,
          inline: a.inline,
          storage: a.storage,
          storage_key: a.storageKey,
          content: a.content,
          created_at: a.createdAt,
          scan_status: a.scan ?? initialScan
        },
        ['id']
      )
      // its name is searchable from the same transaction on
      await indexAttachmentName(db, a.messageId, a.filename)
      return toId((row as Row).id)
    },

    async findById(id: number): Promise<StoredAttachment | null> {
      const row = await db(TABLE).first(SUMMARY_COLUMNS).where('id', id)
      return row ? toStored(row) : null
    },

    async listByMessageIds(messageIds: number[]): Promise<StoredAttachment[]> {
      if (messageIds.length === 0) return []
      const out: StoredAttachment[] = []
      // chunks keep the IN list under SQL Server's 2100-parameter limit
      for (let i = 0; i < messageIds.length; i += 1000) {
        const rows: Row[] = await db(TABLE)
          .select(SUMMARY_COLUMNS)
          .whereIn('message_id', messageIds.slice(i, i + 1000))
          .orderBy('id')
        out.push(...rows.map(toStored))
      }
      return out
    },

    /** The bytes of an attachment stored in the database (null for directory storage). */
    async readContent(id: number): Promise<Buffer | null> {
      const row = await db(TABLE).first('content').where('id', id)
      const content = row?.content
      if (content === null || content === undefined) return null
      return Buffer.isBuffer(content) ? content : Buffer.from(content as Uint8Array)
    }
  }
}

export type AttachmentRepository = ReturnType<typeof createAttachmentRepository>
