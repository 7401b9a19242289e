// The operators' worklist: when each conversation last moved, when the citizen last wrote and when an operator last
// replied (kept by the message repository as messages are written, src/repositories/conversation-state.ts, so the
// queues compare columns and "last activity" pages on an index instead of aggregating every message), and the indexes the
// queues walk: due date and activity with the id as tie-breaker (keyset paging), and per work order the
// conversation by direction (who spoke last), delivery failures and the mailbox written to.
import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.datetime('last_activity_at', { precision: 3 }).nullable()
    t.datetime('last_inbound_at', { precision: 3 }).nullable()
    t.datetime('last_reply_at', { precision: 3 }).nullable()
  })
  // existing conversations: their latest message, else the receipt
  await knex('trc_work_order_meta').update({
    last_activity_at: knex('trc_messages as x').max('x.created_at').where('x.work_order_id', knex.ref('trc_work_order_meta.work_order_id'))
  })
  // who spoke last, with the definitions the repositories keep it by (src/repositories/conversation-state.ts)
  const latest = (filter: (q: Knex.QueryBuilder) => Knex.QueryBuilder) =>
    filter(knex('trc_messages as x').max('x.created_at').where('x.work_order_id', knex.ref('trc_work_order_meta.work_order_id')))
  await knex('trc_work_order_meta').update({
    last_inbound_at: latest((q) => q.where('x.direction', 'inbound').andWhere('x.channel', '<>', 'note').whereNull('x.automatic_kind')),
    last_reply_at: latest((q) =>
      q
        .where('x.direction', 'outbound')
        .andWhere('x.channel', '<>', 'note')
        .andWhere('x.meta_json', 'like', '{"kind":"reply"%')
        .andWhere((d) => d.whereNull('x.delivery_status').orWhere('x.delivery_status', '<>', 'failed'))
    )
  })
  await knex('trc_work_order_meta')
    .whereNull('last_activity_at')
    .update({ last_activity_at: knex.ref('received_at') })
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.index(['last_activity_at', 'work_order_id'], 'trc_wo_meta_activity_idx')
    t.index(['due_date', 'work_order_id'], 'trc_wo_meta_due_id_idx')
    t.index(['received_at', 'work_order_id'], 'trc_wo_meta_received_id_idx')
  })
  await knex.schema.alterTable('trc_messages', (t) => {
    t.index(['work_order_id', 'direction', 'created_at'], 'trc_messages_wo_direction_idx')
    t.index(['delivery_status', 'work_order_id'], 'trc_messages_delivery_idx')
    t.index(['mailbox_id', 'work_order_id'], 'trc_messages_mailbox_wo_idx')
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_messages', (t) => {
    t.dropIndex(['work_order_id', 'direction', 'created_at'], 'trc_messages_wo_direction_idx')
    t.dropIndex(['delivery_status', 'work_order_id'], 'trc_messages_delivery_idx')
    t.dropIndex(['mailbox_id', 'work_order_id'], 'trc_messages_mailbox_wo_idx')
  })
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.dropIndex(['last_activity_at', 'work_order_id'], 'trc_wo_meta_activity_idx')
    t.dropIndex(['due_date', 'work_order_id'], 'trc_wo_meta_due_id_idx')
    t.dropIndex(['received_at', 'work_order_id'], 'trc_wo_meta_received_id_idx')
  })
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.dropColumn('last_activity_at')
    t.dropColumn('last_inbound_at')
    t.dropColumn('last_reply_at')
  })
}
