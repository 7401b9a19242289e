// The change feed: one row per change an open browser should see (new mail, a reply, a delivery result, a state
// change, a merge…), appended in the transaction of the change itself. Every instance polls it by sequence and
// pushes what is new to its browsers (Server-Sent Events); no LISTEN/NOTIFY, so it works on SQLite, PostgreSQL and
// SQL Server alike. Rows are pruned after a day: the feed tells what changed, the other tables say what it is now.
import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trc_changes', (t) => {
    t.bigIncrements('seq').primary()
    // null: a change of the mailbox as a whole (spam list, quarantine), not of one work order
    t.integer('work_order_id').nullable()
    t.string('kind', 20).notNullable()
    t.datetime('created_at', { precision: 3 }).notNullable()
    t.index(['created_at'], 'trc_changes_created_at')
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('trc_changes')
}
