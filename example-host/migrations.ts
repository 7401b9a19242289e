// The example host's own schema: a tiny "Garbage" ERP with contributors and work orders. Names are
// deliberately Italian and different from the module's, as a real host's would be.
import type { Knex } from 'knex'
import { retryWhileMigrating } from '../src/database/migrate.js'
import { seedIfEmpty, type SeedSummary } from './seed.js'

const hostSchema = {
  async up(knex: Knex): Promise<void> {
    await knex.schema.createTable('contribuenti', (t) => {
      t.increments('id_contribuente').primary()
      t.string('nominativo', 200).notNullable()
      t.string('codice_fiscale', 16).nullable()
      t.string('email', 320).nullable()
      t.string('email_secondaria', 320).nullable()
      t.string('pec', 320).nullable()
      t.string('indirizzo', 300).nullable()
      t.string('comune', 100).nullable()
      t.string('codice_utente', 20).nullable()
      t.boolean('generico').notNullable().defaultTo(false)
      t.index(['email'], 'contribuenti_email_idx')
      t.index(['email_secondaria'], 'contribuenti_email2_idx')
      t.index(['pec'], 'contribuenti_pec_idx')
      t.index(['codice_fiscale'], 'contribuenti_cf_idx')
    })
    await knex.schema.createTable('ordini_lavoro', (t) => {
      t.increments('id_odl').primary()
      t.integer('id_contribuente').notNullable().references('id_contribuente').inTable('contribuenti')
      t.string('tipo_odl', 40).nullable()
      t.string('stato', 20).notNullable()
      t.string('oggetto', 500).notNullable()
      t.text('descrizione').nullable()
      t.datetime('data_apertura', { precision: 3 }).notNullable()
      t.string('origine', 30).notNullable().defaultTo('SPORTELLO')
      t.index(['id_contribuente'], 'ordini_lavoro_contribuente_idx')
      t.index(['stato'], 'ordini_lavoro_stato_idx')
    })
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTableIfExists('ordini_lavoro')
    await knex.schema.dropTableIfExists('contribuenti')
  }
}

/**
 * The demo data is a migration of its own, so that two instances starting together on an empty database seed it
 * once: Knex's migration lock lets one run it (in its transaction) and the other find it done.
 */
function demoSeed(seed: ((knex: Knex) => Promise<void>) | null) {
  return {
    async up(knex: Knex): Promise<void> {
      if (seed) await seed(knex)
    },
    async down(): Promise<void> {}
  }
}

const SCHEMA = '20261101000001_garbage_schema'
const SEED = '20261201002001_demo_seed'

function hostMigrationSource(seed: ((knex: Knex) => Promise<void>) | null): Knex.MigrationSource<string> {
  return {
    getMigrations: async () => [SCHEMA, SEED],
    getMigrationName: (name) => name,
    getMigration: async (name) => (name === SCHEMA ? hostSchema : demoSeed(seed))
  }
}

/**
 * Creates the host's tables; with `seed`, fills an empty database with the demo data once (returns what it
 * seeded, or null when it found data or another instance did it).
 */
export async function migrateHost(knex: Knex, options: { seed?: boolean } = {}): Promise<SeedSummary | null> {
  let seeded: SeedSummary | null = null
  const source = hostMigrationSource(
    options.seed
      ? async (trx) => {
          seeded = await seedIfEmpty(trx)
        }
      : null
  )
  await retryWhileMigrating(knex, () => knex.migrate.latest({ migrationSource: source, tableName: 'garbage_migrations' }))
  return seeded
}
