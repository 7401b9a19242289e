// A database-wide lock held while migrations run. Knex's own lock is taken inside the migration transaction,
// after the list of pending migrations was read: a second instance waiting on it gets it once the first commits
// and then replays the whole (stale) list, failing with "already exists". A session lock taken before Knex
// reads anything makes the second instance start only after the first is done, and find nothing to do.
import type { Knex } from 'knex'

/** Arbitrary constant shared by every instance of the module; the schema is the second key (one lock per schema). */
const PG_LOCK_CLASS = 731_042
const MSSQL_RESOURCE = 'trc_migrations'

type Dialect = 'pg' | 'mssql' | 'other'

function dialectOf(knex: Knex): Dialect {
  const client = String((knex.client as { config?: { client?: unknown } }).config?.client ?? '')
  if (client === 'pg' || client === 'postgres' || client === 'postgresql') return 'pg'
  if (client === 'mssql') return 'mssql'
  return 'other'
}

/**
 * Runs `fn` holding the migration lock on PostgreSQL (session advisory lock) and SQL Server (session applock);
 * on SQLite, one file served by one process, Knex's lock is enough and `fn` runs as it is.
 */
export async function withMigrationLock<T>(knex: Knex, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const dialect = dialectOf(knex)
  if (dialect === 'other') return fn()
  // The lock belongs to one session: hold one pooled connection for the whole run.
  const connection: unknown = await knex.client.acquireConnection()
  const onConnection = (sql: string, bindings: readonly Knex.Value[]) => knex.raw(sql, bindings).connection(connection)
  try {
    if (dialect === 'pg') {
      await onConnection(`set lock_timeout = ${Math.floor(timeoutMs)}`, [])
      await onConnection('select pg_advisory_lock(?, hashtext(current_schema()))', [PG_LOCK_CLASS])
    } else {
      const result = await onConnection(
        "declare @r int; exec @r = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = ?; select @r as r",
        [MSSQL_RESOURCE, Math.floor(timeoutMs)]
      )
      const rows = (Array.isArray(result) ? result : []) as Array<{ r?: number }>
      if ((rows[0]?.r ?? -1) < 0) throw new Error(`Migration lock ${MSSQL_RESOURCE} not obtained within ${timeoutMs} ms`)
    }
    try {
      return await fn()
    } finally {
      if (dialect === 'pg') await onConnection('select pg_advisory_unlock(?, hashtext(current_schema()))', [PG_LOCK_CLASS]).catch(() => undefined)
      else await onConnection("exec sp_releaseapplock @Resource = ?, @LockOwner = 'Session'", [MSSQL_RESOURCE]).catch(() => undefined)
    }
  } finally {
    if (dialect === 'pg') await onConnection('reset lock_timeout', []).catch(() => undefined)
    await knex.client.releaseConnection(connection)
  }
}
