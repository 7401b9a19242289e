// Runs the module's own migrations against any Knex instance (the host's, or one made from DATABASE_URL).
import type { Knex } from 'knex'
import { MIGRATIONS_TABLE, migrationSource } from '../migrations/index.js'

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource, tableName: MIGRATIONS_TABLE })) as [number, string[]]
  return applied
}

export async function migrateRollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ migrationSource, tableName: MIGRATIONS_TABLE }, true)
}
