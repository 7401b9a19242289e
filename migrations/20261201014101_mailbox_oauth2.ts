// OAuth2 sign-in for mailboxes: the provider and client (secret encrypted), the refresh token the administrator's
// consent produced (encrypted), the delegate a shared mailbox signs in as; and the consents still under way (state
// and PKCE verifier kept server-side, single use, expiring).
import type { Knex } from 'knex'

const ts = (t: Knex.CreateTableBuilder, name: string) => t.datetime(name, { precision: 3 })

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    t.string('auth_method', 16).notNullable().defaultTo('password')
    t.string('oauth_provider', 16).nullable()
    t.string('oauth_tenant', 255).nullable()
    t.string('oauth_issuer', 1000).nullable()
    t.string('oauth_client_id', 500).nullable()
    t.text('oauth_client_secret_encrypted').nullable()
    t.string('oauth_scopes', 2000).nullable()
    t.string('oauth_delegate', 320).nullable()
    t.text('oauth_refresh_token_encrypted').nullable()
    ts(t, 'oauth_connected_at').nullable()
  })
  await knex.schema.createTable('trc_oauth_pending', (t) => {
    // SHA-256 of the state: the value itself only travels through the browser
    t.string('state_hash', 64).primary()
    t.integer('mailbox_id').notNullable().references('id').inTable('trc_mailboxes').onDelete('CASCADE')
    t.text('code_verifier_encrypted').notNullable()
    t.string('redirect_uri', 2000).notNullable()
    t.string('operator_id', 200).notNullable()
    // where the administrator's browser goes back to afterwards (a path on the host), if anywhere
    t.string('return_to', 2000).nullable()
    ts(t, 'expires_at').notNullable()
    ts(t, 'created_at').notNullable()
  })
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('trc_oauth_pending')
  await knex.schema.alterTable('trc_mailboxes', (t) => {
    for (const column of [
      'auth_method',
      'oauth_provider',
      'oauth_tenant',
      'oauth_issuer',
      'oauth_client_id',
      'oauth_client_secret_encrypted',
      'oauth_scopes',
      'oauth_delegate',
      'oauth_refresh_token_encrypted',
      'oauth_connected_at'
    ])
      t.dropColumn(column)
  })
}
