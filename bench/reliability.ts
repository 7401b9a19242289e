// Recovery times (issue 11), measured against real servers and real processes, printed, never asserted:
// - Dovecot restart: from the server accepting connections again to the next mail stored;
// - Dovecot down for a while (30 s; 5 s with BENCH_QUICK): the same, after a long outage;
// - SMTP outage: from the relay accepting again to the waiting reply delivered (default 30 s outbox backoff);
// - kill -9 and restart with the same instance id: from the new process being ready (its start-up is printed
//   apart) to the next mail stored;
// (Two instances with the holder killed: bounded by the lease TTL by design; not measured here yet.)
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Knex } from 'knex'
import { createTestDatabase } from '../test/helpers/db.js'
import { startDovecot, type DovecotInstance } from '../test/helpers/dovecot.js'
import { auth, startTestHost, TEST_SECRET } from '../test/helpers/host.js'
import { buildMail } from '../test/helpers/mail.js'
import { startSmtpServer } from '../test/helpers/smtp.js'
import { waitFor } from '../test/helpers/wait.js'

const FIXTURE = path.resolve(import.meta.dirname, '../test/fixtures/watch-and-die.ts')
const inbound = (knex: Knex) => async () => Number((await knex('trc_messages').where({ direction: 'inbound' }).count({ n: '*' }).first())?.n)
const seconds = (ms: number) => Math.round(ms) / 1000

async function mailAndWait(dovecot: DovecotInstance, user: string, knex: Knex, expected: number, from: number): Promise<number> {
  await dovecot.append(user, await buildMail({ from: `bench${expected}@example.test`, to: user, subject: `Recupero ${expected}`, text: 'x' }))
  await waitFor(inbound(knex), (n) => n >= expected, 120_000, `mail ${expected}`)
  const took = seconds(performance.now() - from)
  process.stderr.write(`reliability: mail ${expected} after ${took} s\n`)
  return took
}

export async function benchReliability(quick = false): Promise<Record<string, number>> {
  const users = { 'blip@bench.test': 'pw', 'kill@bench.test': 'pw' }
  const dovecot = await startDovecot({ users })
  const results: Record<string, number> = {}
  const children: ChildProcess[] = []
  try {
    // IMAP: a restart, then a long outage, with the module's default backoff
    const host = await startTestHost({ mail: { mailboxes: [{ url: dovecot.url('blip@bench.test') }] } })
    await waitFor(
      async () => (await host.knex('trc_mailbox_state').first('state'))?.state,
      (s) => s === 'idle',
      20_000,
      'idle'
    )
    await dovecot.stop()
    await dovecot.start()
    results.imapRestartToMailSeconds = await mailAndWait(dovecot, 'blip@bench.test', host.knex, 1, performance.now())
    await waitFor(
      async () => (await host.knex('trc_mailbox_state').first('state'))?.state,
      (s) => s === 'idle',
      20_000,
      'idle'
    )
    await dovecot.stop()
    await sleep(quick ? 5_000 : 30_000)
    await dovecot.start()
    results[`imapDown${quick ? 5 : 30}sToMailSeconds`] = await mailAndWait(dovecot, 'blip@bench.test', host.knex, 2, performance.now())

    // SMTP outage with the default outbox backoff (30 s doubling)
    const smtp = await startSmtpServer()
    await smtp.stop()
    await host.close()
    const sender = await startTestHost({ mail: { from: 'tari@bench.test', smtp: { url: smtp.url } } })
    const wo = await sender.knex('ordini_lavoro').first('id_odl').where('id_contribuente', sender.contributors.marioRossi)
    const reply = await sender.app.inject({
      method: 'POST',
      url: `/api/communications/work-orders/${wo.id_odl}/reply`,
      headers: auth('demo-operator'),
      payload: { html: '<p>Risposta</p>' }
    })
    const replyId = (reply.json() as { id: number }).id
    await waitFor(
      () => sender.knex('trc_outbox').first('status').where('message_id', replyId),
      (r) => r?.status === 'retrying',
      30_000,
      'retrying'
    )
    if (!quick) await sleep(10_000)
    await smtp.start()
    const back = performance.now()
    await smtp.waitFor(1, 120_000)
    results.smtpBackToFirstDeliverySeconds = seconds(performance.now() - back)
    process.stderr.write(`reliability: SMTP delivery ${results.smtpBackToFirstDeliverySeconds} s after the relay came back\n`)
    await sender.close()
    await smtp.stop()

    // processes: kill -9 and restart with the same identity; two instances, the holder killed
    const db = await createTestDatabase()
    const seedHost = await startTestHost({}, db)
    await seedHost.app.close()
    const child = (user: string, instanceId: string, ttlMs: number) => {
      const c = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          IMAP_URL: dovecot.url(user),
          EXIT_AFTER: '0',
          TRC_SECRET: TEST_SECRET,
          INSTANCE_ID: instanceId,
          LEASE_TTL_MS: String(ttlMs)
        },
        stdio: ['ignore', 'pipe', 'ignore']
      })
      children.push(c)
      const ready = new Promise<void>((resolve) =>
        c.stdout?.on('data', (d: Buffer) => {
          if (d.toString().includes('ready')) resolve()
        })
      )
      return Object.assign(c, { ready })
    }
    const kill = async (c: ChildProcess) => {
      if (c.exitCode !== null || c.signalCode !== null) return // already gone: its 'exit' will not come again
      const exited = new Promise((r) => c.once('exit', r))
      c.kill('SIGKILL')
      await exited
    }
    const ttl = quick ? 5_000 : 30_000
    const leaseOf = async () => await db.knex('trc_mailbox_state').first('lease_owner', 'state')
    const first = child('kill@bench.test', 'bench-instance', ttl)
    await waitFor(leaseOf, (s) => s?.state === 'idle', 60_000, 'idle')
    await kill(first)
    const restart = performance.now()
    const second = child('kill@bench.test', 'bench-instance', ttl)
    await second.ready
    results.killRestartProcessStartupSeconds = seconds(performance.now() - restart)
    results.killRestartSameIdReadyToMailSeconds = await mailAndWait(dovecot, 'kill@bench.test', db.knex, 1, performance.now())
    // two instances, the holder killed: the other takes the mailbox over once the holder's lease expires
    const standby = child('kill@bench.test', 'bench-standby', ttl)
    await standby.ready
    await kill(second)
    results.leaseTtlSeconds = ttl / 1000
    results.twoInstancesHolderKilledToMailSeconds = await mailAndWait(dovecot, 'kill@bench.test', db.knex, 2, performance.now())
    for (const c of children.splice(0)) await kill(c)

    await db.destroy()
  } finally {
    for (const c of children) c.kill('SIGKILL')
    await dovecot.destroy()
  }
  return results
}
