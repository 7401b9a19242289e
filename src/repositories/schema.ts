// Schema introspection for option validation: which columns a host table has (null when it does not exist).
import type { Knex } from 'knex'

export async function tableColumns(db: Knex, table: string): Promise<Set<string> | null> {
  if (!(await db.schema.hasTable(table))) return null
  const info = await db(table).columnInfo()
  return new Set(Object.keys(info).map((c) => c.toLowerCase()))
}
