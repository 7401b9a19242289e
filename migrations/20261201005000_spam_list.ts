// The spam list (mail the receiving server flagged, or from blocked senders) and the operators' block rules.
import type { Knex } from 'knex'

const ts = (t: Knex.CreateTableBuilder, name: string) => t.datetime(name, { precision: 3 })

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trc_spam', (t) => {
    t.increments('id').primary()
    t.integer('mailbox_id').nullable().references('id').inTable('trc_mailboxes').onDelete('SET NULL')
    t.string('uid_validity', 32).nullable()
    t.bigInteger('imap_uid').nullable()
    t.string('dedupe_key', 64).notNullable()
    t.text('message_id').nullable()
    t.string('from_address', 320).nullable()
    t.text('subject').nullable()
    t.text('reason').notNullable()
    t.bigInteger('size').notNullable()
    t.binary('raw').notNullable()
    ts(t, 'received_at').notNullable()
    ts(t, 'created_at').notNullable()
    ts(t, 'released_at').nullable()
    t.string('released_by', 200).nullable()
    t.integer('released_message_id').nullable()
    t.index(['dedupe_key'], 'trc_spam_dedupe_idx')
    t.index(['released_at', 'id'], 'trc_spam_open_idx')
  })
  await knex.schema.createTable('trc_blocked_senders', (t) => {
    t.increments('id').primary()
    // a whole address (`a@b.it`) or a domain (`@b.it`), lower case
    t.string('pattern', 320).notNullable().unique({ indexName: 'trc_blocked_senders_pattern_uq' })
    t.string('created_by', 200).nullable()
    ts(t, 'created_at').notNullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('trc_blocked_senders')
  await knex.schema.dropTableIfExists('trc_spam')
}
