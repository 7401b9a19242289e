// The example host as real processes (`example-host/server.ts`): two instances starting together on an empty
// database migrate and seed it once, and an instance killed with SIGKILL and started again resumes its own
// mailbox at once instead of waiting for its old lease to expire.
import t from 'tap'
import { createTestDatabase, isPostgres, type TestDatabase } from '../helpers/db.js'
import { startDovecot } from '../helpers/dovecot.js'
import { freePort } from '../helpers/free-port.js'
import { ready, startServer } from '../helpers/host-process.js'
import { buildMail } from '../helpers/mail.js'
import { waitFor } from '../helpers/wait.js'
import { migrationSource } from '../../migrations/index.js'

const count = async (db: TestDatabase, table: string) => Number((await db.knex(table).count({ n: '*' }).first())?.n)

t.test(
  'two instances starting together on an empty database migrate and seed it once',
  { skip: isPostgres ? false : 'needs PostgreSQL (set DATABASE_URL)' },
  async (t) => {
    const db = await createTestDatabase()
    t.teardown(() => db.destroy())
    const a = startServer(t, db, { PORT: String(await freePort()) })
    const b = startServer(t, db, { PORT: String(await freePort()) })
    await Promise.all([ready(a, 120_000), ready(b, 120_000)])
    t.equal(await count(db, 'contribuenti'), 220, 'the demo contributors, once')
    t.equal(Number((await db.knex('ordini_lavoro').count({ n: '*' }).whereNot('origine', 'COMUNICAZIONI').first())?.n), 320, 'the demo work orders, once')
    // the demo conversations, once: their two (disabled) mailboxes and Mario Rossi's first mail
    t.equal(await count(db, 'trc_mailboxes'), 2, 'the demo mailboxes, once')
    t.equal(
      Number((await db.knex('trc_messages').count({ n: '*' }).where('subject', "Mancata raccolta dell'umido in Via Roma 12").first())?.n),
      1,
      'the demo conversations, once'
    )
    t.equal(await count(db, 'garbage_migrations'), 2, 'host migrations recorded once')
    t.equal(await count(db, 'trc_knex_migrations'), (await migrationSource.getMigrations([])).length, 'module migrations recorded once')
    t.notMatch(a.output() + b.output(), /MigrationLocked|already exists/, 'no lock or race errors')
  }
)

t.test('killed with SIGKILL and started again, an instance resumes its own mailbox at once', async (t) => {
  const user = 'riavvio@garbage.example.test'
  const dovecot = await startDovecot({ users: { [user]: 'pw' }, t })
  const db = await createTestDatabase()
  t.teardown(() => db.destroy())
  const env = { PORT: String(await freePort()), IMAP_URL: dovecot.url(user), MAIL_FROM: 'tari@garbage.example.test' }
  // the mailbox IMAP_URL registered (the demo's own mailboxes are there too, disabled)
  const state = () =>
    db.knex('trc_mailbox_state').first('state', 'lease_owner').whereIn('mailbox_id', db.knex('trc_mailboxes').select('id').where('username', user))
  const first = startServer(t, db, env)
  await ready(first, 120_000)
  const idle = await waitFor(state, (s) => s?.state === 'idle', 20_000, 'idle')
  first.child.kill('SIGKILL')
  await first.exited
  const second = startServer(t, db, env)
  await ready(second)
  await dovecot.append(user, await buildMail({ from: 'mario.rossi@example.test', to: user, subject: 'Dopo il kill', text: 'x' }))
  // the old lease lasts 30 s; a restarted instance with the same identity does not wait for it
  // the demo conversations are there already: wait for this very mail
  await waitFor(
    async () => Number((await db.knex('trc_messages').count({ n: '*' }).where('subject', 'Dopo il kill').first())?.n),
    (n) => n === 1,
    10_000,
    'the mail after the restart'
  )
  t.equal((await state())?.lease_owner, idle.lease_owner, 'the same instance identity holds the lease')
})
