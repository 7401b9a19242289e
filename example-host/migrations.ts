// The example host's own schema: a tiny "Garbage" ERP with contributors and work orders. Names are
// deliberately Italian and different from the module's, as a real host's would be.
import type { Knex } from 'knex'

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

export const hostMigrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => ['20261101000001_garbage_schema'],
  getMigrationName: (name) => name,
  getMigration: async () => hostSchema
}

export async function migrateHost(knex: Knex): Promise<void> {
  await knex.migrate.latest({ migrationSource: hostMigrationSource, tableName: 'garbage_migrations' })
}
