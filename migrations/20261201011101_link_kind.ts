// What a link between work orders says: 'related' (an operator linked them) or 'possibly_related' (the ingest
// found a mail naming another conversation's Message-ID from a sender outside it, and left the judgement to an
// operator, who confirms it by linking the pair or dismisses it by removing the link).
import type { Knex } from 'knex'

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_work_order_links', (t) => {
    t.string('kind', 20).notNullable().defaultTo('related')
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_work_order_links', (t) => {
    t.dropColumn('kind')
  })
}
