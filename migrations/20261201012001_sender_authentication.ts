// Which Authentication-Results header a mailbox believes (its receiving server's authserv-id; null: the topmost
// one), and whether senders that server did not authenticate still get a confirmation (never quoting their mail).
import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    t.string('authserv_id', 255).nullable()
    t.boolean('confirm_unauthenticated').notNullable().defaultTo(false)
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    t.dropColumn('authserv_id')
    t.dropColumn('confirm_unauthenticated')
  })
}
