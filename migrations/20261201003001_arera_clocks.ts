// ARERA (issue 13): the second clock of a work order (the service a written request also asks for), the
// territory whose calendar and standards apply, and why an operator left a request without a due date.
import type { Knex } from 'knex'

const ts = (t: Knex.AlterTableBuilder, name: string) => t.datetime(name, { precision: 3 })

const COLUMNS = [
  'territory',
  'no_due_date_reason',
  'suggested_service_type',
  'service_type',
  'service_inspection',
  'service_started_at',
  'service_due_date',
  'service_done_at',
  'service_miss_cause',
  'service_confirmed_at',
  'service_confirmed_by'
]

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.string('territory', 60).nullable()
    t.string('no_due_date_reason', 500).nullable()
    t.string('suggested_service_type', 48).nullable()
    // the second clock: a standard code (e.g. segnalazione_disservizio), set when an operator confirms it
    t.string('service_type', 48).nullable()
    t.boolean('service_inspection').notNullable().defaultTo(false)
    ts(t, 'service_started_at').nullable()
    t.date('service_due_date').nullable()
    ts(t, 'service_done_at').nullable()
    t.string('service_miss_cause', 32).nullable()
    ts(t, 'service_confirmed_at').nullable()
    t.string('service_confirmed_by', 200).nullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.dropColumns(...COLUMNS)
  })
}
