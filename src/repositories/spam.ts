// The spam list and the operators' block rules (a sender's address, or a whole domain).
import type { Knex } from 'knex'
import { toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'

export interface NewSpamEntry {
  mailboxId: number | null
  uidValidity: string | null
  imapUid: number | null
  dedupeKey: string
  messageId: string | null
  from: string | null
  subject: string | null
  reason: string
  raw: Buffer
  receivedAt: Date
}

export interface SpamEntry {
  id: number
  mailboxId: number | null
  messageId: string | null
  from: string | null
  subject: string | null
  reason: string
  size: number
  receivedAt: string
  createdAt: string
  releasedAt: string | null
  releasedBy: string | null
  releasedMessageId: number | null
}

export interface BlockRule {
  id: number
  pattern: string
  createdBy: string | null
  createdAt: string
}

const TABLE = 'trc_spam'
const BLOCKED = 'trc_blocked_senders'
const COLUMNS = [
  'id',
  'mailbox_id',
  'message_id',
  'from_address',
  'subject',
  'reason',
  'size',
  'received_at',
  'created_at',
  'released_at',
  'released_by',
  'released_message_id'
]

function toEntry(row: Row): SpamEntry {
  return {
    id: toId(row.id),
    mailboxId: toOptionalId(row.mailbox_id),
    messageId: toStr(row.message_id),
    from: toStr(row.from_address),
    subject: toStr(row.subject),
    reason: String(row.reason),
    size: Number(row.size),
    receivedAt: toIso(row.received_at) ?? '',
    createdAt: toIso(row.created_at) ?? '',
    releasedAt: toIso(row.released_at),
    releasedBy: toStr(row.released_by),
    releasedMessageId: toOptionalId(row.released_message_id)
  }
}

/** The patterns that would block `address`: itself and its domain. */
function blockPatternsFor(address: string): string[] {
  const lower = address.trim().toLowerCase()
  const at = lower.lastIndexOf('@')
  return at > 0 ? [lower, lower.slice(at)] : [lower]
}

export function createSpamRepository(db: Knex | Knex.Transaction) {
  return {
    async insert(entry: NewSpamEntry, now: Date): Promise<number> {
      const [row] = await db(TABLE).insert(
        {
          mailbox_id: entry.mailboxId,
          uid_validity: entry.uidValidity,
          imap_uid: entry.imapUid,
          dedupe_key: entry.dedupeKey,
          message_id: entry.messageId,
          from_address: entry.from,
          subject: entry.subject,
          reason: entry.reason.slice(0, 4000),
          size: entry.raw.length,
          raw: entry.raw,
          received_at: entry.receivedAt,
          created_at: now
        },
        ['id']
      )
      return toId((row as Row).id)
    },

    async existsByDedupeKey(dedupeKey: string): Promise<boolean> {
      return (await db(TABLE).first('id').where('dedupe_key', dedupeKey)) !== undefined
    },

    /** Newest first; released entries only when asked for. */
    async list(options: { limit: number; includeReleased: boolean }): Promise<SpamEntry[]> {
      const query = db(TABLE).select(COLUMNS).orderBy('id', 'desc').limit(options.limit)
      if (!options.includeReleased) query.whereNull('released_at')
      return (await query).map(toEntry)
    },

    async countOpen(): Promise<number> {
      const row = await db(TABLE).whereNull('released_at').count({ n: '*' }).first()
      return Number((row as Row | undefined)?.n ?? 0)
    },

    async findById(id: number): Promise<SpamEntry | null> {
      const row = await db(TABLE).first(COLUMNS).where('id', id)
      return row ? toEntry(row) : null
    },

    async readRaw(id: number): Promise<{ raw: Buffer; mailboxId: number | null; receivedAt: Date | null } | null> {
      const row = await db(TABLE).first('raw', 'mailbox_id', 'received_at').where('id', id)
      if (!row) return null
      const raw = row.raw as Buffer | Uint8Array
      return {
        raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
        mailboxId: toOptionalId(row.mailbox_id),
        receivedAt: row.received_at ? new Date(toIso(row.received_at) ?? 0) : null
      }
    },

    /** Claims an entry for release; false when it is already released (or being released by someone else). */
    async claimRelease(id: number, by: string, now: Date): Promise<boolean> {
      return Number(await db(TABLE).where('id', id).whereNull('released_at').update({ released_at: now, released_by: by })) > 0
    },

    async recordRelease(id: number, messageId: number | null): Promise<void> {
      await db(TABLE).where('id', id).update({ released_message_id: messageId })
    },

    /** The release failed: the entry waits in the list again. */
    async revertRelease(id: number): Promise<void> {
      await db(TABLE).where('id', id).update({ released_at: null, released_by: null, released_message_id: null })
    },

    /** The rule that blocks `address` (its address or its domain), or null. */
    async findBlockRule(address: string): Promise<string | null> {
      const row = await db(BLOCKED).first('pattern').whereIn('pattern', blockPatternsFor(address)).orderBy('id', 'asc')
      return row ? String(row.pattern) : null
    },

    async addBlockRule(pattern: string, by: string | null, now: Date): Promise<number> {
      const [row] = await db(BLOCKED).insert({ pattern, created_by: by, created_at: now }, ['id'])
      return toId((row as Row).id)
    },

    async listBlockRules(): Promise<BlockRule[]> {
      const rows: Row[] = await db(BLOCKED).select('id', 'pattern', 'created_by', 'created_at').orderBy('pattern', 'asc')
      return rows.map((r) => ({ id: toId(r.id), pattern: String(r.pattern), createdBy: toStr(r.created_by), createdAt: toIso(r.created_at) ?? '' }))
    },

    async removeBlockRule(id: number): Promise<boolean> {
      return Number(await db(BLOCKED).where('id', id).delete()) > 0
    }
  }
}

export type SpamRepository = ReturnType<typeof createSpamRepository>
