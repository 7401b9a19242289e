// Knex configuration from a URL, shared by the example host, the CLI and the tests.
import type { Knex } from 'knex'
import knexFactory from 'knex'
import path from 'node:path'
import { TYPES } from 'tedious'

/**
 * `postgres://…` → pg; `mssql://user:pass@host:port/db` → SQL Server (DATETIME2 bindings);
 * anything else is a SQLite file path (better-sqlite3).
 */
export function knexConfigFromUrl(url: string | undefined, dataDir: string): Knex.Config {
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    return { client: 'pg', connection: url, pool: { min: 0, max: 10 } }
  }
  if (url && /^(mssql|sqlserver):\/\//.test(url)) {
    const u = new URL(url)
    return {
      client: 'mssql',
      connection: {
        server: u.hostname,
        port: u.port ? Number(u.port) : 1433,
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
        database: u.pathname.replace(/^\//, ''),
        options: {
          encrypt: u.searchParams.get('encrypt') !== 'false',
          trustServerCertificate: u.searchParams.get('trustServerCertificate') === 'true',
          mapBinding: mssqlDateTime2Binding
        }
      },
      pool: { min: 0, max: 10 }
    }
  }
  const filename = url ? url.replace(/^sqlite:(\/\/)?/, '') : path.join(dataDir, 'garbage.sqlite')
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      afterCreate(conn: { pragma(source: string): unknown; prepare(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        // Knex prepares every statement anew; the ingest runs the same few thousand times, so reuse them
        // (better-sqlite3 statements are reusable and re-prepare themselves after a schema change).
        const prepare = conn.prepare.bind(conn)
        const statements = new Map<string, unknown>()
        conn.prepare = (sql: string) => {
          let statement = statements.get(sql)
          if (statement === undefined) {
            if (statements.size >= 2000) statements.clear()
            statement = prepare(sql)
            statements.set(sql, statement)
          }
          return statement
        }
        // WAL lets readers proceed while the watcher writes; foreign keys are off by default in SQLite
        conn.pragma('journal_mode = WAL')
        // NORMAL in WAL mode: a committed transaction survives a process crash; only an OS crash may lose the last ones
        conn.pragma('synchronous = NORMAL')
        conn.pragma('foreign_keys = ON')
        conn.pragma('busy_timeout = 5000')
        done(null, conn)
      }
    }
  }
}

export function createKnex(config: Knex.Config): Knex {
  return knexFactory(config)
}

/**
 * Knex binds JS Dates as legacy DATETIME on SQL Server (3.33 ms steps, 1753 floor); the module's columns are
 * DATETIME2. Hosts that pass their own mssql Knex instance should set `connection.options.mapBinding` to this.
 */
export function mssqlDateTime2Binding(value: unknown): { value: unknown; type: unknown } | undefined {
  return value instanceof Date ? { value, type: TYPES.DateTime2 } : undefined
}
