// The module's migrations as a static, ordered list, so they run the same from TypeScript sources (tests),
// from compiled JavaScript (production) and from a host that bundles the module: no directory scanning.
import type { Knex } from 'knex'
import * as initial from './20261126000001_initial.js'
import * as open311 from './20261201001000_open311.js'
import * as areraClocks from './20261201003001_arera_clocks.js'
import * as spamList from './20261201005000_spam_list.js'
import * as privacy from './20261201004_privacy.js'
import * as templatesRelations from './20261201008001_templates_relations.js'
import * as mailboxOutgoing from './20261201007001_mailbox_outgoing.js'
import * as pecProvider from './20261201007002_pec_provider.js'
import * as mailboxFailures from './20261201002001_mailbox_failures.js'
import * as mailboxOnboarding from './20261201005100_mailbox_onboarding.js'
import * as mailboxVerp from './20261201011001_mailbox_verp.js'
import * as linkKind from './20261201011101_link_kind.js'
import * as senderAuthentication from './20261201012001_sender_authentication.js'
import * as notifications from './20261201013001_notifications.js'
import * as changeFeed from './20261201014001_change_feed.js'
import * as mailboxOAuth2 from './20261201014101_mailbox_oauth2.js'
import * as search from './20261201014501_search.js'
import * as worklist from './20261201015001_worklist.js'

interface Migration {
  up(knex: Knex): Promise<void>
  down(knex: Knex): Promise<void>
  /** `{ transaction: false }`: the migration runs outside a transaction (SQL Server's full-text DDL). */
  config?: { transaction?: boolean }
}

const migrations: ReadonlyArray<readonly [string, Migration]> = [
  ['20261126000001_initial', initial],
  ['20261201005000_spam_list', spamList],
  ['20261201004_privacy', privacy],
  ['20261201008001_templates_relations', templatesRelations],
  ['20261201007001_mailbox_outgoing', mailboxOutgoing],
  ['20261201001000_open311', open311],
  ['20261201007002_pec_provider', pecProvider],
  ['20261201003001_arera_clocks', areraClocks],
  ['20261201002001_mailbox_failures', mailboxFailures],
  ['20261201005100_mailbox_onboarding', mailboxOnboarding],
  ['20261201011001_mailbox_verp', mailboxVerp],
  ['20261201011101_link_kind', linkKind],
  ['20261201012001_sender_authentication', senderAuthentication],
  ['20261201013001_notifications', notifications],
  ['20261201014001_change_feed', changeFeed],
  ['20261201014101_mailbox_oauth2', mailboxOAuth2],
  ['20261201014501_search', search],
  ['20261201015001_worklist', worklist]
]

/** The knex table that records which of the module's migrations ran; separate from the host's own. */
export const MIGRATIONS_TABLE = 'trc_knex_migrations'

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration
}
