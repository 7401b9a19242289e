// A fresh database for one test file: a temporary SQLite file by default, or a brand-new PostgreSQL database
// created on the server named by DATABASE_URL (dropped afterwards), so test files can run in parallel.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import { createKnex, knexConfigFromUrl } from '../../src/database/connection.js'

export interface TestDatabase {
  knex: Knex
  /** A URL another process (a second module instance, the example host) can connect with. */
  url: string
  dialect: 'sqlite' | 'postgres'
  /** A second, independent Knex instance on the same database (e.g. for a second module instance). */
  connectAgain(): Knex
  destroy(): Promise<void>
}

export const isPostgres = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '')

export async function createTestDatabase(): Promise<TestDatabase> {
  const extra: Knex[] = []
  if (isPostgres) {
    const serverUrl = process.env.DATABASE_URL as string
    const name = `trc_test_${process.pid}_${randomBytes(4).toString('hex')}`
    const admin = createKnex(knexConfigFromUrl(serverUrl, ''))
    await admin.raw(`CREATE DATABASE ${name}`)
    await admin.destroy()
    const u = new URL(serverUrl)
    u.pathname = `/${name}`
    const url = u.toString()
    const knex = createKnex(knexConfigFromUrl(url, ''))
    return {
      knex,
      url,
      dialect: 'postgres',
      connectAgain() {
        const k = createKnex(knexConfigFromUrl(url, ''))
        extra.push(k)
        return k
      },
      async destroy() {
        await Promise.all([knex.destroy(), ...extra.map((k) => k.destroy())])
        const cleaner = createKnex(knexConfigFromUrl(serverUrl, ''))
        await cleaner.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        await cleaner.destroy()
      }
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'trc-test-'))
  const file = path.join(dir, 'test.sqlite')
  const knex = createKnex(knexConfigFromUrl(file, dir))
  return {
    knex,
    url: file,
    dialect: 'sqlite',
    connectAgain() {
      const k = createKnex(knexConfigFromUrl(file, dir))
      extra.push(k)
      return k
    },
    async destroy() {
      await Promise.all([knex.destroy(), ...extra.map((k) => k.destroy())])
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
