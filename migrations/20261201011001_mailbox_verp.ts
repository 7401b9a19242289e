// Whether a mailbox's mail leaves with a signed VERP return path (`local+trc-<outbox id>-<signature>@domain`) as its
// envelope sender, the only address a delivery failure report is believed at. Off for relays that refuse or rewrite
// a tagged envelope sender; PEC mailboxes never use it (see src/mail/verp.ts).
import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    t.boolean('verp').notNullable().defaultTo(true)
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    t.dropColumn('verp')
  })
}
