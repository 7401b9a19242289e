// The example host as real processes (`example-host/server.ts`): two instances starting together on an empty
// database migrate and seed it once, and an instance killed with SIGKILL and started again resumes its own
// mailbox at once instead of waiting for its old lease to expire.
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createTestDatabase, isPostgres, type TestDatabase } from '../helpers/db.js'
import { startDovecot } from '../helpers/dovecot.js'
import { freePort } from '../helpers/free-port.js'
import { buildMail } from '../helpers/mail.js'
import { TEST_SECRET } from '../helpers/host.js'
import { waitFor } from '../helpers/wait.js'
import { migrationSource } from '../../migrations/index.js'

const SERVER = path.resolve(import.meta.dirname, '../../example-host/server.ts')

interface HostProcess {
  child: ChildProcess
  port: number
  exited: Promise<number | null>
  output(): string
}

function startServer(t: { teardown(fn: () => unknown): void }, db: TestDatabase, env: Record<string, string>): HostProcess {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trc-host-'))
  const port = Number(env.PORT)
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, TRC_SECRET: TEST_SECRET, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    rmSync(dataDir, { recursive: true, force: true })
  })
  return { child, port, exited, output: () => out }
}

async function ready(host: HostProcess): Promise<void> {
  await waitFor(
    async () => {
      if (host.child.exitCode !== null) throw new Error(`the host exited with ${host.child.exitCode}: ${host.output()}`)
      return fetch(`http://127.0.0.1:${host.port}/api/communications/health/live`).then(
        (r) => r.status,
        () => 0
      )
    },
    (status) => status === 200,
    60_000,
    `host on port ${host.port}`
  )
}

const count = async (db: TestDatabase, table: string) => Number((await db.knex(table).count({ n: '*' }).first())?.n)

t.test(
  'two instances starting together on an empty database migrate and seed it once',
  { skip: isPostgres ? false : 'needs PostgreSQL (set DATABASE_URL)' },
  async (t) => {
    const db = await createTestDatabase()
    t.teardown(() => db.destroy())
    const a = startServer(t, db, { PORT: String(await freePort()) })
    const b = startServer(t, db, { PORT: String(await freePort()) })
    await Promise.all([ready(a), ready(b)])
    t.equal(await count(db, 'contribuenti'), 220, 'the demo contributors, once')
    t.equal(await count(db, 'ordini_lavoro'), 320, 'the demo work orders, once')
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
  const state = () => db.knex('trc_mailbox_state').first('state', 'lease_owner')
  const first = startServer(t, db, env)
  await ready(first)
  const idle = await waitFor(state, (s) => s?.state === 'idle', 20_000, 'idle')
  first.child.kill('SIGKILL')
  await first.exited
  const second = startServer(t, db, env)
  await ready(second)
  await dovecot.append(user, await buildMail({ from: 'mario.rossi@example.test', to: user, subject: 'Dopo il kill', text: 'x' }))
  // the old lease lasts 30 s; a restarted instance with the same identity does not wait for it
  await waitFor(
    () => count(db, 'trc_messages'),
    (n) => n >= 1,
    10_000,
    'the mail after the restart'
  )
  t.equal((await state())?.lease_owner, idle.lease_owner, 'the same instance identity holds the lease')
})
