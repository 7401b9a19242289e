// The full-text index of the conversations. Every engine reads one table, trc_search_documents (one row per message:
// the folded text of its subject, sender, body and attachment names); what makes it searchable differs per database
// (migration 20261201013001): SQLite's FTS5 table kept by triggers, PostgreSQL's generated Italian tsvector, SQL
// Server's full-text index, or plain LIKE where there is no full-text engine. Writes happen in the caller's
// transaction (the message and attachment inserts, the erasure), so the index never disagrees with the messages.
import type { Knex } from 'knex'
import { attachmentLine, type MatchMode, type SearchTerm } from '../domain/search-text.js'
import type { HostMapping } from '../options.js'
import type { Channel, WorkOrderState } from '../types.js'
import { toId, toIso, toOptionalId, toStr, type Row } from './normalize.js'

export type SearchEngine = 'fts5' | 'postgres' | 'mssql' | 'like'

export interface SearchFilters {
  mailboxId?: number
  channel?: Channel
  /** The ARERA request type (trc_work_order_meta.arera_type). */
  type?: string
  /** The work order's state, as the module names it (mapped to the host's value). */
  status?: WorkOrderState
  since?: Date
  before?: Date
}

export interface SearchHit {
  id: number
  workOrderId: number | null
  direction: string
  channel: string
  subject: string | null
  from: string | null
  fromName: string | null
  text: string | null
  html: string | null
  createdAt: string | null
}

const TABLE = 'trc_search_documents'
const HIT_COLUMNS = ['id', 'work_order_id', 'direction', 'channel', 'subject', 'from_address', 'from_name', 'text', 'html', 'created_at']
const CHUNK = 1000

/** The match mode of each engine: what its query matched, so the snippet marks the same words. */
export const MATCH_MODES: Record<SearchEngine, MatchMode> = { fts5: 'token', postgres: 'stem', mssql: 'stem', like: 'substring' }

