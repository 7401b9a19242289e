// Antivirus state of every attachment, the quarantine that keeps infected files out of reach, and the marks the
// retention job leaves on what it anonymised.
import type { Knex } from 'knex'

const ts = (t: Knex.CreateTableBuilder, name: string) => t.datetime(name, { precision: 3 })

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_attachments', (t) => {
    // 'off' (no scanner configured when it arrived), 'pending', 'clean', 'infected', 'error'
    t.string('scan_status', 16).notNullable().defaultTo('off')
    t.string('scan_signature', 200).nullable()
    t.string('scan_error', 500).nullable()
    t.integer('scan_attempts').notNullable().defaultTo(0)
    ts(t, 'scan_next_at').nullable()
    ts(t, 'scanned_at').nullable()
    t.index(['scan_status', 'id'], 'trc_attachments_scan_idx')
  })

  // The bytes of infected attachments, moved out of the attachment store so no download or mail path can reach them.
  await knex.schema.createTable('trc_attachment_quarantine', (t) => {
    t.integer('attachment_id').primary().references('id').inTable('trc_attachments').onDelete('CASCADE')
    t.string('signature', 200).notNullable()
    t.binary('content').nullable()
    ts(t, 'created_at').notNullable()
  })

  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    // set when retention removed the personal data of a closed work order (the register fields stay)
    ts(t, 'anonymized_at').nullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.dropColumn('anonymized_at')
  })
  await knex.schema.dropTableIfExists('trc_attachment_quarantine')
  await knex.schema.alterTable('trc_attachments', (t) => {
    t.dropIndex(['scan_status', 'id'], 'trc_attachments_scan_idx')
    t.dropColumn('scan_status')
    t.dropColumn('scan_signature')
    t.dropColumn('scan_error')
    t.dropColumn('scan_attempts')
    t.dropColumn('scan_next_at')
    t.dropColumn('scanned_at')
  })
}
