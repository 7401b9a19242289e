// The conversation store: every inbound, outbound and internal message of every work order.
import type { Knex } from 'knex'
import type { Channel, DeliveryStatus, Direction, Message, SenderMatch } from '../types.js'
import { isIndexed, searchDocument } from '../domain/search-text.js'
import { noteWrittenMessage, raise, recomputeConversationState } from './conversation-state.js'
import { parseJson, toDate, toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'
import { indexNewMessage } from './search.js'

export interface NewMessage {
  workOrderId: number | null
  contributorId: number | null
  mailboxId?: number | null
  direction: Direction
  channel: Channel
  messageId: string | null
  /** sha256 of the Message-ID (or of a synthetic key): unique, so the same mail is never stored twice. */
  dedupeKey: string
  inReplyTo?: string | null
  references?: string[]
  from: string | null
  fromName?: string | null
  to: string[]
  cc: string[]
  subject: string | null
  html: string | null
  text: string | null
  deliveryStatus?: DeliveryStatus | null
  automaticKind?: string | null
  senderMatch?: SenderMatch | null
  senderCandidates?: number[]
  operator?: { id: string; name: string } | null
  imapUid?: number | null
  meta?: Record<string, unknown>
  receivedAt?: Date | null
  createdAt: Date
}

export interface MessageSearch {
  messageId?: string
  messageIdHash?: string
  from?: string
  workOrderId?: number
  limit?: number
}

const TABLE = 'trc_messages'

export function toMessage(row: Row): Omit<Message, 'attachments'> {
  const operatorId = toStr(row.operator_id)
  return {
    id: toId(row.id),
    workOrderId: toOptionalId(row.work_order_id),
    contributorId: toOptionalId(row.contributor_id),
    mailboxId: toOptionalId(row.mailbox_id),
    direction: String(row.direction) as Direction,
    channel: String(row.channel) as Channel,
    messageId: toStr(row.message_id),
    inReplyTo: toStr(row.in_reply_to),
    references: parseJson<string[]>(row.references_json, []),
    from: toStr(row.from_address),
    fromName: toStr(row.from_name),
    to: parseJson<string[]>(row.to_json, []),
    cc: parseJson<string[]>(row.cc_json, []),
    subject: toStr(row.subject),
    html: toStr(row.html),
    text: toStr(row.text),
    createdAt: toIso(row.created_at) ?? new Date(0).toISOString(),
    receivedAt: toIso(row.received_at),
    deliveryStatus: (toStr(row.delivery_status) as DeliveryStatus | null) ?? null,
    deliveryError: toStr(row.delivery_error),
    automaticKind: toStr(row.automatic_kind),
    senderMatch: (toStr(row.sender_match) as SenderMatch | null) ?? null,
    senderCandidates: parseJson<number[]>(row.sender_candidates_json, []),
    operator: operatorId ? { id: operatorId, name: toStr(row.operator_name) } : null,
    meta: parseJson<Record<string, unknown>>(row.meta_json, {})
  }
}

export function createMessageRepository(db: Knex | Knex.Transaction) {
  return {
    /** Stores a message and its search document (subject, sender, body). */
    async insert(message: NewMessage): Promise<number> {
      const [row] = await db(TABLE).insert(
        {
          work_order_id: message.workOrderId,
          contributor_id: message.contributorId,
          mailbox_id: message.mailboxId ?? null,
          direction: message.direction,
          channel: message.channel,
          message_id: message.messageId,
          dedupe_key: message.dedupeKey,
          in_reply_to: message.inReplyTo ?? null,
          references_json: message.references && message.references.length > 0 ? JSON.stringify(message.references) : null,
          from_address: message.from,
          from_name: message.fromName ?? null,
          to_json: JSON.stringify(message.to),
          cc_json: JSON.stringify(message.cc),
          subject: message.subject,
          html: message.html,
          text: message.text,
          delivery_status: message.deliveryStatus ?? null,
          automatic_kind: message.automaticKind ?? null,
          sender_match: message.senderMatch ?? null,
          sender_candidates_json: message.senderCandidates?.length ? JSON.stringify(message.senderCandidates) : null,
          operator_id: message.operator?.id ?? null,
          operator_name: message.operator?.name ?? null,
          imap_uid: message.imapUid ?? null,
          meta_json: message.meta ? JSON.stringify(message.meta) : null,
          received_at: message.receivedAt ?? null,
          created_at: message.createdAt
        },
        ['id']
      )
      const id = toId((row as Row).id)
      // the search index follows in the same transaction: a rolled-back message leaves no document
      if (isIndexed(message.meta)) {
        const { subject, from, text, html } = message
        await indexNewMessage(db, id, searchDocument({ subject, from, fromName: message.fromName ?? null, text, html, attachmentNames: [] }))
      }
      if (message.workOrderId !== null) {
        await noteWrittenMessage(db, {
          workOrderId: message.workOrderId,
          direction: message.direction,
          channel: message.channel,
          automaticKind: message.automaticKind ?? null,
          metaJson: message.meta ? JSON.stringify(message.meta) : null,
          deliveryStatus: message.deliveryStatus ?? null,
          createdAt: message.createdAt
        })
      }
      return id
    },

    async findById(id: number): Promise<Omit<Message, 'attachments'> | null> {
      const row = await db(TABLE).first('*').where('id', id)
      return row ? toMessage(row) : null
    },

    /** Messages by id (in chunks: SQL Server takes at most 2100 parameters per statement). */
    async findByIds(ids: readonly number[]): Promise<Array<Omit<Message, 'attachments'>>> {
      const unique = [...new Set(ids)]
      const out: Array<Omit<Message, 'attachments'>> = []
      for (let i = 0; i < unique.length; i += 500) {
        const rows: Row[] = await db(TABLE)
          .select('*')
          .whereIn('id', unique.slice(i, i + 500))
        out.push(...rows.map(toMessage))
      }
      return out
    },

    async findByDedupeKey(dedupeKey: string): Promise<Omit<Message, 'attachments'> | null> {
      const row = await db(TABLE).first('*').where('dedupe_key', dedupeKey)
      return row ? toMessage(row) : null
    },

    /** The content fingerprint of the message stored under this key: undefined when none is, null when it has none. */
    async findContentHash(dedupeKey: string): Promise<string | null | undefined> {
      const row = await db(TABLE).first('meta_json').where('dedupe_key', dedupeKey)
      if (!row) return undefined
      const hash = parseJson<Record<string, unknown>>(row.meta_json, {}).contentHash
      return typeof hash === 'string' ? hash : null
    },

    /** Whether a message with this key is stored (the ingest's dedupe check: no columns read). */
    async existsByDedupeKey(dedupeKey: string): Promise<boolean> {
      return (await db(TABLE).first('id').where('dedupe_key', dedupeKey)) !== undefined
    },

    /** Messages whose Message-ID hash is one of `keys`, newest first: the candidates a reply threads onto. */
    async findByDedupeKeys(keys: string[]): Promise<Array<Omit<Message, 'attachments'>>> {
      if (keys.length === 0) return []
      const rows: Row[] = await db(TABLE).select('*').whereIn('dedupe_key', keys.slice(0, 200)).orderBy('id', 'desc')
      return rows.map(toMessage)
    },

    /** The conversation of a work order, oldest first. */
    async listByWorkOrder(workOrderId: number): Promise<Array<Omit<Message, 'attachments'>>> {
      const rows: Row[] = await db(TABLE)
        .select('*')
        .where('work_order_id', workOrderId)
        .orderBy([
          { column: 'created_at', order: 'asc' },
          { column: 'id', order: 'asc' }
        ])
      return rows.map(toMessage)
    },

    async search(filter: MessageSearch): Promise<Array<Omit<Message, 'attachments'>>> {
      const query = db(TABLE).select('*')
      if (filter.messageIdHash) query.where('dedupe_key', filter.messageIdHash)
      if (filter.workOrderId !== undefined) query.where('work_order_id', filter.workOrderId)
      if (filter.from) query.whereRaw('LOWER(??) = ?', ['from_address', filter.from.trim().toLowerCase()])
      const rows: Row[] = await query.orderBy('id', 'asc').limit(filter.limit ?? 200)
      return rows.map(toMessage)
    },

    async setMessageId(id: number, messageId: string, dedupeKey: string): Promise<void> {
      await db(TABLE).where('id', id).update({ message_id: messageId, dedupe_key: dedupeKey })
    },

    /** `onlyFrom`: change it only while the status is one of these (a late "sent" never hides a PEC receipt). */
    async setDeliveryStatus(id: number, status: DeliveryStatus, error: string | null = null, onlyFrom?: DeliveryStatus[]): Promise<boolean> {
      const query = db(TABLE).where('id', id)
      if (onlyFrom) query.whereIn('delivery_status', onlyFrom)
      const changed = (await query.update({ delivery_status: status, delivery_error: error })) > 0
      // a refused reply answered nobody (and a retried one answers again): the worklist's "who spoke last" follows
      const row = changed ? await db(TABLE).first('work_order_id', 'direction').where('id', id) : undefined
      if (row && row.work_order_id !== null && row.work_order_id !== undefined && row.direction === 'outbound') {
        await recomputeConversationState(db, [toId(row.work_order_id)])
      }
      return changed
    },

    /** Moves messages (their attachments follow) to another work order: merge, undo, split. */
    async moveToWorkOrder(ids: readonly number[], workOrderId: number): Promise<void> {
      const previous: number[] = []
      for (let i = 0; i < ids.length; i += 1000) {
        const rows: Row[] = await db(TABLE)
          .distinct('work_order_id')
          .whereIn('id', ids.slice(i, i + 1000))
          .whereNotNull('work_order_id')
        previous.push(...rows.map((r) => toId(r.work_order_id)))
        await db(TABLE)
          .whereIn('id', ids.slice(i, i + 1000))
          .update({ work_order_id: workOrderId })
      }
      // both sides of the move: who spoke last may have changed on each
      await recomputeConversationState(db, [...previous, workOrderId])
      const latest = await db(TABLE).max({ at: 'created_at' }).where('work_order_id', workOrderId).first()
      const at = toDate((latest as Row | undefined)?.at)
      if (at) await raise(db, workOrderId, 'last_activity_at', at)
    },

    async assignContributor(id: number, contributorId: number): Promise<void> {
      await db(TABLE).where('id', id).update({ contributor_id: contributorId, sender_match: 'single' })
    },

    /** The most recent inbound message of a work order (its mailbox picks the signature of a template). */
    async lastInbound(workOrderId: number): Promise<Omit<Message, 'attachments'> | null> {
      const row = await db(TABLE)
        .first('*')
        .where({ work_order_id: workOrderId, direction: 'inbound' })
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' }
        ])
      return row ? toMessage(row) : null
    }
  }
}

export type MessageRepository = ReturnType<typeof createMessageRepository>
