// Where each conversation stands, kept on the work order's metadata as messages are written, so the worklist asks
// "who spoke last" with a column comparison instead of scanning every message: when the conversation last moved,
// when the citizen last wrote (inbound, not a note, not automatic mail) and when an operator last replied (an
// outbound `reply` that was not refused). The same definitions recompute the state after a move or a delivery result.
import type { Knex } from 'knex'

const META = 'trc_work_order_meta'
const MESSAGES = 'trc_messages'

/** The citizen's own messages. */
const citizenMessages = (q: Knex.QueryBuilder, alias: string) =>
  q.where(`${alias}.direction`, 'inbound').andWhere(`${alias}.channel`, '<>', 'note').whereNull(`${alias}.automatic_kind`)

/** Operators' replies that count as an answer: outbound rows store their kind first in meta_json (src/mail/outbound.ts). */
const answeringReplies = (q: Knex.QueryBuilder, alias: string) =>
  q
    .where(`${alias}.direction`, 'outbound')
    .andWhere(`${alias}.channel`, '<>', 'note')
    .andWhere(`${alias}.meta_json`, 'like', '{"kind":"reply"%')
    .andWhere((d) => d.whereNull(`${alias}.delivery_status`).orWhere(`${alias}.delivery_status`, '<>', 'failed'))

export interface WrittenMessage {
  workOrderId: number
  direction: string
  channel: string
  automaticKind: string | null
  metaJson: string | null
  deliveryStatus: string | null
  createdAt: Date
}

/** Moves a conversation's timestamp forward (never back). */
export async function raise(
  db: Knex | Knex.Transaction,
  workOrderId: number,
  column: 'last_activity_at' | 'last_inbound_at' | 'last_reply_at',
  at: Date
): Promise<void> {
  await db(META)
    .where('work_order_id', workOrderId)
    .andWhere((q) => q.whereNull(column).orWhere(column, '<', at))
    .update({ [column]: at })
}

/** After an insert: the conversation moved, and perhaps the citizen wrote or an operator replied. */
export async function noteWrittenMessage(db: Knex | Knex.Transaction, m: WrittenMessage): Promise<void> {
  await raise(db, m.workOrderId, 'last_activity_at', m.createdAt)
  if (m.direction === 'inbound' && m.channel !== 'note' && m.automaticKind === null) await raise(db, m.workOrderId, 'last_inbound_at', m.createdAt)
  const reply = m.direction === 'outbound' && m.channel !== 'note' && (m.metaJson ?? '').startsWith('{"kind":"reply"') && m.deliveryStatus !== 'failed'
  if (reply) await raise(db, m.workOrderId, 'last_reply_at', m.createdAt)
}

/** Recomputes who spoke last from the messages themselves (after a move, or a reply's delivery result). */
export async function recomputeConversationState(db: Knex | Knex.Transaction, workOrderIds: readonly number[]): Promise<void> {
  const ids = [...new Set(workOrderIds)]
  for (let i = 0; i < ids.length; i += 1000) {
    const latest = (filter: (q: Knex.QueryBuilder, alias: string) => Knex.QueryBuilder) =>
      filter(
        db(`${MESSAGES} as x`)
          .max('x.created_at')
          .where('x.work_order_id', db.ref(`${META}.work_order_id`)),
        'x'
      )
    await db(META)
      .whereIn('work_order_id', ids.slice(i, i + 1000))
      .update({ last_inbound_at: latest(citizenMessages), last_reply_at: latest(answeringReplies) })
  }
}
