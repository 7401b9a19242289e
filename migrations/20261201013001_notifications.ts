// Notifications (issue 12): who follows a work order (whoever answered it, or clicked "segui"), what each follower
// was told (a citizen's reply, a failed delivery, a request due tomorrow), and each operator's choice of an email.
import type { Knex } from 'knex'

const ts = (t: Knex.CreateTableBuilder, name: string) => t.datetime(name, { precision: 3 })

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trc_followers', (t) => {
    t.integer('work_order_id').notNullable()
    t.string('operator_id', 200).notNullable()
    t.string('operator_name', 200).nullable()
    t.string('reason', 20).notNullable()
    ts(t, 'created_at').notNullable()
    t.primary(['work_order_id', 'operator_id'])
    t.index(['operator_id'])
  })
  await knex.schema.createTable('trc_notifications', (t) => {
    t.increments('id').primary()
    t.string('operator_id', 200).notNullable()
    t.integer('work_order_id').notNullable()
    t.string('kind', 30).notNullable()
    t.string('detail', 1000).nullable()
    ts(t, 'created_at').notNullable()
    ts(t, 'read_at').nullable()
    ts(t, 'emailed_at').nullable()
    t.index(['operator_id', 'read_at'])
    t.index(['emailed_at', 'operator_id'])
    t.index(['work_order_id', 'kind'])
  })
  await knex.schema.createTable('trc_operator_settings', (t) => {
    t.string('operator_id', 200).notNullable().primary()
    t.string('email', 320).nullable()
    t.string('locale', 5).notNullable().defaultTo('it')
    t.boolean('email_notifications').notNullable().defaultTo(false)
    ts(t, 'updated_at').notNullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('trc_operator_settings')
  await knex.schema.dropTableIfExists('trc_notifications')
  await knex.schema.dropTableIfExists('trc_followers')
}
