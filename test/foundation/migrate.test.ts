// Module instances migrating one PostgreSQL database at the same moment. Knex's own lock is taken inside the
// migration transaction after the pending list was read, so a second instance could replay a stale list and
// fail with "already exists"; the session lock makes it wait until the first is done and find nothing to do.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { createKnex, knexConfigFromUrl } from '../../src/database/connection.js'
import { migrateLatest } from '../../src/database/migrate.js'
import { withMigrationLock } from '../../src/repositories/migration-lock.js'
import { migrationSource } from '../../migrations/index.js'
import { createTestDatabase, isPostgres } from '../helpers/db.js'

const skip = isPostgres ? false : 'needs PostgreSQL (set DATABASE_URL)'

async function instances(t: { teardown(fn: () => unknown): void }, n: number) {
  const db = await createTestDatabase()
  t.teardown(() => db.destroy())
  const warnings: string[] = []
  const log = { warn: (m: unknown) => warnings.push(String(m)), error: (m: unknown) => warnings.push(String(m)) }
  const knexes = Array.from({ length: n }, () => createKnex({ ...knexConfigFromUrl(db.url, ''), log }))
  t.teardown(() => Promise.all(knexes.map((k) => k.destroy())))
  return { db, knexes, warnings }
}

t.test('an instance waits while another holds the migration lock', { skip }, async (t) => {
  const {
    db,
    knexes: [first, second],
    warnings
  } = await instances(t, 2)
  let release: () => void = () => undefined
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  const holder = withMigrationLock(first!, () => held)
  await sleep(200)
  let finished = false
  const waiting = migrateLatest(second!).then((list) => {
    finished = true
    return list
  })
  await sleep(1_000)
  t.equal(finished, false, 'the second instance is still waiting')
  t.equal(await db.knex.schema.hasTable('trc_knex_migrations'), false, 'and has not touched the database')
  release()
  await holder
  const all = (await migrationSource.getMigrations([])).length
  t.equal((await waiting).length, all, 'once the lock is free it applies every migration')
  t.same(warnings, [], 'no lock or failed-migration warnings')
})

t.test('two instances migrating together: one applies everything, the other nothing', { skip }, async (t) => {
  const {
    db,
    knexes: [a, b],
    warnings
  } = await instances(t, 2)
  const applied = await Promise.all([migrateLatest(a!), migrateLatest(b!)])
  const all = (await migrationSource.getMigrations([])).length
  t.same(
    applied.map((list) => list.length).sort((x, y) => y - x),
    [all, 0],
    'one applied every migration, the other none'
  )
  t.same(warnings, [], 'no lock or failed-migration warnings')
  t.equal(Number((await db.knex('trc_knex_migrations').count({ n: '*' }))[0]?.n), all, 'each migration recorded once')
})
