// Archive imports of a mailbox's history: what was asked (since when, into the register or not) and how far it got.
import type { Knex } from 'knex'
import { toBool, toId, toIso, toStr, type Row } from './normalize.js'

export type ArchiveImportStatus = 'running' | 'done' | 'failed'

export interface ArchiveImport {
  id: number
  mailboxId: number
  since: string
  includeInRegister: boolean
  status: ArchiveImportStatus
  total: number
  done: number
  stored: number
  duplicates: number
  errors: number
  lastUid: number
  lastError: string | null
  requestedBy: string | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  updatedAt: string
}

export type ArchiveImportProgress = Partial<Pick<ArchiveImport, 'status' | 'total' | 'done' | 'stored' | 'duplicates' | 'errors' | 'lastUid' | 'lastError'>> & {
  finishedAt?: Date
}

const TABLE = 'trc_archive_imports'

function toImport(row: Row): ArchiveImport {
  return {
    id: toId(row.id),
    mailboxId: toId(row.mailbox_id),
    since: String(row.since),
    includeInRegister: toBool(row.include_in_register),
    status: String(row.status) as ArchiveImportStatus,
    total: Number(row.total),
    done: Number(row.done),
    stored: Number(row.stored),
    duplicates: Number(row.duplicates),
    errors: Number(row.errors),
    lastUid: Number(row.last_uid),
    lastError: toStr(row.last_error),
    requestedBy: toStr(row.requested_by),
    createdAt: toIso(row.created_at) ?? '',
    startedAt: toIso(row.started_at),
    finishedAt: toIso(row.finished_at),
    updatedAt: toIso(row.updated_at) ?? ''
  }
}

export function createArchiveImportRepository(db: Knex | Knex.Transaction) {
  return {
    async create(input: { mailboxId: number; since: string; includeInRegister: boolean; requestedBy: string | null }, now: Date): Promise<number> {
      const [row] = await db(TABLE).insert(
        {
          mailbox_id: input.mailboxId,
          since: input.since,
          include_in_register: input.includeInRegister,
          status: 'running',
          requested_by: input.requestedBy,
          created_at: now,
          started_at: now,
          updated_at: now
        },
        ['id']
      )
      return toId((row as Row).id)
    },

    async findById(id: number): Promise<ArchiveImport | null> {
      const row = await db(TABLE).first('*').where('id', id)
      return row ? toImport(row) : null
    },

    /** The mailbox's imports, newest first. */
    async listByMailbox(mailboxId: number, limit = 20): Promise<ArchiveImport[]> {
      return (await db(TABLE).select('*').where('mailbox_id', mailboxId).orderBy('id', 'desc').limit(limit)).map(toImport)
    },

    async listRunning(): Promise<ArchiveImport[]> {
      return (await db(TABLE).select('*').where('status', 'running').orderBy('id', 'asc')).map(toImport)
    },

    async update(id: number, progress: ArchiveImportProgress, now: Date): Promise<void> {
      const columns: Record<string, unknown> = { updated_at: now }
      const map = {
        status: 'status',
        total: 'total',
        done: 'done',
        stored: 'stored',
        duplicates: 'duplicates',
        errors: 'errors',
        lastUid: 'last_uid',
        lastError: 'last_error',
        finishedAt: 'finished_at'
      } as const
      for (const [key, column] of Object.entries(map)) {
        const value = progress[key as keyof ArchiveImportProgress]
        if (value !== undefined) columns[column] = key === 'lastError' && typeof value === 'string' ? value.slice(0, 4000) : value
      }
      await db(TABLE).where('id', id).update(columns)
    }
  }
}
