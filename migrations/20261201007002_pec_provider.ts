// The PEC provider of a PEC mailbox (the domain its receipts come from, `posta-certificata@<domain>`); null: the
// registrable domain of the mailbox's IMAP or SMTP host.
import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    t.string('pec_provider_domain', 255).nullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    t.dropColumn('pec_provider_domain')
  })
}
