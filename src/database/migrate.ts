// Runs the module's own migrations against any Knex instance (the host's, or one made from DATABASE_URL).
// Several instances may start together on one empty database: the one that gets the migration lock (a session
// lock on PostgreSQL and SQL Server, Knex's own on SQLite) runs the migrations, the others wait for it and then
// find nothing left to do.
import type { Knex } from 'knex'
import { setTimeout as sleep } from 'node:timers/promises'
import { MIGRATIONS_TABLE, migrationSource } from '../../migrations/index.js'
import { withMigrationLock } from '../repositories/migration-lock.js'

/** Another process is migrating the same database right now (lock held, or its bookkeeping tables half made). */
function isConcurrentMigration(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string }
  if (e?.name === 'MigrationLocked') return true
  // PostgreSQL: duplicate table / duplicate type row while two CREATE TABLE race; SQLite: database locked
  if (e?.code === '42P07' || e?.code === '23505' || e?.code === 'SQLITE_BUSY') return true
  return /already exists|already locked/i.test(e?.message ?? '')
}

/** Runs `migrate` again while another process holds the migration lock, up to `waitMs`. */
export async function retryWhileMigrating<T>(knex: Knex, migrate: () => Promise<T>, waitMs = 120_000): Promise<T> {
  const deadline = Date.now() + waitMs
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await withMigrationLock(knex, migrate, waitMs)
    } catch (err) {
      if (!isConcurrentMigration(err) || Date.now() > deadline) throw err
      await sleep(delay + Math.floor(Math.random() * 100))
    }
  }
}

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await retryWhileMigrating(knex, () => knex.migrate.latest({ migrationSource, tableName: MIGRATIONS_TABLE }))) as [number, string[]]
  return applied
}

export async function migrateRollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ migrationSource, tableName: MIGRATIONS_TABLE }, true)
}
