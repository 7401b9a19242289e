// A Knex instance of a given dialect that records SQL instead of running it: lets us check what SQL Server
// would receive from every migration and repository query without a SQL Server on this machine.
import knexFactory, { type Knex } from 'knex'

export interface RecordedQuery {
  sql: string
  bindings: readonly unknown[]
  method: string
}

/** A row that answers any column with 1, so repository code can read inserted ids and counts. */
const anyRow = new Proxy({}, { get: (_t, key) => (key === 'then' ? undefined : key === 'content' || key === 'raw' ? Buffer.from('x') : 1) })

export function recordingKnex(client: 'mssql' | 'pg' | 'better-sqlite3'): { knex: Knex; queries: RecordedQuery[] } {
  const queries: RecordedQuery[] = []
  const knex = knexFactory({ client, useNullAsDefault: true, connection: {} })
  const c = knex.client as unknown as Record<string, unknown>
  c.acquireConnection = async () => ({})
  c.releaseConnection = async () => undefined
  c._query = async (_conn: unknown, obj: { sql: string; bindings?: unknown[]; method?: string; response?: unknown }) => {
    queries.push({ sql: obj.sql, bindings: obj.bindings ?? [], method: obj.method ?? 'raw' })
    return obj
  }
  c.processResponse = (obj: { method?: string; returning?: unknown }) => {
    switch (obj.method) {
      case 'first':
        return anyRow
      case 'select':
      case 'pluck':
        return []
      case 'insert':
        return [anyRow]
      case 'update':
      case 'del':
      case 'counter':
        return 1
      default:
        // schema checks (hasTable) answer through their `output`: as if nothing existed yet
        return typeof (obj as { output?: unknown }).output === 'function' ? (obj as { output: (r: unknown[]) => unknown }).output([]) : []
    }
  }
  return { knex, queries }
}
