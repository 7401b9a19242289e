// The generic contributor is re-read when its cache expires. Inside a transaction (an archive import commits each
// batch in one) it must be read through that transaction: SQLite's pool has one connection, already held by the
// transaction, so a read on the root pool would wait for itself until Knex's acquire timeout.
import t from 'tap'
import { createGenericContributor, GENERIC_CONTRIBUTOR_SETTING } from '../../src/work-orders/generic-contributor.js'
import { internalsOf } from '../../src/internals.js'
import { startTestHost } from '../helpers/host.js'

t.test("an expired generic contributor is read inside the caller's transaction", async (t) => {
  const host = await startTestHost()
  t.teardown(() => host.close())
  const { repositories } = internalsOf(host.app.communications)
  const generic = createGenericContributor(repositories.settings, 1, 0) // ttl 0: every call reads the setting
  await repositories.settings.set(GENERIC_CONTRIBUTOR_SETTING, 7)
  const read = await repositories.transaction(async (tx) => {
    await tx.settings.set(GENERIC_CONTRIBUTOR_SETTING, 9) // uncommitted: only this transaction sees it
    return generic.get(tx.settings)
  })
  t.equal(read, 9, 'read through the transaction (its own uncommitted value), not the root pool')
  t.equal(await generic.get(), 9, 'and committed with it')
})
