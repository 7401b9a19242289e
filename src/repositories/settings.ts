// Module settings an administrator can change at run time (e.g. the generic contributor).
import type { Knex } from 'knex'
import { parseJson, type Row } from './normalize.js'

const TABLE = 'trc_settings'

export function createSettingsRepository(db: Knex | Knex.Transaction) {
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const row: Row | undefined = await db(TABLE).first('value_json').where('key', key)
      return row ? parseJson<T | undefined>(row.value_json, undefined) : undefined
    },

    /** Insert-or-update without `onConflict`, which SQL Server's Knex dialect does not support. */
    async set(key: string, value: unknown, now: Date = new Date()): Promise<void> {
      const valueJson = JSON.stringify(value)
      const updated = await db(TABLE).where('key', key).update({ value_json: valueJson, updated_at: now })
      if (updated === 0) await db(TABLE).insert({ key, value_json: valueJson, updated_at: now })
    }
  }
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>
