// The mailbox watcher against a real Dovecot on loopback: IDLE pickup, catch-up, reconnection, crash safety,
// and two instances sharing one mailbox through the lease.
import t from 'tap'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { startDovecot } from '../helpers/dovecot.js'
import { auth, startTestHost, TEST_SECRET, type TestHost } from '../helpers/host.js'
import { createTestDatabase, isPostgres } from '../helpers/db.js'
import { buildMail } from '../helpers/mail.js'
import { waitFor } from '../helpers/wait.js'

const USER = 'reclami@garbage.example.test'
const fast = { leaseTtlMs: 1_500, backoff: { baseMs: 100, maxMs: 1_000 } }
const inboundCount = (host: Pick<TestHost, 'knex'>) => async () =>
  Number((await host.knex('trc_messages').where({ direction: 'inbound' }).count({ n: '*' }).first())?.n)

t.test('watcher', async (t) => {
  // every user up front: Dovecot's passwd-file is re-read by mtime, so users added later may be refused for a moment
  const dovecot = await startDovecot({
    users: { [USER]: 'segreta pw', 'ufficio@garbage.example.test': 'pw2', 'crash@garbage.example.test': 'pw3', 'condivisa@garbage.example.test': 'pw4' },
    t
  })

  t.test('picks up mail through IDLE, threads the reply, reports health', async (t) => {
    const host = await startTestHost({ mail: { mailboxes: [{ url: dovecot.url(USER) }], from: 'tari@garbage.example.test', ...fast } })
    t.teardown(() => host.close())
    const health = await waitFor(
      async () => (await host.app.inject({ url: '/api/communications/health', headers: auth('demo-viewer') })).json(),
      (h) => h.mailboxes[0]?.state === 'idle',
      10_000,
      'idle'
    )
    t.equal(health.mailboxes.length, 1)
    const mailboxes = (await host.app.inject({ url: '/api/communications/mailboxes', headers: auth('demo-admin') })).json()
    t.equal(mailboxes.items[0].username, USER)
    t.notOk('passwordEncrypted' in mailboxes.items[0], 'the secret is never returned')
    t.notMatch(JSON.stringify(mailboxes), /segreta/)
    const stored = await host.knex('trc_mailboxes').first('password_encrypted')
    t.notMatch(stored.password_encrypted, /segreta/, 'encrypted at rest')

    const sentAt = Date.now()
    await dovecot.append(
      USER,
      await buildMail({
        from: 'mario.rossi@example.test',
        to: USER,
        subject: 'Cassonetto pieno',
        messageId: '<idle-1@example.test>',
        text: 'Il cassonetto è pieno da giorni.'
      })
    )
    await waitFor(inboundCount(host), (n) => n === 1, 10_000, 'the first mail')
    t.comment(`arrival to stored: ${Date.now() - sentAt} ms`)
    const first = await host.knex('trc_messages').first('*').where({ direction: 'inbound' })
    const wo = await host.knex('ordini_lavoro').first('*').where('id_odl', first.work_order_id)
    t.equal(Number(wo.id_contribuente), host.contributors.marioRossi)
    t.ok(first.received_at, 'the IMAP internal date is the receipt date')

    await dovecot.append(
      USER,
      await buildMail({
        from: 'mario.rossi@example.test',
        to: USER,
        subject: 'Re: Cassonetto pieno',
        inReplyTo: '<idle-1@example.test>',
        references: ['<idle-1@example.test>'],
        text: 'Ancora pieno.'
      })
    )
    await waitFor(inboundCount(host), (n) => n === 2, 10_000, 'the reply')
    const reply = await host.knex('trc_messages').first('*').where({ direction: 'inbound', subject: 'Re: Cassonetto pieno' })
    t.equal(Number(reply.work_order_id), Number(first.work_order_id), 'same work order')
    const h = (await host.app.inject({ url: '/api/communications/health', headers: auth('demo-viewer') })).json()
    t.equal(h.mailboxes[0].lastUid, 2)
    t.equal(h.mailboxes[0].lastError, null)
  })

  t.test('catches up on mail that arrived while down, and reconnects after a Dovecot restart', async (t) => {
    const user = 'ufficio@garbage.example.test'
    for (let i = 0; i < 3; i++)
      await dovecot.append(user, await buildMail({ from: `cittadino${i}@example.test`, to: user, subject: `Arretrato ${i}`, text: 'x' }))
    const host = await startTestHost({ mail: { mailboxes: [{ url: dovecot.url(user), initialSync: 'all' }], from: 'tari@garbage.example.test', ...fast } })
    t.teardown(() => host.close())
    await waitFor(inboundCount(host), (n) => n === 3, 10_000, 'catch-up')
    await waitFor(
      async () => (await host.knex('trc_mailbox_state').first('state')).state,
      (s) => s === 'idle',
      5_000,
      'idle'
    )

    await dovecot.stop()
    await waitFor(
      async () => (await host.knex('trc_mailbox_state').first('state', 'last_error')).state,
      (s) => s === 'backoff',
      10_000,
      'backoff after the drop'
    )
    const down = await host.app.inject({ url: '/api/communications/health', headers: auth('demo-viewer') })
    t.equal(down.json().status, 'degraded')
    t.ok(down.json().mailboxes[0].lastError, 'the error is shown')
    await dovecot.start()
    await dovecot.append(user, await buildMail({ from: 'dopo.riavvio@example.test', to: user, subject: 'Durante il riavvio', text: 'x' }))
    await waitFor(inboundCount(host), (n) => n === 4, 15_000, 'mail after the restart')
    t.pass('reconnected and picked up new mail')
    const messages = await host.knex('trc_messages').where({ direction: 'inbound' }).select('subject')
    t.equal(new Set(messages.map((m: { subject: string }) => m.subject)).size, 4, 'each stored once')
  })

  t.test('a crash mid-batch loses nothing and duplicates nothing', async (t) => {
    const user = 'crash@garbage.example.test'
    const db = await createTestDatabase()
    const host = await startTestHost({ mail: { startWorkers: false } }, db)
    t.teardown(async () => {
      await host.close()
      await db.destroy()
    })
    const total = 8
    for (let i = 0; i < total; i++)
      await dovecot.append(
        user,
        await buildMail({ from: `persona${i}@example.test`, to: user, subject: `Messaggio ${i}`, messageId: `<crash-${i}@example.test>`, text: `corpo ${i}` })
      )
    const runChild = (exitAfter: number) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../fixtures/watch-and-die.ts')], {
          env: { ...process.env, DATABASE_URL: db.url, IMAP_URL: dovecot.url(user), EXIT_AFTER: String(exitAfter), TRC_SECRET: TEST_SECRET },
          stdio: ['ignore', 'pipe', 'inherit']
        })
        child.on('error', reject)
        child.on('exit', (code) => resolve(code))
      })
    const code = await runChild(3)
    t.equal(code, 3, 'the first watcher died abruptly while writing the fourth message')
    // the batch transaction it was in never committed: its messages are not stored (only what a batch committed
    // earlier, at its time cap, can be)
    const afterCrash = await inboundCount(host)()
    t.ok(afterCrash <= 3, `${afterCrash} committed before the crash`)
    // a second process finishes the job; the crashed one's lease expires first
    const second = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../fixtures/watch-and-die.ts')], {
      env: { ...process.env, DATABASE_URL: db.url, IMAP_URL: dovecot.url(user), EXIT_AFTER: '0', TRC_SECRET: TEST_SECRET },
      stdio: ['ignore', 'ignore', 'pipe']
    })
    second.stderr?.on('data', (d) => t.comment(String(d)))
    t.teardown(() => {
      second.kill('SIGKILL')
    })
    await waitFor(inboundCount(host), (n) => n >= total, 20_000, 'all messages after restart')
    await new Promise((r) => setTimeout(r, 500))
    const rows = await host.knex('trc_messages').where({ direction: 'inbound' }).select('message_id')
    t.equal(rows.length, total, 'every message stored exactly once')
    t.equal(new Set(rows.map((r: { message_id: string }) => r.message_id)).size, total)
    const workOrders = await host.knex('ordini_lavoro').where({ origine: 'COMUNICAZIONI' }).count({ n: '*' }).first()
    t.equal(Number(workOrders?.n), total, 'one work order per message')
    const state = await host.knex('trc_mailbox_state').first('last_uid')
    t.equal(Number(state.last_uid), total, 'the checkpoint reached the last UID')
  })

  t.test(
    'two instances on one database: one watcher at a time, one work order per message',
    { skip: isPostgres ? false : 'needs PostgreSQL (set DATABASE_URL)' },
    async (t) => {
      const user = 'condivisa@garbage.example.test'
      const db = await createTestDatabase()
      const a = await startTestHost(
        { instanceId: 'instance-a', mail: { mailboxes: [{ url: dovecot.url(user), initialSync: 'all' }], from: 'tari@garbage.example.test', ...fast } },
        db
      )
      const otherKnex = db.connectAgain()
      const b = await startTestHost(
        { instanceId: 'instance-b', mail: { mailboxes: [{ url: dovecot.url(user), initialSync: 'all' }], from: 'tari@garbage.example.test', ...fast } },
        { ...db, knex: otherKnex }
      )
      t.teardown(async () => {
        await b.close()
        await a.close().catch(() => undefined)
        await db.destroy()
      })
      t.equal((await db.knex('trc_mailboxes').select('id')).length, 1, 'the same IMAP URL is one mailbox')
      const total = 20
      for (let i = 0; i < total; i++)
        await dovecot.append(user, await buildMail({ from: `utente${i}@example.test`, to: user, subject: `Condivisa ${i}`, text: 'x' }))
      await waitFor(inboundCount(a), (n) => n === total, 20_000, 'all messages')
      const owner = (await db.knex('trc_mailbox_state').first('lease_owner')).lease_owner
      t.ok(owner === 'instance-a' || owner === 'instance-b', `lease held by ${owner}`)
      // the holder goes away; the other takes over after the lease expires and picks up new mail
      const holder = owner === 'instance-a' ? a : b
      await holder.app.close()
      await dovecot.append(user, await buildMail({ from: 'dopo@example.test', to: user, subject: 'Dopo il passaggio', text: 'x' }))
      await waitFor(inboundCount(a), (n) => n === total + 1, 20_000, 'takeover')
      const newOwner = (await db.knex('trc_mailbox_state').first('lease_owner')).lease_owner
      t.not(newOwner, owner, 'the other instance took the lease')
      const workOrders = await db.knex('ordini_lavoro').where({ origine: 'COMUNICAZIONI' }).count({ n: '*' }).first()
      t.equal(Number(workOrders?.n), total + 1, 'no duplicate work orders')
    }
  )
})
