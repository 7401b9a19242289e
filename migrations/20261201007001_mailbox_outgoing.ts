// Each mailbox may send through its own outgoing server (its SMTP URL, credentials included, encrypted at rest)
// and may be a PEC mailbox, whose receipts become the delivery status of the mail it sent.
import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    t.text('smtp_url_encrypted').nullable()
    t.boolean('pec').notNullable().defaultTo(false)
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    t.dropColumn('smtp_url_encrypted')
    t.dropColumn('pec')
  })
}