const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`
/** A LIKE pattern matching `text` literally anywhere (`!` escapes; `[` is a wildcard on SQL Server). */
const containing = (text: string) => `%${text.replace(/[!%_[]/g, '!$&')}%`
const wordsOf = (text: string) => text.match(/[\p{L}\p{N}]+/gu) ?? []

/** FTS5: each term a phrase (an address becomes its words in a row), implicit AND. */
const fts5Query = (terms: readonly SearchTerm[]) => terms.map((t) => quoted(t.text) + (t.prefix ? '*' : '')).join(' ')
/** SQL Server CONTAINS: inflectional forms (Italian word breaker and stemmer) of plain words, prefix terms, phrases. */
const containsQuery = (terms: readonly SearchTerm[]) =>
  terms
    .map((t) => (t.prefix ? `"${wordsOf(t.text).join(' ')}*"` : /^[\p{L}\p{N}]+$/u.test(t.text) ? `FORMSOF(INFLECTIONAL, ${t.text})` : quoted(t.text)))
    .join(' AND ')

/** The document of a new message, in the inserting transaction (nothing for an empty one). */
export async function indexNewMessage(db: Knex | Knex.Transaction, messageId: number, content: string): Promise<void> {
  if (content !== '') await db(TABLE).insert({ message_id: messageId, content })
}

/** A stored attachment's name joins its message's document. */
export async function indexAttachmentName(db: Knex | Knex.Transaction, messageId: number, filename: string): Promise<void> {
  const line = attachmentLine(filename)
  if (line === '') return
  const row = await db(TABLE).first('content').where('message_id', messageId)
  if (row)
    await db(TABLE)
      .where('message_id', messageId)
      .update({ content: `${String(row.content)}\n${line}` })
  else await db(TABLE).insert({ message_id: messageId, content: line })
}

/** Erasure and retention: these messages are no longer findable. */
export async function removeFromIndex(db: Knex | Knex.Transaction, messageIds: readonly number[]): Promise<void> {
  for (let i = 0; i < messageIds.length; i += CHUNK)
    await db(TABLE)
      .whereIn('message_id', messageIds.slice(i, i + CHUNK))
      .del()
}

export function createSearchRepository(db: Knex | Knex.Transaction, mapping: HostMapping) {
  const client = String((db.client as { config: { client?: unknown } }).config.client ?? '')
  const w = mapping.workOrders

  function matching(query: Knex.QueryBuilder, engine: SearchEngine, terms: readonly SearchTerm[], id: string): void {
    switch (engine) {
      case 'fts5':
        query.whereRaw('?? IN (SELECT rowid FROM trc_search_fts WHERE trc_search_fts MATCH ?)', [id, fts5Query(terms)])
        return
      case 'postgres': {
        // one tsquery, so a stop word ("con") drops out instead of failing its term; plainto_tsquery parses a word the
        // way to_tsvector did (an address stays one lexeme), the phrase of its words finds a part of one
        const parts = terms.map((t): [string, string[]] => {
          const words = wordsOf(t.text)
          if (t.prefix) return ["to_tsquery('italian', ?)", [words.map((x) => `${x}:*`).join(' & ')]]
          if (words.length === 1 && words[0] === t.text) return ["plainto_tsquery('italian', ?)", [t.text]]
          return ["(plainto_tsquery('italian', ?) || phraseto_tsquery('italian', ?))", [t.text, words.join(' ')]]
        })
        query.whereRaw(
          `d.document @@ (${parts.map(([sql]) => sql).join(' && ')})`,
          parts.flatMap(([, b]) => b)
        )
        return
      }
      case 'mssql':
        query.whereRaw('CONTAINS(d.content, ?)', [containsQuery(terms)])
        return
      case 'like':
        for (const t of terms) query.whereRaw("d.content LIKE ? ESCAPE '!'", [containing(t.text)])
    }
  }

  /**
   * The matching message ids as a query and its id column. Without filters the index alone answers (FTS5 its own
   * table, in rowid order); filters join the messages (FTS5: the messages alone, its rowid is the message id).
   */
  function matches(engine: SearchEngine, terms: readonly SearchTerm[], f: SearchFilters): { query: Knex.QueryBuilder; id: string } {
    const filtered = Object.values(f).some((v) => v !== undefined)
    if (!filtered) {
      if (engine === 'fts5') return { query: db('trc_search_fts').whereRaw('trc_search_fts MATCH ?', [fts5Query(terms)]), id: 'rowid' }
      const query = db(`${TABLE} as d`)
      matching(query, engine, terms, 'd.message_id')
      return { query, id: 'd.message_id' }
    }
    const query = engine === 'fts5' ? db('trc_messages as m') : db(`${TABLE} as d`).join('trc_messages as m', 'm.id', 'd.message_id')
    matching(query, engine, terms, 'm.id')
    if (f.mailboxId !== undefined) query.where('m.mailbox_id', f.mailboxId)
    if (f.channel !== undefined) query.where('m.channel', f.channel)
    if (f.since !== undefined) query.where('m.created_at', '>=', f.since)
    if (f.before !== undefined) query.where('m.created_at', '<', f.before)
    if (f.type !== undefined) query.whereIn('m.work_order_id', db('trc_work_order_meta').select('work_order_id').where('arera_type', f.type))
    if (f.status !== undefined) {
      const hostValue = w.statuses[f.status]
      if (hostValue === undefined) query.whereRaw('1 = 0')
      else query.whereIn('m.work_order_id', db(w.table).select(w.id).where(w.status, hostValue))
    }
    return { query, id: 'm.id' }
  }

  return {
    /** Which engine this database offers: decided by the migration (FTS5 compiled in, full-text installed). */
    async detectEngine(): Promise<SearchEngine> {
      if (client === 'pg' || client === 'postgres' || client === 'postgresql') return 'postgres'
      if (client === 'better-sqlite3' || client === 'sqlite3') {
        const row = await db('sqlite_master').first('name').where({ type: 'table', name: 'trc_search_fts' })
        return row ? 'fts5' : 'like'
      }
      if (client === 'mssql') {
        const row = await db.raw("SELECT OBJECTPROPERTY(OBJECT_ID('trc_search_documents'), 'TableHasActiveFulltextIndex') AS active")
        const active = (Array.isArray(row) ? (row[0] as Row | undefined) : undefined)?.active
        return Number(active) === 1 ? 'mssql' : 'like'
      }
      return 'like'
    },

    /** One page of hits, newest first (a stable order: every hit once across pages), and how many match. */
    async search(engine: SearchEngine, terms: readonly SearchTerm[], filters: SearchFilters, page: { limit: number; offset: number }) {
      const countRow = await matches(engine, terms, filters).query.count({ n: '*' }).first()
      const total = Number((countRow as Row | undefined)?.n ?? 0)
      if (total === 0 || page.offset >= total) return { total, hits: [] as SearchHit[] }
      const { query, id } = matches(engine, terms, filters)
      const ids = ((await query.select(`${id} as message_id`).orderBy(id, 'desc').limit(page.limit).offset(page.offset)) as Row[]).map((r) =>
        toId(r.message_id)
      )
      if (ids.length === 0) return { total, hits: [] as SearchHit[] }
      const byId = new Map<number, Row>()
      for (const r of (await db('trc_messages').select(HIT_COLUMNS).whereIn('id', ids)) as Row[]) byId.set(toId(r.id), r)
      const rows = ids.map((i) => byId.get(i)).filter((r): r is Row => r !== undefined)
      const hits = rows.map((r): SearchHit => ({
        id: toId(r.id),
        workOrderId: toOptionalId(r.work_order_id),
        direction: String(r.direction),
        channel: String(r.channel),
        subject: toStr(r.subject),
        from: toStr(r.from_address),
        fromName: toStr(r.from_name),
        text: toStr(r.text),
        html: toStr(r.html),
        createdAt: toIso(r.created_at)
      }))
      return { total, hits }
    }
  }
}
