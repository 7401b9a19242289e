// Citizens' data: finding everything held about a contributor or an address, removing the personal part of
// expired work orders (the register fields in trc_work_order_meta and trc_clock_events are never touched), and
// purging the quarantines and the audit log.
import type { Knex } from 'knex'
import type { HostMapping } from '../options.js'
import { parseJson, toId, toOptionalId, toStr, type Row } from './normalize.js'
import { removeFromIndex } from './search.js'

export type PurgeKind = 'quarantine' | 'spam' | 'infected' | 'audit'

export interface StoredFileRef {
  id: number
  storage: string
  storageKey: string | null
}

/** Who a stored message involves, addresses bare and lowercased (`to`/`cc` may hold `"Name" <a@b.it>`). */
export interface Correspondence {
  id: number
  workOrderId: number | null
  direction: string
  channel: string
  from: string | null
  to: string[]
  cc: string[]
}

const CHUNK = 1000
const ids = (rows: Row[], column = 'id') => rows.map((r) => toId(r[column]))
const bare = (entry: string) => (/<([^<>]+)>\s*$/.exec(entry)?.[1] ?? entry).trim().toLowerCase()
const CORRESPONDENCE = ['id', 'work_order_id', 'direction', 'channel', 'from_address', 'to_json', 'cc_json']
const toCorrespondence = (r: Row): Correspondence => ({
  id: toId(r.id),
  workOrderId: toOptionalId(r.work_order_id),
  direction: String(r.direction),
  channel: String(r.channel),
  from: toStr(r.from_address)?.trim().toLowerCase() ?? null,
  to: parseJson<string[]>(r.to_json, []).map(bare),
  cc: parseJson<string[]>(r.cc_json, []).map(bare)
})
/** A LIKE pattern matching `text` literally anywhere (`!` escapes; `[` is a wildcard on SQL Server). */
const containing = (text: string) => `%${text.replace(/[!%_[]/g, '!$&')}%`

