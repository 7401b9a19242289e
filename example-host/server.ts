// `npm start`: the example Garbage host on http://127.0.0.1:$PORT with the module mounted.
// Environment: PORT, DATA_DIR, DATABASE_URL, IMAP_URL, SMTP_URL, MAIL_FROM, CLAMD_URL, TRC_SECRET, INSTANCE_ID, ALERT_TO (see README).
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import path from 'node:path'
import { createKnex, knexConfigFromUrl } from '../src/database/connection.js'
import { buildHostApp } from './app.js'
import { seedDemoConversations } from './demo-conversations.js'
import { migrateHost } from './migrations.js'

const port = Number(process.env.PORT ?? 3000)
const dataDir = path.resolve(process.env.DATA_DIR ?? './data')
mkdirSync(dataDir, { recursive: true })

/** The secret that encrypts mailbox passwords: TRC_SECRET, or one generated once and kept under DATA_DIR. */
function loadSecret(): string {
  if (process.env.TRC_SECRET) return process.env.TRC_SECRET
  const file = path.join(dataDir, 'secret.key')
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err // another instance made it first
    }
  }
  return readFileSync(file, 'utf8').trim()
}

const knex = createKnex(knexConfigFromUrl(process.env.DATABASE_URL, dataDir))
// two instances starting together on an empty database: one migrates and seeds, the other waits for it
const seeded = await migrateHost(knex, { seed: true })
// the demo's conversations go in once, right after the host's own demo data, before the live host starts
// (a failure leaves the host without them, logged below: the host's own demo data is committed and not seeded again)
let demoError: unknown = null
const demo = seeded
  ? await seedDemoConversations(knex, { secret: loadSecret(), mailFrom: process.env.MAIL_FROM }).catch((err: unknown) => {
      demoError = err
      return null
    })
  : null
const imapUrls = (process.env.IMAP_URL ?? '').split(/\s+/).filter(Boolean)

const { app } = await buildHostApp({
  knex,
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
  module: {
    secret: loadSecret(),
    // Stable across restarts (two live processes cannot share a port): a restarted instance resumes its own
    // mailbox leases at once instead of waiting for them to expire.
    instanceId: process.env.INSTANCE_ID || `${hostname()}:${port}`,
    mail: {
      mailboxes: imapUrls.map((url) => ({ url })),
      smtp: process.env.SMTP_URL ? { url: process.env.SMTP_URL } : undefined,
      from: process.env.MAIL_FROM,
      ...(process.env.ALERT_TO ? { failureAlerts: { to: process.env.ALERT_TO.split(/[\s,]+/).filter(Boolean) } } : {})
    },
    antivirus: process.env.CLAMD_URL ? { clamd: process.env.CLAMD_URL } : undefined
  }
})
if (seeded) app.log.info({ ...seeded, ...demo }, 'demo data seeded')
if (demoError) app.log.error({ err: demoError }, 'demo conversations not seeded')

const shutdown = async (signal: string) => {
  app.log.info({ signal }, 'shutting down')
  await app.close()
  await knex.destroy()
  process.exit(0)
}
process.once('SIGINT', () => void shutdown('SIGINT'))
process.once('SIGTERM', () => void shutdown('SIGTERM'))

await app.listen({ host: '127.0.0.1', port })
