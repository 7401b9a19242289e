// Bad options fail at registration with a message that names the problem; the host keeps its own routes.
import t from 'tap'
import Fastify from 'fastify'
import communications from '../../src/plugin.js'
import { HOST_MAPPING, buildHostApp } from '../../example-host/app.js'
import { migrateHost } from '../../example-host/migrations.js'
import { migrationSource } from '../../migrations/index.js'
import { seedIfEmpty } from '../../example-host/seed.js'
import { createTestDatabase } from '../helpers/db.js'
import { TEST_SECRET } from '../helpers/host.js'
import type { CommunicationsOptions } from '../../src/plugin.js'

t.test('registration-time validation', async (t) => {
  const db = await createTestDatabase()
  t.teardown(() => db.destroy())
  await migrateHost(db.knex)
  await seedIfEmpty(db.knex, 220, 10)
  const base: CommunicationsOptions = {
    knex: db.knex,
    mapping: HOST_MAPPING,
    genericContributorId: 1,
    authorize: () => null,
    secret: TEST_SECRET,
    mail: { startWorkers: false }
  }

  async function registrationError(options: Partial<CommunicationsOptions> | Record<string, unknown>): Promise<Error> {
    const app = Fastify()
    app.register(communications, { ...base, ...options } as CommunicationsOptions)
    try {
      await app.ready()
    } catch (err) {
      await app.close().catch(() => undefined)
      return err as Error
    }
    await app.close()
    throw new Error('registration unexpectedly succeeded')
  }

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'missing mapping column',
      { mapping: { ...HOST_MAPPING, contributors: { ...HOST_MAPPING.contributors, emails: ['email', 'email_tre'] } } },
      /mapping\.contributors\.emails\[1\].*"email_tre".*does not exist in table "contribuenti"/
    ],
    [
      'unknown table',
      { mapping: { ...HOST_MAPPING, workOrders: { ...HOST_MAPPING.workOrders, table: 'ordini' } } },
      /mapping\.workOrders\.table.*"ordini", which does not exist/
    ],
    ['generic contributor that does not exist', { genericContributorId: 424242 }, /genericContributorId.*424242.*no contributor/],
    ['short secret', { secret: 'short' }, /"secret" must be a string of at least 32 characters/],
    ['no authorize hook', { authorize: undefined }, /"authorize" must be a function/],
    [
      'injection in a column name',
      { mapping: { ...HOST_MAPPING, contributors: { ...HOST_MAPPING.contributors, id: 'id; drop table x' } } },
      /mapping\.contributors\.id.*not a valid/
    ],
    [
      'unknown state name',
      { mapping: { ...HOST_MAPPING, workOrders: { ...HOST_MAPPING.workOrders, statuses: { open: 'A', closed: 'C', archived: 'X' } } } },
      /statuses\.archived.*not a module state/
    ],
    [
      'missing closed state',
      { mapping: { ...HOST_MAPPING, workOrders: { ...HOST_MAPPING.workOrders, statuses: { open: 'A' } } } },
      /statuses\.closed.*required/
    ],
    ['antivirus without clamd', { antivirus: {} }, /option "antivirus\.clamd" is required: "tcp:\/\/host:port" or a socket path/],
    [
      'antivirus with a bad clamd URL',
      { antivirus: { clamd: 'http://clamd:3310' } },
      /option "antivirus\.clamd" expected tcp:\/\/host:port or a socket path, got "http:\/\/clamd:3310"/
    ],
    ['retention shorter than a day', { retention: { quarantineDays: 0 } }, /option "retention\.quarantineDays" must be a positive number of days/],
    ['retention at a bad hour', { retention: { hour: 24 } }, /option "retention\.hour" must be an hour 0–23 \(Europe\/Rome\) or null/],
    [
      'antivirus with a bad poll interval',
      { antivirus: { clamd: 'tcp://127.0.0.1:3310', pollMs: 0 } },
      /option "antivirus\.pollMs" must be a positive integer/
    ],
    ['bad locale', { locale: 'fr' }, /"locale" must be "it" or "en"/],
    ['bad IMAP URL', { mail: { mailboxes: [{ url: 'http://x' }] } }, /mail\.mailboxes\[0\]\.url/],
    [
      'bad outgoing server of a mailbox',
      { mail: { mailboxes: [{ url: `imap://u:p@h/INBOX?smtp=${encodeURIComponent('http://relay')}` }] } },
      /mail\.mailboxes\[0\]\.url" has a \?smtp= parameter that is not/
    ],
    ['no database', { knex: undefined }, /"knex" is required/],
    ['change feed polled too often', { live: { pollMs: 5 } }, /option "live\.pollMs" must be an integer number of milliseconds between 20 and 5000/],
    ['heartbeat not a number', { live: { heartbeatMs: '15s' as unknown as number } }, /option "live\.heartbeatMs" must be an integer/],
    ['directory storage without a directory', { attachments: { type: 'directory' } }, /attachments\.directory/]
  ]
  for (const [name, options, message] of cases) {
    t.test(name, async (t) => {
      const err = await registrationError(options)
      t.equal(err.name, 'OptionsError')
      t.match(err.message, message)
    })
  }

  t.test('the host keeps serving its own routes when the module fails to register', async (t) => {
    const { app, moduleError } = await buildHostApp({ knex: db.knex, module: { secret: 'too-short' } })
    await app.ready()
    t.teardown(() => app.close())
    t.match(moduleError()?.message, /secret/)
    const login = await app.inject({ url: '/login' })
    t.equal(login.statusCode, 200)
    t.match(login.body, /Accesso operatori/)
    const api = await app.inject({ url: '/api/communications/work-orders/1', headers: { authorization: 'Bearer demo-admin' } })
    t.equal(api.statusCode, 404, 'module routes are simply absent')
    const page = await app.inject({ url: '/work-orders/1', headers: { authorization: 'Bearer demo-admin' } })
    t.equal(page.statusCode, 200)
    t.match(page.body, /Il modulo Comunicazioni non è disponibile/)
  })

  t.test('migrations are idempotent and use their own table', async (t) => {
    const app = Fastify()
    await app.register(communications, base)
    await app.ready()
    await app.close()
    const app2 = Fastify()
    await app2.register(communications, base)
    await app2.ready()
    await app2.close()
    const rows = await db.knex('trc_knex_migrations').select('name')
    const all = (await migrationSource.getMigrations([])).map((m) => migrationSource.getMigrationName(m))
    t.equal(all[0], '20261126000001_initial')
    t.same(
      rows.map((r: { name: string }) => r.name),
      all,
      "each of the module's migrations ran once, in order"
    )
    const host = await db.knex('garbage_migrations').select('name')
    t.same(
      host.map((r: { name: string }) => r.name),
      ['20261101000001_garbage_schema', '20261201002001_demo_seed'],
      'the host keeps its own migrations table'
    )
  })
})
