// Per-mailbox failure tracking that survives a restart: which message keeps failing to ingest (and how often),
// since when the mailbox has been failing, whether the administrators were told, and the last error as a
// translatable key with its parameters (so health speaks the reader's language).
import type { Knex } from 'knex'

const STATE = 'trc_mailbox_state'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable(STATE, (t) => {
    t.bigInteger('failing_uid').nullable()
    t.integer('failing_count').notNullable().defaultTo(0)
    t.text('failing_error').nullable()
    t.datetime('failing_since', { precision: 3 }).nullable()
    t.datetime('alert_sent_at', { precision: 3 }).nullable()
    t.text('last_error_i18n').nullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable(STATE, (t) => {
    t.dropColumn('last_error_i18n')
    t.dropColumn('alert_sent_at')
    t.dropColumn('failing_since')
    t.dropColumn('failing_error')
    t.dropColumn('failing_count')
    t.dropColumn('failing_uid')
  })
}
