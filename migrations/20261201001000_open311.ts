// Open311 for real clients and a public side that protects people:
// - trc_work_order_meta.public_changed_at: the last change a citizen may see (state, public note, expected date,
//   publication), which Open311 shows as updated_datetime;
// - trc_intake_requests.publication_*: an operator's approval to publish a report's description, exact place and
//   media (by default only the category, the status and a coarse location are public), with the text approved.
import type { Knex } from 'knex'

const ts = (t: Knex.AlterTableBuilder, name: string) => t.datetime(name, { precision: 3 })

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    ts(t, 'public_changed_at').nullable()
  })
  await knex.schema.alterTable('trc_intake_requests', (t) => {
    t.boolean('publication_approved').notNullable().defaultTo(false)
    t.text('public_description').nullable()
    t.string('publication_by', 200).nullable()
    ts(t, 'publication_at').nullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_intake_requests', (t) => {
    t.dropColumn('publication_at')
    t.dropColumn('publication_by')
    t.dropColumn('public_description')
    t.dropColumn('publication_approved')
  })
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.dropColumn('public_changed_at')
  })
}
