// Connecting a mailbox that already holds years of mail: by default only what arrives after the first connection
// is ingested (`initial_sync`), the state remembers when and from which UID; history comes in only by an archive
// import, whose progress is kept here; historical work orders stay out of the ARERA register unless included.
import type { Knex } from 'knex'

const ts = (t: Knex.CreateTableBuilder, name: string) => t.datetime(name, { precision: 3 })

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    // 'new-only' (default) or 'all' (everything in the folder is new contacts: only for a dedicated, empty mailbox)
    t.string('initial_sync', 16).notNullable().defaultTo('new-only')
  })
  await knex.schema.alterTable('trc_mailbox_state', (t) => {
    ts(t, 'onboarded_at').nullable()
    t.bigInteger('onboarded_uid').nullable()
  })
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.boolean('historical').notNullable().defaultTo(false)
    t.boolean('register_excluded').notNullable().defaultTo(false)
  })
  await knex.schema.createTable('trc_archive_imports', (t) => {
    t.increments('id').primary()
    t.integer('mailbox_id').notNullable().references('id').inTable('trc_mailboxes').onDelete('CASCADE')
    t.string('since', 10).notNullable()
    t.boolean('include_in_register').notNullable().defaultTo(false)
    t.string('status', 16).notNullable()
    t.integer('total').notNullable().defaultTo(0)
    t.integer('done').notNullable().defaultTo(0)
    t.integer('stored').notNullable().defaultTo(0)
    t.integer('duplicates').notNullable().defaultTo(0)
    t.integer('errors').notNullable().defaultTo(0)
    t.bigInteger('last_uid').notNullable().defaultTo(0)
    t.text('last_error').nullable()
    t.string('requested_by', 200).nullable()
    ts(t, 'created_at').notNullable()
    ts(t, 'started_at').nullable()
    ts(t, 'finished_at').nullable()
    ts(t, 'updated_at').notNullable()
    t.index(['mailbox_id', 'status'], 'trc_archive_imports_mailbox_idx')
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('trc_archive_imports')
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.dropColumn('register_excluded')
    t.dropColumn('historical')
  })
  await knex.schema.alterTable('trc_mailbox_state', (t) => {
    t.dropColumn('onboarded_uid')
    t.dropColumn('onboarded_at')
  })
  await knex.schema.alterTable('trc_mailboxes', (t) => t.dropColumn('initial_sync'))
}
