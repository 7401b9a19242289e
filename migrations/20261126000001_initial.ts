// The module's own tables. Every name carries the `trc_` prefix so nothing collides with the host schema.
// Portability notes (SQL Server is the production target):
// - timestamps are datetime with precision 3: datetime2(3) on SQL Server, timestamp(3) on PostgreSQL;
// - long keys (Message-IDs) are never indexed directly: `dedupe_key` holds their sha256 in 64 chars;
// - unique columns are NOT NULL, because SQL Server allows a single NULL in a unique index;
// - host ids are integers (bigInteger) and carry no foreign key: the host owns those tables.
import type { Knex } from 'knex'

const ts = (t: Knex.CreateTableBuilder, name: string) => t.datetime(name, { precision: 3 })

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trc_mailboxes', (t) => {
    t.increments('id').primary()
    t.string('name', 200).notNullable()
    t.string('host', 255).notNullable()
    t.integer('port').notNullable()
    t.boolean('secure').notNullable().defaultTo(false)
    t.string('username', 320).notNullable()
    t.text('password_encrypted').notNullable()
    t.string('folder', 255).notNullable().defaultTo('INBOX')
    t.string('from_address', 320).nullable()
    t.string('from_name', 200).nullable()
    t.boolean('enabled').notNullable().defaultTo(true)
    t.string('move_to_folder', 255).nullable()
    t.integer('max_message_bytes').nullable()
    t.string('source', 16).notNullable().defaultTo('api')
    ts(t, 'created_at').notNullable()
    ts(t, 'updated_at').notNullable()
    t.unique(['host', 'port', 'username', 'folder'], { indexName: 'trc_mailboxes_account_uq' })
  })

  await knex.schema.createTable('trc_mailbox_state', (t) => {
    t.integer('mailbox_id').primary().references('id').inTable('trc_mailboxes').onDelete('CASCADE')
    t.string('uid_validity', 32).nullable()
    t.bigInteger('last_uid').notNullable().defaultTo(0)
    t.string('lease_owner', 100).nullable()
    ts(t, 'lease_expires_at').nullable()
    t.string('state', 32).notNullable().defaultTo('stopped')
    t.text('last_error').nullable()
    ts(t, 'last_error_at').nullable()
    ts(t, 'last_message_at').nullable()
    ts(t, 'updated_at').notNullable()
  })

  await knex.schema.createTable('trc_messages', (t) => {
    t.increments('id').primary()
    t.bigInteger('work_order_id').nullable()
    t.bigInteger('contributor_id').nullable()
    t.integer('mailbox_id').nullable().references('id').inTable('trc_mailboxes').onDelete('SET NULL')
    t.string('direction', 16).notNullable()
    t.string('channel', 16).notNullable()
    t.text('message_id').nullable()
    t.string('dedupe_key', 64).notNullable()
    t.text('in_reply_to').nullable()
    t.text('references_json').nullable()
    t.string('from_address', 320).nullable()
    t.string('from_name', 320).nullable()
    t.text('to_json').notNullable()
    t.text('cc_json').notNullable()
    t.text('subject').nullable()
    t.text('html').nullable()
    t.text('text').nullable()
    t.string('delivery_status', 16).nullable()
    t.text('delivery_error').nullable()
    t.string('automatic_kind', 32).nullable()
    t.string('sender_match', 16).nullable()
    t.text('sender_candidates_json').nullable()
    t.string('operator_id', 100).nullable()
    t.string('operator_name', 200).nullable()
    t.bigInteger('imap_uid').nullable()
    t.text('meta_json').nullable()
    ts(t, 'received_at').nullable()
    ts(t, 'created_at').notNullable()
    t.unique(['dedupe_key'], { indexName: 'trc_messages_dedupe_uq' })
    t.index(['work_order_id', 'created_at'], 'trc_messages_work_order_idx')
    t.index(['from_address'], 'trc_messages_from_idx')
    t.index(['created_at'], 'trc_messages_created_idx')
  })

  await knex.schema.createTable('trc_attachments', (t) => {
    t.increments('id').primary()
    t.integer('message_id').notNullable().references('id').inTable('trc_messages').onDelete('CASCADE')
    t.string('filename', 500).notNullable()
    t.string('content_type', 255).notNullable()
    t.bigInteger('size').notNullable()
    t.string('sha256', 64).notNullable()
    t.string('content_id', 500).nullable()
    t.boolean('inline').notNullable().defaultTo(false)
    t.string('storage', 16).notNullable()
    t.string('storage_key', 500).nullable()
    t.binary('content').nullable()
    ts(t, 'created_at').notNullable()
    t.index(['message_id'], 'trc_attachments_message_idx')
    t.index(['sha256'], 'trc_attachments_sha_idx')
  })

  await knex.schema.createTable('trc_work_order_meta', (t) => {
    t.bigInteger('work_order_id').primary()
    t.string('reference', 50).notNullable()
    t.string('arera_type', 48).nullable()
    t.string('suggested_type', 48).nullable()
    t.string('channel', 16).notNullable()
    t.string('service', 48).nullable()
    ts(t, 'received_at').notNullable()
    t.date('due_date').nullable()
    ts(t, 'reply_sent_at').nullable()
    t.integer('reply_message_id').nullable()
    t.string('miss_cause', 32).nullable()
    t.bigInteger('parent_work_order_id').nullable()
    t.string('public_token', 64).notNullable()
    // set when an operator confirms or changes the suggested ARERA type (PUT /work-orders/:id/classification)
    ts(t, 'type_confirmed_at').nullable()
    t.string('type_confirmed_by', 200).nullable()
    ts(t, 'created_at').notNullable()
    ts(t, 'updated_at').notNullable()
    t.unique(['reference'], { indexName: 'trc_wo_meta_reference_uq' })
    t.unique(['public_token'], { indexName: 'trc_wo_meta_token_uq' })
    t.index(['received_at'], 'trc_wo_meta_received_idx')
    t.index(['due_date'], 'trc_wo_meta_due_idx')
  })

  // ARERA clock events (suspend, resume, extend): the due date is recomputed from them, never edited by hand.
  await knex.schema.createTable('trc_clock_events', (t) => {
    t.increments('id').primary()
    t.bigInteger('work_order_id').notNullable()
    t.string('action', 16).notNullable()
    t.string('reason', 1000).notNullable()
    t.integer('days').nullable()
    ts(t, 'at').notNullable()
    t.string('actor_id', 100).nullable()
    t.string('actor_name', 200).nullable()
    t.index(['work_order_id', 'at'], 'trc_clock_events_wo_idx')
  })

  // One row per day the deadline digest went out: the primary key makes two instances send it once.
  await knex.schema.createTable('trc_digest_runs', (t) => {
    t.string('run_date', 10).primary()
    t.string('instance_id', 100).nullable()
    ts(t, 'created_at').notNullable()
  })

  await knex.schema.createTable('trc_outbox', (t) => {
    t.increments('id').primary()
    t.integer('message_id').nullable().references('id').inTable('trc_messages').onDelete('CASCADE')
    t.string('kind', 24).notNullable()
    // first recipient, lower-cased: lets the ingest cap confirmations per address per hour
    t.string('recipient', 320).notNullable()
    t.text('payload_json').notNullable()
    t.string('status', 16).notNullable()
    t.integer('attempts').notNullable().defaultTo(0)
    ts(t, 'next_attempt_at').notNullable()
    t.string('claimed_by', 100).nullable()
    ts(t, 'claim_expires_at').nullable()
    t.text('last_error').nullable()
    t.text('smtp_response').nullable()
    ts(t, 'sent_at').nullable()
    ts(t, 'created_at').notNullable()
    ts(t, 'updated_at').notNullable()
    t.index(['status', 'next_attempt_at'], 'trc_outbox_due_idx')
    t.index(['message_id'], 'trc_outbox_message_idx')
    t.index(['recipient', 'kind', 'created_at'], 'trc_outbox_recipient_idx')
  })

  await knex.schema.createTable('trc_quarantine', (t) => {
    t.increments('id').primary()
    t.integer('mailbox_id').nullable().references('id').inTable('trc_mailboxes').onDelete('SET NULL')
    t.string('uid_validity', 32).nullable()
    t.bigInteger('imap_uid').nullable()
    t.text('reason').notNullable()
    t.text('message_id').nullable()
    t.bigInteger('size').notNullable()
    t.binary('raw').nullable()
    t.string('raw_storage_key', 500).nullable()
    ts(t, 'created_at').notNullable()
    ts(t, 'resolved_at').nullable()
    t.index(['mailbox_id', 'created_at'], 'trc_quarantine_mailbox_idx')
  })

  await knex.schema.createTable('trc_audit_log', (t) => {
    t.increments('id').primary()
    ts(t, 'at').notNullable()
    t.string('actor_type', 16).notNullable()
    t.string('actor_id', 100).nullable()
    t.string('actor_name', 200).nullable()
    t.string('action', 64).notNullable()
    t.bigInteger('work_order_id').nullable()
    t.integer('message_id').nullable()
    t.text('details_json').nullable()
    t.index(['work_order_id', 'at'], 'trc_audit_work_order_idx')
    t.index(['at'], 'trc_audit_at_idx')
  })

  await knex.schema.createTable('trc_settings', (t) => {
    t.string('key', 100).primary()
    t.text('value_json').notNullable()
    ts(t, 'updated_at').notNullable()
  })

  // Requests from the Sportello On-line form and the SottoControllo app (Open311): place, service, the address
  // counted by the per-email limit, and the latest public note. The reference is copied here (it never changes)
  // so Open311 can list and find requests without touching the host's tables.
  await knex.schema.createTable('trc_intake_requests', (t) => {
    t.bigInteger('work_order_id').primary()
    t.string('reference', 50).notNullable()
    t.string('channel', 16).notNullable()
    t.string('service_code', 48).notNullable()
    t.string('service', 48).nullable()
    t.string('address', 300).nullable()
    t.decimal('latitude', 9, 6).nullable()
    t.decimal('longitude', 9, 6).nullable()
    t.string('email', 254).nullable()
    t.string('media_url', 1000).nullable()
    t.string('client_name', 100).nullable()
    t.text('status_notes').nullable()
    ts(t, 'submitted_at').notNullable()
    ts(t, 'updated_at').notNullable()
    t.unique(['reference'], { indexName: 'trc_intake_reference_uq' })
    t.index(['email', 'submitted_at'], 'trc_intake_email_idx')
    t.index(['submitted_at'], 'trc_intake_submitted_idx')
  })
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'trc_intake_requests',
    'trc_settings',
    'trc_audit_log',
    'trc_quarantine',
    'trc_outbox',
    'trc_digest_runs',
    'trc_clock_events',
    'trc_work_order_meta',
    'trc_attachments',
    'trc_messages',
    'trc_mailbox_state',
    'trc_mailboxes'
  ]) {
    await knex.schema.dropTableIfExists(table)
  }
}
