// Canned answers and signatures (issue 12), links and merges between work orders, and the likely-duplicate flag.
// The ARERA reasoned reply ("risposta motivata", DESIGN.md §6) is seeded as a shared template in Italian and
// English: the elements the regulator requires, with the parts only the operator can write as required fields.
import type { Knex } from 'knex'

const ts = (t: Knex.CreateTableBuilder, name: string) => t.datetime(name, { precision: 3 })

const REASONED_REPLY_IT = [
  '<p>Gentile {{contribuente.nome}},</p>',
  '<p><strong>Oggetto: risposta motivata alla Sua richiesta rif. {{riferimento}}</strong> ({{richiesta.tipo}})</p>',
  '<p>con riferimento alla Sua richiesta pervenuta il {{richiesta.ricevutaIl}} tramite {{richiesta.canale}}, avente oggetto «{{ordine.oggetto}}», Le comunichiamo quanto segue.</p>',
  '<h3>Esito della verifica</h3>',
  '<p>Dall’esame della Sua richiesta, la stessa risulta {{campo.esito}} per i seguenti motivi: {{campo.motivazione}}</p>',
  '<p>Riferimenti: {{campo.riferimenti}}</p>',
  '<h3>Azioni correttive e tempi</h3>',
  '<p>{{campo.azioni}}</p>',
  '<h3>Documenti allegati</h3>',
  '{{allegati}}',
  '<h3>Per ulteriori chiarimenti</h3>',
  '<p>Per ogni chiarimento può rivolgersi a {{operatore.nome}} ({{operatore.email}}), citando il riferimento {{riferimento}}.</p>',
  '<p>Cordiali saluti,<br>{{operatore.nome}}</p>'
].join('\n')

const REASONED_REPLY_EN = [
  '<p>Dear {{contribuente.nome}},</p>',
  '<p><strong>Subject: reasoned reply to your request ref. {{riferimento}}</strong> ({{richiesta.tipo}})</p>',
  '<p>With reference to your request received on {{richiesta.ricevutaIl}} through {{richiesta.canale}}, subject “{{ordine.oggetto}}”, we reply as follows.</p>',
  '<h3>Outcome of our assessment</h3>',
  '<p>Having examined your request, we consider it {{campo.esito}} for the following reasons: {{campo.motivazione}}</p>',
  '<p>References: {{campo.riferimenti}}</p>',
  '<h3>Corrective actions and timing</h3>',
  '<p>{{campo.azioni}}</p>',
  '<h3>Attached documents</h3>',
  '{{allegati}}',
  '<h3>Further information</h3>',
  '<p>For any clarification you may contact {{operatore.nome}} ({{operatore.email}}), quoting reference {{riferimento}}.</p>',
  '<p>Kind regards,<br>{{operatore.nome}}</p>'
].join('\n')

const FIELDS_IT = [
  { name: 'esito', label: 'Esito (fondata / parzialmente fondata / non fondata)', required: true },
  { name: 'motivazione', label: 'Motivazione', required: true },
  { name: 'riferimenti', label: 'Riferimenti (regolamento TARI, carta della qualità, avviso n. …)', required: false },
  { name: 'azioni', label: 'Azioni correttive e tempi', required: true }
]
const FIELDS_EN = [
  { name: 'esito', label: 'Outcome (founded / partly founded / unfounded)', required: true },
  { name: 'motivazione', label: 'Reasons', required: true },
  { name: 'riferimenti', label: 'References (TARI regulation, quality charter, invoice no. …)', required: false },
  { name: 'azioni', label: 'Corrective actions and timing', required: true }
]

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trc_templates', (t) => {
    t.increments('id').primary()
    // 'shared' (administrators keep them, everyone uses them) or 'personal' (one operator's own)
    t.string('scope', 16).notNullable()
    t.string('owner_id', 100).nullable()
    t.string('name', 200).notNullable()
    t.string('lang', 2).notNullable()
    t.text('html').notNullable()
    t.text('fields_json').notNullable()
    // choosing it marks the reply as the ARERA reasoned reply (stops the clock)
    t.boolean('reasoned_reply').notNullable().defaultTo(false)
    t.string('system_key', 64).nullable()
    t.string('updated_by', 200).nullable()
    ts(t, 'created_at').notNullable()
    ts(t, 'updated_at').notNullable()
    t.index(['scope', 'owner_id'], 'trc_templates_scope_idx')
  })

  // One signature per owner: 'mailbox:<id>' or 'operator:<id>'.
  await knex.schema.createTable('trc_signatures', (t) => {
    t.string('owner_key', 150).primary()
    t.text('html').notNullable()
    t.string('updated_by', 200).nullable()
    ts(t, 'updated_at').notNullable()
  })

  // Related work orders, one row per pair (the lower id first).
  await knex.schema.createTable('trc_work_order_links', (t) => {
    t.increments('id').primary()
    t.bigInteger('work_order_id').notNullable()
    t.bigInteger('linked_work_order_id').notNullable()
    t.string('created_by', 200).nullable()
    ts(t, 'created_at').notNullable()
    t.unique(['work_order_id', 'linked_work_order_id'], { indexName: 'trc_wo_links_pair_uq' })
    t.index(['linked_work_order_id'], 'trc_wo_links_linked_idx')
  })

  // A merge and what it moved, so that undo restores both work orders exactly.
  await knex.schema.createTable('trc_merges', (t) => {
    t.increments('id').primary()
    t.bigInteger('source_work_order_id').notNullable()
    t.bigInteger('target_work_order_id').notNullable()
    t.text('moved_json').notNullable()
    t.string('actor_id', 100).nullable()
    t.string('actor_name', 200).nullable()
    ts(t, 'created_at').notNullable()
    ts(t, 'undone_at').nullable()
    t.index(['source_work_order_id'], 'trc_merges_source_idx')
    t.index(['target_work_order_id'], 'trc_merges_target_idx')
  })

  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.bigInteger('merged_into_work_order_id').nullable()
    t.text('duplicate_candidates_json').nullable()
  })

  const now = new Date()
  await knex('trc_templates').insert([
    {
      scope: 'shared',
      owner_id: null,
      name: 'Risposta motivata ARERA',
      lang: 'it',
      html: REASONED_REPLY_IT,
      fields_json: JSON.stringify(FIELDS_IT),
      reasoned_reply: true,
      system_key: 'arera_reasoned_reply',
      updated_by: null,
      created_at: now,
      updated_at: now
    },
    {
      scope: 'shared',
      owner_id: null,
      name: 'ARERA reasoned reply',
      lang: 'en',
      html: REASONED_REPLY_EN,
      fields_json: JSON.stringify(FIELDS_EN),
      reasoned_reply: true,
      system_key: 'arera_reasoned_reply',
      updated_by: null,
      created_at: now,
      updated_at: now
    }
  ])
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_work_order_meta', (t) => {
    t.dropColumn('merged_into_work_order_id')
    t.dropColumn('duplicate_candidates_json')
  })
  for (const table of ['trc_merges', 'trc_work_order_links', 'trc_signatures', 'trc_templates']) await knex.schema.dropTableIfExists(table)
}
