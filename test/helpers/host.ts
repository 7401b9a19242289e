// The example host on a fresh test database, with the module mounted: what most route tests start from.
import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import type { CommunicationsOptions } from '../../src/plugin.js'
import { buildHostApp, findGenericContributorId } from '../../example-host/app.js'
import { migrateHost } from '../../example-host/migrations.js'
import { seedIfEmpty } from '../../example-host/seed.js'
import { createTestDatabase, type TestDatabase } from './db.js'
import { checkResponsesAgainstSchemas } from './strict-responses.js'

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789'

export interface TestHost {
  app: FastifyInstance
  db: TestDatabase
  knex: Knex
  genericContributorId: number
  /** Contributor ids the contract names. */
  contributors: { marioRossi: number; bianchi: number[] }
  close(): Promise<void>
}

export const auth = (token: 'demo-admin' | 'demo-operator' | 'demo-viewer') => ({ authorization: `Bearer ${token}` })

/** `beforeModule` runs on the host app before the module loads (e.g. to add an onRoute hook that sees its routes). */
export async function startTestHost(
  module: Partial<CommunicationsOptions> = {},
  existing?: TestDatabase,
  beforeModule?: (app: FastifyInstance) => void
): Promise<TestHost> {
  const db = existing ?? (await createTestDatabase())
  await migrateHost(db.knex)
  await seedIfEmpty(db.knex, 220, 40)
  const { app, moduleError } = await buildHostApp({
    knex: db.knex,
    // TEST_LOG_LEVEL=debug shows the host's log while chasing a failing test
    logger: process.env.TEST_LOG_LEVEL ? { level: process.env.TEST_LOG_LEVEL } : false,
    module: { secret: TEST_SECRET, mail: { startWorkers: false }, ...module }
  })
  checkResponsesAgainstSchemas(app, module.prefix ?? '/api/communications')
  beforeModule?.(app)
  await app.ready()
  const error = moduleError()
  if (error) throw error
  const mario = await db.knex('contribuenti').first('id_contribuente').where('email', 'mario.rossi@example.test')
  const bianchi = await db.knex('contribuenti').select('id_contribuente').where('email', 'famiglia.bianchi@example.test').orderBy('id_contribuente')
  return {
    app,
    db,
    knex: db.knex,
    genericContributorId: await findGenericContributorId(db.knex),
    contributors: { marioRossi: Number(mario.id_contribuente), bianchi: bianchi.map((r: { id_contribuente: unknown }) => Number(r.id_contribuente)) },
    async close() {
      await app.close()
      if (!existing) await db.destroy()
    }
  }
}