export function createPrivacyRepository(db: Knex | Knex.Transaction, mapping: HostMapping) {
  const w = mapping.workOrders
  /** `work` over `list` in chunks that keep IN lists under SQL Server's 2100-parameter limit; sums the counts. */
  async function eachChunk(list: number[], work: (part: number[]) => Promise<number>): Promise<number> {
    let n = 0
    for (let i = 0; i < list.length; i += CHUNK) n += await work(list.slice(i, i + CHUNK))
    return n
  }
  async function collect<T>(list: number[], query: (part: number[]) => Promise<T[]>): Promise<T[]> {
    const out: T[] = []
    for (let i = 0; i < list.length; i += CHUNK) out.push(...(await query(list.slice(i, i + CHUNK))))
    return out
  }

  function purgeQuery(kind: PurgeKind, before: Date): Knex.QueryBuilder {
    switch (kind) {
      case 'quarantine':
        return db('trc_quarantine').where('created_at', '<', before)
      case 'spam':
        return db('trc_spam').where('created_at', '<', before)
      case 'infected':
        return db('trc_attachment_quarantine').where('created_at', '<', before)
      case 'audit':
        // entries about a work order go only once that work order's personal data went (its retention is over)
        return db('trc_audit_log')
          .where('at', '<', before)
          .andWhere((q) => {
            q.whereNull('work_order_id').orWhereIn('work_order_id', db('trc_work_order_meta').select('work_order_id').whereNotNull('anonymized_at'))
          })
    }
  }

  return {
    async workOrderIdsByContributor(contributorId: number): Promise<number[]> {
      return ids(await db(w.table).select(`${w.id} as id`).where(w.contributorId, contributorId).orderBy(w.id))
    },

    /** Work orders with a message from this address or a Sportello/app request made with it. */
    async workOrderIdsByEmail(email: string): Promise<number[]> {
      const address = email.trim().toLowerCase()
      const fromMessages = ids(
        await db('trc_messages').distinct('work_order_id').whereRaw('LOWER(??) = ?', ['from_address', address]).whereNotNull('work_order_id'),
        'work_order_id'
      )
      const fromIntake = ids(await db('trc_intake_requests').select('work_order_id').whereRaw('LOWER(??) = ?', ['email', address]), 'work_order_id')
      return [...new Set([...fromMessages, ...fromIntake])].sort((a, b) => a - b)
    },

    /** Messages linked to the contributor or sent from the address that sit in none of `outside` work orders. */
    async looseMessageIds(by: { contributorId?: number; email?: string }, outside: number[]): Promise<number[]> {
      const q = db('trc_messages').select('id').orderBy('id')
      if (by.contributorId !== undefined) q.where('contributor_id', by.contributorId)
      if (by.email !== undefined) q.whereRaw('LOWER(??) = ?', ['from_address', by.email.trim().toLowerCase()])
      const all = ids(await q)
      if (outside.length === 0) return all
      const inside = new Set(await collect(outside, async (part) => ids(await db('trc_messages').select('id').whereIn('work_order_id', part))))
      return all.filter((id) => !inside.has(id))
    },

    /** Every message from this address or addressed (to, cc) to it, in a work order or not. */
    async messagesOfAddress(email: string): Promise<Correspondence[]> {
      const address = email.trim().toLowerCase()
      const pattern = containing(address)
      const rows: Row[] = await db('trc_messages')
        .select(CORRESPONDENCE)
        .where((q) => {
          q.whereRaw('LOWER(??) = ?', ['from_address', address])
            .orWhereRaw("LOWER(??) LIKE ? ESCAPE '!'", ['to_json', pattern])
            .orWhereRaw("LOWER(??) LIKE ? ESCAPE '!'", ['cc_json', pattern])
        })
        .orderBy('id')
      // LIKE also matches longer addresses containing this one (ann@x.it in joann@x.it): keep exact matches only
      return rows.map(toCorrespondence).filter((m) => m.from === address || m.to.includes(address) || m.cc.includes(address))
    },

    /** Senders and recipients of every message of these work orders. */
    async correspondenceOfWorkOrders(workOrderIds: number[]): Promise<Correspondence[]> {
      return collect(workOrderIds, async (part) =>
        (await db('trc_messages').select(CORRESPONDENCE).whereIn('work_order_id', part).orderBy('id')).map(toCorrespondence)
      )
    },

    /** Closed work orders registered before `registeredBefore` with no message since `quietSince`, not yet anonymised. */
    async listExpiredWorkOrders(registeredBefore: Date, quietSince: Date, limit: number): Promise<number[]> {
      const rows: Row[] = await db('trc_work_order_meta as m')
        .join(`${w.table} as h`, `h.${w.id}`, 'm.work_order_id')
        .select('m.work_order_id')
        .whereNull('m.anonymized_at')
        .andWhere('m.received_at', '<', registeredBefore)
        .andWhere(`h.${w.status}`, w.statuses.closed)
        .whereNotExists(
          db('trc_messages as x').select('x.id').whereRaw('?? = ??', ['x.work_order_id', 'm.work_order_id']).andWhere('x.created_at', '>=', quietSince)
        )
        .orderBy('m.work_order_id')
        .limit(limit)
      return ids(rows, 'work_order_id')
    },

    async messageIdsOfWorkOrders(workOrderIds: number[]): Promise<number[]> {
      return collect(workOrderIds, async (part) => ids(await db('trc_messages').select('id').whereIn('work_order_id', part).orderBy('id')))
    },

    async attachmentFilesOfMessages(messageIds: number[]): Promise<StoredFileRef[]> {
      return collect(messageIds, async (part) => {
        const rows: Row[] = await db('trc_attachments').select('id', 'storage', 'storage_key').whereIn('message_id', part).orderBy('id')
        return rows.map((r) => ({ id: toId(r.id), storage: String(r.storage), storageKey: toStr(r.storage_key) }))
      })
    },

    async countByStorageKey(storageKey: string): Promise<number> {
      const row = await db('trc_attachments').count({ n: '*' }).where('storage_key', storageKey).first()
      return Number(row?.n ?? 0)
    },

    /** Names, addresses, subjects, bodies, headers, their search documents: gone. Direction, channel, dates and delivery status stay. */
    async redactMessages(messageIds: number[]): Promise<number> {
      // what search indexed of them (subject, sender, body, attachment names) goes with them
      await removeFromIndex(db, messageIds)
      return eachChunk(messageIds, (part) =>
        db('trc_messages').whereIn('id', part).update({
          from_address: null,
          from_name: null,
          to_json: '[]',
          cc_json: '[]',
          subject: null,
          html: null,
          text: null,
          message_id: null,
          in_reply_to: null,
          references_json: null,
          delivery_error: null,
          sender_candidates_json: null,
          meta_json: null
        })
      )
    },

    async deleteAttachments(attachmentIds: number[]): Promise<number> {
      return eachChunk(attachmentIds, (part) => db('trc_attachments').whereIn('id', part).del())
    },

    /** Delivered or failed outbox rows of these messages (their payload repeats the mail). */
    async deleteSettledOutbox(messageIds: number[]): Promise<number> {
      return eachChunk(messageIds, (part) => db('trc_outbox').whereIn('message_id', part).whereIn('status', ['sent', 'failed']).del())
    },

    async redactIntake(workOrderIds: number[], now: Date): Promise<number> {
      return eachChunk(workOrderIds, (part) =>
        db('trc_intake_requests')
          .whereIn('work_order_id', part)
          // the published description was moderated, but it is still the citizen's text: it goes, and so does the publication
          .update({
            address: null,
            latitude: null,
            longitude: null,
            email: null,
            media_url: null,
            status_notes: null,
            public_description: null,
            publication_approved: false,
            updated_at: now
          })
      )
    },

    /** The audit trail stays (who did what, when); the details, which repeat addresses and names, go. */
    async redactAudit(workOrderIds: number[]): Promise<number> {
      return eachChunk(workOrderIds, (part) => db('trc_audit_log').whereIn('work_order_id', part).update({ details_json: null }))
    },

    /** Operators' notifications stay (they were told); their detail, a subject or an address, goes. */
    async redactNotifications(workOrderIds: number[]): Promise<number> {
      return eachChunk(workOrderIds, (part) => db('trc_notifications').whereIn('work_order_id', part).update({ detail: null }))
    },

    /** The host's description column (a copy of the citizen's text), when the mapping names one. */
    async clearHostDescriptions(workOrderIds: number[]): Promise<number> {
      const column = w.description
      if (!column) return 0
      return eachChunk(workOrderIds, (part) =>
        db(w.table)
          .whereIn(w.id, part)
          .update({ [column]: null })
      )
    },

    async markAnonymized(workOrderIds: number[], now: Date): Promise<number> {
      return eachChunk(workOrderIds, (part) => db('trc_work_order_meta').whereIn('work_order_id', part).update({ anonymized_at: now, updated_at: now }))
    },

    async countPurgeable(kind: PurgeKind, before: Date): Promise<number> {
      const row = await purgeQuery(kind, before).count({ n: '*' }).first()
      return Number((row as Row | undefined)?.n ?? 0)
    },

    async purge(kind: PurgeKind, before: Date): Promise<number> {
      return purgeQuery(kind, before).del()
    }
  }
}

export type PrivacyRepository = ReturnType<typeof createPrivacyRepository>
