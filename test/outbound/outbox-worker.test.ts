// The outbox worker against a real SMTP server that goes down, refuses, and comes back; and two module instances
// on one PostgreSQL database sending each mail once.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { isPostgres } from '../helpers/db.js'
import { startSmtpServer } from '../helpers/smtp.js'
import { buildMail } from '../helpers/mail.js'
import { waitFor } from '../helpers/wait.js'
import { validateOptions } from '../../src/options.js'
import { HOST_MAPPING } from '../../example-host/app.js'
import { internalsOf } from '../../src/internals.js'

const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const API = '/api/communications'

async function marioWorkOrder(host: TestHost): Promise<number> {
  const wo = await host.knex('ordini_lavoro').first('id_odl').where('id_contribuente', host.contributors.marioRossi).orderBy('id_odl')
  return Number(wo.id_odl)
}

async function queueReply(host: TestHost, workOrderId: number, html: string, extra: Record<string, unknown> = {}) {
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/reply`,
    headers: auth('demo-operator'),
    payload: { html, ...extra }
  })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json() as { id: number; messageId: string }
}

/** The message as the conversation shows it. */
const message = (host: TestHost, id: number) => host.app.communications.messages.get(id)

const outboxRow = (host: TestHost, messageId: number) => host.knex('trc_outbox').first('*').where('message_id', messageId)

t.test('SMTP down: replies wait as retrying; back up: each is delivered exactly once', async (t) => {
  const smtp = await startSmtpServer({ t })
  await smtp.stop()
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url }, outboxBackoff: { baseMs: 20, maxMs: 50 } } })
  t.teardown(() => host.close())
  const workOrderId = await marioWorkOrder(host)
  const queued = [
    await queueReply(host, workOrderId, '<p>Uno</p>'),
    await queueReply(host, workOrderId, '<p>Due</p>'),
    await queueReply(host, workOrderId, '<p>Tre</p>')
  ]

  const down = await host.app.communications.outbox.runOnce()
  t.match(down, { sent: 0, retried: 3, failed: 0 })
  for (const q of queued) {
    const m = await message(host, q.id)
    t.equal(m?.deliveryStatus, 'retrying', 'the conversation shows the mail waiting')
    t.match(m?.deliveryError, /ECONNREFUSED|connect/i, 'with the reason')
    const row = await outboxRow(host, q.id)
    t.equal(row.status, 'retrying')
    t.equal(Number(row.attempts), 1)
  }

  await smtp.start()
  await sleep(120) // past the backoff
  let sent = 0
  for (let i = 0; i < 20 && sent < 3; i++) {
    sent += (await host.app.communications.outbox.runOnce()).sent
    if (sent < 3) await sleep(60)
  }
  t.equal(sent, 3)
  await sleep(100)
  await host.app.communications.outbox.runOnce()
  t.equal(smtp.messages.length, 3, 'three mails, no duplicates')
  t.same(smtp.messages.map((m) => m.parsed.messageId).sort(), queued.map((q) => `<${q.messageId}>`).sort())
  for (const q of queued) {
    t.equal((await message(host, q.id))?.deliveryStatus, 'sent')
    t.match(await outboxRow(host, q.id), { status: 'sent', claimed_by: null })
  }
})

t.test("a 550 refusal fails the mail with the server's words; a 451 is retried", async (t) => {
  const smtp = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url }, outboxBackoff: { baseMs: 10, maxMs: 20 } } })
  t.teardown(() => host.close())
  const raw = await buildMail({
    from: 'mario.rossi@example.test',
    to: 'reclami@garbage.example.test',
    subject: 'Reclamo',
    messageId: '<r550@example.test>',
    text: 'Reclamo scritto'
  })
  const { workOrderId } = (await host.app.communications.mail.ingest(raw)) as { workOrderId: number }
  await host.knex('trc_outbox').where({ kind: 'confirmation' }).update({ status: 'sent' }) // not under test here

  smtp.failWith(550, '5.1.1 <mario.rossi@example.test>: Recipient address rejected: User unknown in virtual mailbox table', { on: 'RCPT' })
  const reasoned = await queueReply(host, workOrderId, '<p>Risposta motivata</p>', { reasonedReply: true })
  const queuedMeta = await host.knex('trc_work_order_meta').first('reply_sent_at', 'reply_message_id').where('work_order_id', workOrderId)
  t.equal(Number(queuedMeta?.reply_message_id), reasoned.id, 'the reasoned reply stopped the clock when it was queued')
  t.ok(queuedMeta?.reply_sent_at)
  t.match(await host.app.communications.outbox.runOnce(), { failed: 1 })
  const failed = await message(host, reasoned.id)
  t.equal(failed?.deliveryStatus, 'failed')
  t.match(failed?.deliveryError, /550 5\.1\.1 .*User unknown in virtual mailbox table/, "the server's message is in the conversation")
  t.match(await outboxRow(host, reasoned.id), { status: 'failed', attempts: 1 })
  const audit = await host.knex('trc_audit_log').where({ action: 'outbound.failed', message_id: reasoned.id })
  t.equal(audit.length, 1, 'audited')
  const meta = await host.knex('trc_work_order_meta').first('reply_sent_at', 'reply_message_id').where('work_order_id', workOrderId)
  t.equal(meta?.reply_message_id ?? null, null, 'an undelivered reasoned reply does not stop the ARERA clock')
  smtp.clearFailure()

  smtp.failWith(451, '4.3.0 Mailbox temporarily unavailable', { times: 1 })
  const temp = await queueReply(host, workOrderId, '<p>Riprova</p>')
  t.match(await host.app.communications.outbox.runOnce(), { retried: 1 })
  t.match(await message(host, temp.id), { deliveryStatus: 'retrying', deliveryError: /451 4\.3\.0 Mailbox temporarily unavailable/ })
  await sleep(40)
  t.match(await host.app.communications.outbox.runOnce(), { sent: 1 })
  t.match(await message(host, temp.id), { deliveryStatus: 'sent', deliveryError: null })
  t.match(await outboxRow(host, temp.id), { status: 'sent', attempts: 2 })

  smtp.failWith(550, '5.1.1 Recipient address rejected', { on: 'RCPT', recipients: ['nessuno@example.test'] })
  const partial = await queueReply(host, workOrderId, '<p>Due destinatari</p>', { to: ['mario.rossi@example.test', 'nessuno@example.test'] })
  t.match(await host.app.communications.outbox.runOnce(), { sent: 1 })
  t.match(await message(host, partial.id), { deliveryStatus: 'sent', deliveryError: /Non recapitato a: nessuno@example\.test/ })
})

t.test('temporary failures end as failed after the maximum attempts', async (t) => {
  const smtp = await startSmtpServer({ t })
  await smtp.stop()
  const host = await startTestHost({
    mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url }, outboxBackoff: { baseMs: 1, maxMs: 2 }, outboxMaxAttempts: 3 }
  })
  t.teardown(() => host.close())
  const q = await queueReply(host, await marioWorkOrder(host), '<p>Mai</p>')
  for (let i = 0; i < 3; i++) {
    await host.app.communications.outbox.runOnce()
    await sleep(10)
  }
  t.match(await outboxRow(host, q.id), { status: 'failed', attempts: 3 })
  t.equal((await message(host, q.id))?.deliveryStatus, 'failed')
})

t.test('a claim left by a crashed instance is taken over once it expires', async (t) => {
  const smtp = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url } } })
  t.teardown(() => host.close())
  const q = await queueReply(host, await marioWorkOrder(host), '<p>Dopo il crash</p>')
  const row = await outboxRow(host, q.id)
  const repos = internalsOf(host.app.communications).repositories
  t.ok(await repos.outbox.claim(Number(row.id), 'crashed-instance', 1500), 'another instance claimed it and died')
  t.match(await host.app.communications.outbox.runOnce(), { sent: 0 }, 'a live claim is respected')
  t.equal(smtp.messages.length, 0)
  await sleep(1600)
  t.match(await host.app.communications.outbox.runOnce(), { sent: 1 }, 'the expired claim is retried')
  t.equal(smtp.messages.length, 1)
  t.equal((await message(host, q.id))?.deliveryStatus, 'sent')
})

t.test('two module instances on one database send each mail once', { skip: isPostgres ? false : 'needs PostgreSQL (set DATABASE_URL)' }, async (t) => {
  const smtp = await startSmtpServer({ t })
  const mail = { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url } }
  const a = await startTestHost({ mail, instanceId: 'instance-a' })
  t.teardown(() => a.close())
  const b = await startTestHost({ mail, instanceId: 'instance-b' }, { ...a.db, knex: a.db.connectAgain(), destroy: async () => {} })
  t.teardown(() => b.close())
  const workOrderId = await marioWorkOrder(a)
  const queued = []
  for (let i = 0; i < 40; i++) queued.push(await queueReply(i % 2 ? a : b, workOrderId, `<p>Messaggio ${i}</p>`))

  const [ra, rb] = await Promise.all([a.app.communications.outbox.runOnce(), b.app.communications.outbox.runOnce()])
  t.equal(ra.sent + rb.sent, 40, `every row sent by exactly one instance (a: ${ra.sent}, b: ${rb.sent})`)
  t.equal(smtp.messages.length, 40, 'the relay got 40 mails')
  t.equal(new Set(smtp.messages.map((m) => m.parsed.messageId)).size, 40, 'no Message-ID twice')
  const statuses: Array<{ status: string; n: unknown }> = await a.knex('trc_outbox').select('status').count({ n: '*' }).groupBy('status')
  t.same(
    statuses.map((s) => [s.status, Number(s.n)]),
    [['sent', 40]]
  )
  t.same(
    [await a.app.communications.outbox.runOnce(), await b.app.communications.outbox.runOnce()].map((r) => r.sent),
    [0, 0]
  )
})

t.test('outbox options are validated at registration', async (t) => {
  const base = { knex: {} as never, authorize: () => null, secret: 'x'.repeat(32), genericContributorId: 1, mapping: HOST_MAPPING }
  t.throws(() => validateOptions({ ...base, mail: { outboxMaxAttempts: 0 } }), /option "mail.outboxMaxAttempts" must be a positive integer/)
  t.throws(() => validateOptions({ ...base, mail: { outboxBackoff: { baseMs: 100, maxMs: 10 } } }), /option "mail.outboxBackoff" must be \{ baseMs, maxMs \}/)
  t.throws(() => validateOptions({ ...base, mail: { maxAttachmentBytes: 1.5 } }), /option "mail.maxAttachmentBytes"/)
  t.match(validateOptions(base).mail, {
    outboxPollMs: 1000,
    outboxMaxAttempts: 10,
    outboxClaimTtlMs: 300_000,
    maxAttachmentBytes: 10 * 1024 * 1024,
    maxOutboundBytes: 25 * 1024 * 1024
  })
})

t.test('the relay comes back: mail waiting for it is retried at once, not at its backoff time', async (t) => {
  const smtp = await startSmtpServer({ t })
  await smtp.stop()
  // the default backoff (30 s doubling): only noticing the relay is back delivers the mail within the test
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: true, smtp: { url: smtp.url }, relayProbeMs: 200 } })
  t.teardown(() => host.close())
  const q = await queueReply(host, await marioWorkOrder(host), '<p>Quando torna il server</p>')
  await waitFor(
    () => outboxRow(host, q.id),
    (row) => row?.status === 'retrying',
    10_000,
    'the first failed attempt'
  )
  const row = await outboxRow(host, q.id)
  t.ok(new Date(row.next_attempt_at).getTime() - Date.now() > 15_000, 'the backoff alone would wait much longer')
  await smtp.start()
  const [delivered] = await smtp.waitFor(1, 10_000)
  t.equal(delivered?.parsed.messageId, `<${q.messageId}>`)
  await waitFor(
    () => message(host, q.id),
    (m) => m?.deliveryStatus === 'sent',
    5_000,
    'sent'
  )
  t.match(await outboxRow(host, q.id), { status: 'sent', attempts: 2 })
  t.equal(smtp.messages.length, 1, 'once')
})
