// `npm run migrate`: applies the module's migrations to DATABASE_URL (or the SQLite file under DATA_DIR).
import { mkdirSync } from 'node:fs'
import { createKnex, knexConfigFromUrl } from '../database/connection.js'
import { migrateLatest } from '../database/migrate.js'

const dataDir = process.env.DATA_DIR ?? './data'
if (!process.env.DATABASE_URL) mkdirSync(dataDir, { recursive: true })
const knex = createKnex(knexConfigFromUrl(process.env.DATABASE_URL, dataDir))
try {
  const applied = await migrateLatest(knex)
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date')
} finally {
  await knex.destroy()
}
