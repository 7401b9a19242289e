// Requests that came in through the Sportello On-line form or the SottoControllo app: where, what service,
// who to count for the per-address limit, and the latest public note (what Open311 calls status_notes).
import type { Knex } from 'knex'
import { toBool, toId, toIso, toStr, type Row } from './normalize.js'

export interface IntakeRequest {
  workOrderId: number
  reference: string
  channel: 'web' | 'app'
  serviceCode: string
  service: string | null
  address: string | null
  latitude: number | null
  longitude: number | null
  email: string | null
  mediaUrl: string | null
  clientName: string | null
  statusNotes: string | null
  submittedAt: string
  updatedAt: string
  /** An operator approved publishing the description, exact place and media (moderation). */
  publication: { approved: boolean; description: string | null; by: string | null; at: string | null }
}

/** A request as stored: the record's fields, with the submission time as a Date and no notes yet. */
export type NewIntakeRequest = Omit<IntakeRequest, 'statusNotes' | 'submittedAt' | 'updatedAt' | 'publication'> & { submittedAt: Date }

/** SQL Server takes at most 2100 parameters per statement: IN lists go in chunks of this size. */
const IN_LIST_CHUNK = 500

export interface IntakeRequestFilter {
  serviceCodes?: string[]
  from?: Date
  to?: Date
  limit: number
}

const TABLE = 'trc_intake_requests'

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}

function toRequest(row: Row): IntakeRequest {
  return {
    workOrderId: toId(row.work_order_id),
    reference: String(row.reference),
    channel: String(row.channel) as 'web' | 'app',
    serviceCode: String(row.service_code),
    service: toStr(row.service),
    address: toStr(row.address),
    latitude: toNumber(row.latitude),
    longitude: toNumber(row.longitude),
    email: toStr(row.email),
    mediaUrl: toStr(row.media_url),
    clientName: toStr(row.client_name),
    statusNotes: toStr(row.status_notes),
    submittedAt: toIso(row.submitted_at) ?? '',
    updatedAt: toIso(row.updated_at) ?? toIso(row.submitted_at) ?? '',
    publication: {
      approved: toBool(row.publication_approved),
      description: toStr(row.public_description),
      by: toStr(row.publication_by),
      at: toIso(row.publication_at)
    }
  }
}

export function createIntakeRequestRepository(db: Knex | Knex.Transaction) {
  return {
    async insert(r: NewIntakeRequest): Promise<void> {
      await db(TABLE).insert({
        work_order_id: r.workOrderId,
        reference: r.reference,
        channel: r.channel,
        service_code: r.serviceCode,
        service: r.service,
        address: r.address,
        latitude: r.latitude,
        longitude: r.longitude,
        email: r.email,
        media_url: r.mediaUrl,
        client_name: r.clientName,
        status_notes: null,
        submitted_at: r.submittedAt,
        updated_at: r.submittedAt
      })
    },

    async find(workOrderId: number): Promise<IntakeRequest | null> {
      const row = await db(TABLE).first('*').where('work_order_id', workOrderId)
      return row ? toRequest(row) : null
    },

    async findByReference(reference: string): Promise<IntakeRequest | null> {
      const row = await db(TABLE).first('*').where('reference', reference)
      return row ? toRequest(row) : null
    },

    /** Submissions from an address since a moment (addresses are stored lower-cased). */
    async countByEmailSince(email: string, since: Date): Promise<number> {
      const row = await db(TABLE).count({ n: '*' }).where('email', email.trim().toLowerCase()).andWhere('submitted_at', '>=', since).first()
      return Number((row as Row | undefined)?.n ?? 0)
    },

    /** Newest first, at most `limit`. */
    async list(filter: IntakeRequestFilter): Promise<IntakeRequest[]> {
      const query = db(TABLE).select('*')
      if (filter.serviceCodes?.length) query.whereIn('service_code', filter.serviceCodes.slice(0, 100))
      if (filter.from) query.where('submitted_at', '>=', filter.from)
      if (filter.to) query.where('submitted_at', '<=', filter.to)
      const rows: Row[] = await query
        .orderBy([
          { column: 'submitted_at', order: 'desc' },
          { column: 'work_order_id', order: 'desc' }
        ])
        .limit(filter.limit)
      return rows.map(toRequest)
    },

    /** Every request named, newest first, however many (one statement per chunk of the list). */
    async listByReferences(references: readonly string[]): Promise<IntakeRequest[]> {
      const unique = [...new Set(references)]
      const out: IntakeRequest[] = []
      for (let i = 0; i < unique.length; i += IN_LIST_CHUNK) {
        const rows: Row[] = await db(TABLE)
          .select('*')
          .whereIn('reference', unique.slice(i, i + IN_LIST_CHUNK))
        out.push(...rows.map(toRequest))
      }
      return out.sort((a, b) => (a.submittedAt === b.submittedAt ? b.workOrderId - a.workOrderId : a.submittedAt < b.submittedAt ? 1 : -1))
    },

    async setPublication(workOrderId: number, p: { approved: boolean; description: string | null; by: string }, now: Date): Promise<void> {
      await db(TABLE).where('work_order_id', workOrderId).update({
        publication_approved: p.approved,
        public_description: p.description,
        publication_by: p.by,
        publication_at: now
      })
    },

    async setStatusNotes(workOrderId: number, notes: string, now: Date): Promise<void> {
      await db(TABLE).where('work_order_id', workOrderId).update({ status_notes: notes, updated_at: now })
    }
  }
}

export type IntakeRequestRepository = ReturnType<typeof createIntakeRequestRepository>
