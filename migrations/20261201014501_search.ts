// Full-text search over the conversations: one folded document per message (src/domain/search-text.ts) and each
// database's own engine over it. SQLite: an FTS5 external-content table (unicode61, diacritics removed) kept by
// triggers. PostgreSQL: a generated tsvector with Italian stemming (accents folded by the application, so no
// unaccent extension is needed) under a GIN index. SQL Server: a full-text catalog (accent-insensitive) and an
// Italian full-text index, only where Full-Text Search is installed. Anything else searches with LIKE.
// Full-text DDL cannot run inside a transaction on SQL Server, so this migration runs without one and every
// step can run again after a failure.
import type { Knex } from 'knex'
import { isIndexed, searchDocument } from '../src/domain/search-text.js'

export const config = { transaction: false }

const TABLE = 'trc_search_documents'
const BATCH = 500
const clientOf = (knex: Knex) => String((knex.client as { config: { client?: unknown } }).config.client ?? '')
const isSqlite = (knex: Knex) => ['better-sqlite3', 'sqlite3'].includes(clientOf(knex))

async function backfill(knex: Knex): Promise<void> {
  await knex(TABLE).del()
  for (let after = 0; ;) {
    const messages: Array<Record<string, unknown>> = await knex('trc_messages')
      .select('id', 'subject', 'from_address', 'from_name', 'text', 'html', 'meta_json')
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
    if (messages.length === 0) return
    const ids = messages.map((m) => Number(m.id))
    after = ids[ids.length - 1] ?? after
    const names = new Map<number, string[]>()
    for (const a of await knex('trc_attachments').select('message_id', 'filename').whereIn('message_id', ids).orderBy('id')) {
      const list = names.get(Number(a.message_id)) ?? []
      list.push(String(a.filename))
      names.set(Number(a.message_id), list)
    }
    const str = (v: unknown) => (v === null || v === undefined ? null : String(v))
    const meta = (m: Record<string, unknown>) => (typeof m.meta_json === 'string' ? (JSON.parse(m.meta_json) as Record<string, unknown>) : null)
    const rows = messages
      .filter((m) => isIndexed(meta(m)))
      .map((m) => ({
        message_id: Number(m.id),
        content: searchDocument({
          subject: str(m.subject),
          from: str(m.from_address),
          fromName: str(m.from_name),
          text: str(m.text),
          html: str(m.html),
          attachmentNames: names.get(Number(m.id)) ?? []
        })
      }))
      .filter((r) => r.content !== '')
    // small batches keep long bodies (up to 100,000 characters each) far from any packet limit
    for (let i = 0; i < rows.length; i += 50) await knex(TABLE).insert(rows.slice(i, i + 50))
  }
}

async function sqliteHasFts5(knex: Knex): Promise<boolean> {
  const rows = (await knex.raw("SELECT sqlite_compileoption_used('ENABLE_FTS5') AS fts5")) as Array<{ fts5: number }>
  return Number(rows[0]?.fts5) === 1
}

export async function up(knex: Knex): Promise<void> {
  const client = clientOf(knex)
  if (!(await knex.schema.hasTable(TABLE))) {
    await knex.schema.createTable(TABLE, (t) => {
      t.integer('message_id').notNullable().references('id').inTable('trc_messages').onDelete('CASCADE')
      t.text('content').notNullable()
      t.primary(['message_id'], 'trc_search_documents_pkey')
    })
  }
  await backfill(knex)
  if (isSqlite(knex)) {
    if (!(await sqliteHasFts5(knex))) return
    await knex.raw(
      `CREATE VIRTUAL TABLE IF NOT EXISTS trc_search_fts USING fts5(content, content='${TABLE}', content_rowid='message_id', ` +
        "tokenize='unicode61 remove_diacritics 2')"
    )
    await knex.raw("INSERT INTO trc_search_fts(trc_search_fts) VALUES('rebuild')")
    await knex.raw(`CREATE TRIGGER IF NOT EXISTS trc_search_ai AFTER INSERT ON ${TABLE} BEGIN
      INSERT INTO trc_search_fts(rowid, content) VALUES (new.message_id, new.content); END`)
    await knex.raw(`CREATE TRIGGER IF NOT EXISTS trc_search_ad AFTER DELETE ON ${TABLE} BEGIN
      INSERT INTO trc_search_fts(trc_search_fts, rowid, content) VALUES ('delete', old.message_id, old.content); END`)
    await knex.raw(`CREATE TRIGGER IF NOT EXISTS trc_search_au AFTER UPDATE ON ${TABLE} BEGIN
      INSERT INTO trc_search_fts(trc_search_fts, rowid, content) VALUES ('delete', old.message_id, old.content);
      INSERT INTO trc_search_fts(rowid, content) VALUES (new.message_id, new.content); END`)
  } else if (client === 'pg' || client === 'postgres' || client === 'postgresql') {
    await knex.raw(`ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS document tsvector GENERATED ALWAYS AS (to_tsvector('italian', content)) STORED`)
    await knex.raw(`CREATE INDEX IF NOT EXISTS trc_search_documents_document ON ${TABLE} USING gin (document)`)
  } else if (client === 'mssql') {
    await knex.raw(`IF FULLTEXTSERVICEPROPERTY('IsFullTextInstalled') = 1
BEGIN
  IF NOT EXISTS (SELECT 1 FROM sys.fulltext_catalogs WHERE name = 'trc_search_catalog')
    EXEC('CREATE FULLTEXT CATALOG trc_search_catalog WITH ACCENT_SENSITIVITY = OFF');
  IF NOT EXISTS (SELECT 1 FROM sys.fulltext_indexes WHERE object_id = OBJECT_ID('${TABLE}'))
    EXEC('CREATE FULLTEXT INDEX ON ${TABLE} (content LANGUAGE 1040) KEY INDEX trc_search_documents_pkey ON trc_search_catalog WITH CHANGE_TRACKING AUTO');
END`)
  }
}

export async function down(knex: Knex): Promise<void> {
  const client = clientOf(knex)
  if (isSqlite(knex)) {
    for (const trigger of ['trc_search_ai', 'trc_search_ad', 'trc_search_au']) await knex.raw(`DROP TRIGGER IF EXISTS ${trigger}`)
    await knex.raw('DROP TABLE IF EXISTS trc_search_fts')
  } else if (client === 'mssql') {
    await knex.raw(`IF EXISTS (SELECT 1 FROM sys.fulltext_indexes WHERE object_id = OBJECT_ID('${TABLE}')) DROP FULLTEXT INDEX ON ${TABLE};
IF EXISTS (SELECT 1 FROM sys.fulltext_catalogs WHERE name = 'trc_search_catalog') DROP FULLTEXT CATALOG trc_search_catalog`)
  }
  await knex.schema.dropTableIfExists(TABLE)
}
