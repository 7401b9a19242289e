// The outbox: every outgoing mail is a row written in the same transaction as the message it sends.
// Workers on any number of instances claim rows with a conditional UPDATE, so each row is sent once.
import type { Knex } from 'knex'
import { parseJson, toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'

export type OutboxKind = 'reply' | 'forward' | 'confirmation' | 'document' | 'status' | 'digest' | 'alert' | 'notification'
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'retrying' | 'failed'

/** What the worker needs to compose the mail; attachments are referenced, never copied into the payload. */
export interface OutboxPayload {
  from: string
  to: string[]
  cc: string[]
  bcc?: string[]
  replyTo?: string | null
  subject: string
  html: string
  text: string
  messageId: string
  inReplyTo?: string | null
  references?: string[]
  attachmentIds: number[]
  /** Files generated at send time (e.g. the conversation .docx), by work order id. */
  generated?: Array<{ kind: 'conversation-docx'; workOrderId: number; filename: string }>
  headers?: Record<string, string>
  /** The mailbox it is sent from, whose outgoing server it leaves through; absent: the default server. */
  mailboxId?: number | null
}

export interface OutboxRow {
  id: number
  messageId: number | null
  kind: OutboxKind
  recipient: string
  payload: OutboxPayload
  status: OutboxStatus
  attempts: number
  nextAttemptAt: string
  lastError: string | null
  smtpResponse: string | null
  sentAt: string | null
  createdAt: string
}

const TABLE = 'trc_outbox'

function toRow(row: Row): OutboxRow {
  return {
    id: toId(row.id),
    messageId: toOptionalId(row.message_id),
    kind: String(row.kind) as OutboxKind,
    recipient: String(row.recipient),
    payload: parseJson<OutboxPayload>(row.payload_json, { from: '', to: [], cc: [], subject: '', html: '', text: '', messageId: '', attachmentIds: [] }),
    status: String(row.status) as OutboxStatus,
    attempts: Number(row.attempts ?? 0),
    nextAttemptAt: toIso(row.next_attempt_at) ?? '',
    lastError: toStr(row.last_error),
    smtpResponse: toStr(row.smtp_response),
    sentAt: toIso(row.sent_at),
    createdAt: toIso(row.created_at) ?? ''
  }
}

export function createOutboxRepository(db: Knex | Knex.Transaction) {
  return {
    async enqueue(entry: { messageId: number | null; kind: OutboxKind; payload: OutboxPayload }, now: Date = new Date()): Promise<number> {
      const [row] = await db(TABLE).insert(
        {
          message_id: entry.messageId,
          kind: entry.kind,
          recipient: (entry.payload.to[0] ?? '').toLowerCase().slice(0, 320),
          payload_json: JSON.stringify(entry.payload),
          status: 'queued',
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
          updated_at: now
        },
        ['id']
      )
      return toId((row as Row).id)
    },

    async findById(id: number): Promise<OutboxRow | null> {
      const row = await db(TABLE).first('*').where('id', id)
      return row ? toRow(row) : null
    },

    async listByMessage(messageId: number): Promise<OutboxRow[]> {
      const rows: Row[] = await db(TABLE).select('*').where('message_id', messageId).orderBy('id')
      return rows.map(toRow)
    },

    /** How many mails of a kind went to an address since a moment (confirmation flood control). */
    async countSince(recipient: string, kind: OutboxKind, since: Date): Promise<number> {
      const row = await db(TABLE).count({ n: '*' }).where({ recipient: recipient.toLowerCase(), kind }).andWhere('created_at', '>=', since).first()
      return Number((row as Row | undefined)?.n ?? 0)
    },

    /** Ids of rows due for an attempt, oldest first. Claiming is a separate, atomic step. */
    async listDue(now: Date, limit: number): Promise<number[]> {
      const rows: Row[] = await db(TABLE)
        .select('id')
        .where((q) => q.whereIn('status', ['queued', 'retrying']).andWhere('next_attempt_at', '<=', now))
        .orWhere((q) => q.where('status', 'sending').andWhere('claim_expires_at', '<', now))
        .orderBy('id')
        .limit(limit)
      return rows.map((r) => toId(r.id))
    },

    /** Atomically takes a due row for this worker; false if another instance got it first. */
    async claim(id: number, owner: string, ttlMs: number, now: Date = new Date()): Promise<boolean> {
      const count = await db(TABLE)
        .where('id', id)
        .andWhere((q) =>
          q
            .where((d) => d.whereIn('status', ['queued', 'retrying']).andWhere('next_attempt_at', '<=', now))
            .orWhere((s) => s.where('status', 'sending').andWhere('claim_expires_at', '<', now))
        )
        .update({ status: 'sending', claimed_by: owner, claim_expires_at: new Date(now.getTime() + ttlMs), updated_at: now })
      return count > 0
    },

    async markSent(id: number, owner: string, smtpResponse: string, now: Date = new Date()): Promise<boolean> {
      const count = await db(TABLE)
        .where({ id, claimed_by: owner })
        .update({
          status: 'sent',
          sent_at: now,
          smtp_response: smtpResponse.slice(0, 2000),
          last_error: null,
          claimed_by: null,
          claim_expires_at: null,
          updated_at: now,
          attempts: db.raw('?? + 1', ['attempts'])
        })
      return count > 0
    },

    /** `countAttempt` false: held back (e.g. an attachment being scanned), not a failed delivery. */
    async markRetry(id: number, owner: string, error: string, nextAttemptAt: Date, now: Date = new Date(), countAttempt = true): Promise<boolean> {
      const count = await db(TABLE)
        .where({ id, claimed_by: owner })
        .update({
          status: 'retrying',
          last_error: error.slice(0, 2000),
          next_attempt_at: nextAttemptAt,
          claimed_by: null,
          claim_expires_at: null,
          updated_at: now,
          ...(countAttempt ? { attempts: db.raw('?? + 1', ['attempts']) } : {})
        })
      return count > 0
    },

    async markFailed(id: number, owner: string | null, error: string, now: Date = new Date()): Promise<boolean> {
      const query = db(TABLE).where('id', id)
      if (owner !== null) query.andWhere('claimed_by', owner)
      const count = await query.update({
        status: 'failed',
        last_error: error.slice(0, 2000),
        claimed_by: null,
        claim_expires_at: null,
        updated_at: now,
        attempts: db.raw('?? + 1', ['attempts'])
      })
      return count > 0
    },

    /** Every row waiting for a retry becomes due now (the relay is back); returns how many. */
    async retryNow(now: Date = new Date()): Promise<number> {
      return db(TABLE).where('status', 'retrying').andWhere('next_attempt_at', '>', now).update({ next_attempt_at: now, updated_at: now })
    },

    async countByStatus(): Promise<Record<string, number>> {
      const rows: Row[] = await db(TABLE).select('status').count({ n: '*' }).groupBy('status')
      return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]))
    }
  }
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>
