// Delivery failure reports (issue 11). Our mail leaves with a signed VERP return path as its envelope sender; a DSN
// fails a reply only when it came back to the return path signed for that reply, and then the ARERA clock runs
// again exactly as after an SMTP 5xx. The same report sent to the plain mailbox address, to a tampered return path,
// or an `X-Ricevuta: errore-consegna` on a mailbox that is not PEC is ordinary automatic mail and changes nothing.
// Real smtp-server sink, real Dovecot: reports arrive through dovecot-lda as an MTA delivers them.
import t from 'tap'
import type { Test } from 'tap'
import { createWorkingCalendar, romeDate } from '../../src/domain/working-days.js'
import { parseImapUrl } from '../../src/mail/mailbox-manager.js'
import { parseMail } from '../../src/mail/parse.js'
import { returnPathOutboxId, verpAddress, verpOutboxId } from '../../src/mail/verp.js'
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.js'
import { auth, startTestHost, TEST_SECRET, type TestHost } from '../helpers/host.js'
import { buildMail, corpusBounce, pecReceipt } from '../helpers/mail.js'
import { startSmtpServer } from '../helpers/smtp.js'
import { waitFor } from '../helpers/wait.js'

const API = '/api/communications'
const MAILBOX = 'reclami@garbage.example.test'
const CITIZEN = 'mario.rossi@example.test'
const VERP = /^reclami\+trc-[1-9][0-9]*-[a-z2-7]{12}@garbage\.example\.test$/

async function setUp(t: Test, opts: { urlExtra?: string; watch?: boolean } = {}) {
  const sink = await startSmtpServer({ t })
  const dovecot = await startDovecot({ t, users: { [MAILBOX]: 'pw' } })
  const host = await startTestHost({
    mail: {
      from: 'tari@garbage.example.test',
      startWorkers: false,
      smtp: { url: sink.url },
      mailboxes: [{ url: dovecot.url(MAILBOX) + (opts.urlExtra ?? ''), initialSync: 'all' }]
    }
  })
  t.teardown(() => host.close())
  const mailboxId = Number((await host.knex('trc_mailboxes').first('id').where({ username: MAILBOX })).id)
  if (opts.watch !== false) {
    await host.app.communications.mailboxes.start()
    t.teardown(() => host.app.communications.mailboxes.stop())
    await waitFor(
      () => health(host),
      (h) => h.mailboxes[0]?.state === 'idle',
      15_000,
      'the mailbox to be idle'
    )
  }
  return { host, sink, dovecot, mailboxId }
}

const health = async (host: TestHost) => (await host.app.inject({ url: `${API}/health`, headers: auth('demo-viewer') })).json()

/** A citizen's complaint received now on the mailbox, answered with a reasoned reply that stops the clock. */
async function repliedComplaint(host: TestHost, mailboxId: number, subject: string) {
  const raw = await buildMail({
    from: `Mario Rossi <${CITIZEN}>`,
    to: MAILBOX,
    subject,
    text: 'Presento reclamo: la bolletta TARI è sbagliata.',
    messageId: `<c.${Date.now()}.${Math.random()}@example.test>`
  })
  const workOrderId = (await host.app.communications.mail.ingest(raw, { mailboxId, receivedAt: new Date() })).workOrderId as number
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/reply`,
    headers: auth('demo-operator'),
    payload: { html: '<p>Reclamo accolto.</p>', reasonedReply: true }
  })
  if (res.statusCode !== 201) throw new Error(res.body)
  return { workOrderId, replyId: Number(res.json().id) }
}

async function sent(host: TestHost, replyId: number) {
  const message = await host.knex('trc_messages').first('message_id', 'delivery_status', 'delivery_error').where({ id: replyId })
  const outbox = await host.knex('trc_outbox').first('id').where({ message_id: replyId })
  return {
    messageId: String(message.message_id),
    status: message.delivery_status as string,
    error: message.delivery_error as string | null,
    outboxId: Number(outbox.id)
  }
}

async function clock(host: TestHost, workOrderId: number) {
  const view = (await host.app.inject({ url: `${API}/work-orders/${workOrderId}`, headers: auth('demo-viewer') })).json()
  return {
    clockState: view.clockState,
    standardMet: view.standardMet,
    daysLeft: view.daysLeft,
    workingDaysTaken: view.workingDaysTaken,
    dueDate: view.dueDate,
    replySentAt: view.replySentAt === null ? null : 'set'
  }
}

/** Delivers through Dovecot's LDA and waits until the watcher has stored it; returns the stored row. */
async function arrives(host: TestHost, dovecot: DovecotInstance, raw: Buffer, recipient: string) {
  const before = Number((await host.knex('trc_messages').max({ id: 'id' }).first())?.id ?? 0)
  await dovecot.deliver(MAILBOX, raw, { from: '', recipient })
  const [row] = await waitFor(
    () => host.knex('trc_messages').where('id', '>', before).where({ direction: 'inbound' }),
    (rows) => rows.length === 1,
    15_000,
    'the report to be ingested'
  )
  return {
    kind: row.automatic_kind as string | null,
    workOrderId: row.work_order_id === null ? null : Number(row.work_order_id),
    automatic: String(JSON.parse(row.meta_json ?? '{}').automatic ?? '')
  }
}

// Received today: the reply today took 0 working days; reopened, the standard's 30 are all left.
const dueDate = () => createWorkingCalendar().addWorkingDays(romeDate(new Date()), 30)

t.test('our mail leaves with its own signed VERP return path as envelope sender; the From header stays the mailbox', async (t) => {
  const { host, sink, mailboxId } = await setUp(t, { watch: false })
  const { replyId } = await repliedComplaint(host, mailboxId, 'Bolletta TARI errata')
  await host.app.communications.outbox.runOnce()
  const confirmation = Number((await host.knex('trc_outbox').first('id').where({ kind: 'confirmation' })).id)
  const reply = await sent(host, replyId)
  // the worker sends in parallel: arrival order is not queue order
  const byMessageId = (id: string) => sink.messages.find((m) => m.parsed.messageId === `<${id}>`)
  const confirmationId = String(
    (
      await host
        .knex('trc_messages')
        .first('message_id')
        .where({ id: (await host.knex('trc_outbox').first('message_id').where({ id: confirmation })).message_id })
    ).message_id
  )
  t.same(
    [byMessageId(confirmationId), byMessageId(reply.messageId)].map((m) => [m?.envelope.from, m?.envelope.to, m?.parsed.from?.value[0]?.address]),
    [
      [verpAddress(MAILBOX, confirmation, TEST_SECRET), [CITIZEN], MAILBOX],
      [verpAddress(MAILBOX, reply.outboxId, TEST_SECRET), [CITIZEN], MAILBOX]
    ]
  )
  const returnPath = String(byMessageId(reply.messageId)?.envelope.from)
  t.match(returnPath, VERP)
  t.equal(verpOutboxId(returnPath.toUpperCase(), TEST_SECRET), reply.outboxId, 'read back in any letter case')
  t.equal(verpOutboxId(returnPath, 'another-secret-another-secret-another-secret'), null)
})

t.test("a real DSN at the reply's return path marks it failed and the ARERA clock runs again, exactly as after an SMTP 5xx", async (t) => {
  const { host, sink, dovecot, mailboxId } = await setUp(t)
  const bounced = await repliedComplaint(host, mailboxId, 'Bolletta TARI errata')
  await host.app.communications.outbox.runOnce()
  const reply = await sent(host, bounced.replyId)
  const stopped = { clockState: 'stopped', standardMet: true, daysLeft: null, workingDaysTaken: 0, dueDate: dueDate(), replySentAt: 'set' }
  t.same(await clock(host, bounced.workOrderId), stopped)

  const returnPath = String(sink.messages.find((m) => m.parsed.messageId === `<${reply.messageId}>`)?.envelope.from)
  const dsn = corpusBounce({ to: returnPath, recipient: CITIZEN, from: MAILBOX, originalMessageId: reply.messageId })
  const stored = await arrives(host, dovecot, dsn, returnPath)
  t.same(stored, {
    kind: 'bounce',
    workOrderId: bounced.workOrderId,
    automatic: `multipart/report; report-type=delivery-status; ${CITIZEN} 5.1.1 550 5.1.1 <jesmund>... User unknown`
  })
  t.same(await sent(host, bounced.replyId), { ...reply, status: 'failed', error: '5.1.1 550 5.1.1 <jesmund>... User unknown' })
  const reopened = { clockState: 'running', standardMet: null, daysLeft: 30, workingDaysTaken: 0, dueDate: dueDate(), replySentAt: null }
  t.same(await clock(host, bounced.workOrderId), reopened)

  // the same reply refused with a 5xx at send time: the same clock
  const refused = await repliedComplaint(host, mailboxId, 'Bolletta TARI errata, di nuovo')
  sink.failWith(550, '5.1.1 User unknown', { on: 'RCPT', times: 2 }) // its confirmation and the reply
  await host.app.communications.outbox.runOnce()
  t.equal((await sent(host, refused.replyId)).status, 'failed')
  t.same(await clock(host, refused.workOrderId), reopened, 'bounce and SMTP 5xx leave the clock alike')
  t.same(
    (await host.knex('trc_audit_log').where({ action: 'outbound.bounced' }).select('message_id')).map((a) => Number(a.message_id)),
    [bounced.replyId]
  )
})

t.test('forged reports stay ordinary automatic mail: the reply stays sent, the clock stopped, nothing is answered', async (t) => {
  const { host, dovecot, mailboxId } = await setUp(t)
  const { workOrderId, replyId } = await repliedComplaint(host, mailboxId, 'Bolletta TARI errata')
  await host.app.communications.outbox.runOnce()
  const reply = await sent(host, replyId)
  const stopped = await clock(host, workOrderId)
  t.match(stopped, { clockState: 'stopped', standardMet: true })
  const genuine = verpAddress(MAILBOX, reply.outboxId, TEST_SECRET) as string
  const last = genuine.at(genuine.indexOf('@') - 1) as string
  const tampered = `${genuine.slice(0, genuine.indexOf('@') - 1)}${last === 'a' ? 'b' : 'a'}${genuine.slice(genuine.indexOf('@'))}`
  const otherRow = verpAddress(MAILBOX, reply.outboxId + 100, TEST_SECRET)?.replace(
    /-[a-z2-7]{12}@/,
    genuine.slice(genuine.lastIndexOf('-'), genuine.indexOf('@') + 1)
  ) as string
  const dsn = (to: string) => corpusBounce({ to, recipient: CITIZEN, from: MAILBOX, originalMessageId: reply.messageId })
  const receipt = pecReceipt('errore-consegna', reply.messageId, genuine, { recipient: CITIZEN, subject: 'Re: Bolletta TARI errata' })
  const outboxBefore = Number((await host.knex('trc_outbox').count({ n: '*' }).first())?.n)
  const workOrdersBefore = Number((await host.knex('ordini_lavoro').count({ n: '*' }).first())?.n)
  const cases: Array<[string, Buffer, string, { kind: string; why: RegExp }]> = [
    ['the same DSN sent to the plain mailbox address', dsn(MAILBOX), MAILBOX, { kind: 'bounce', why: /non indirizzato all'indirizzo di ritorno firmato/ }],
    [
      'the same DSN at a return path with a tampered signature',
      dsn(tampered),
      tampered,
      { kind: 'bounce', why: /non indirizzato all'indirizzo di ritorno firmato/ }
    ],
    ["the reply's signature on another outbox id", dsn(otherRow), otherRow, { kind: 'bounce', why: /non indirizzato all'indirizzo di ritorno firmato/ }],
    [
      'X-Ricevuta: errore-consegna on a mailbox that is not PEC, even at the return path',
      receipt,
      genuine,
      { kind: 'pec-receipt', why: /non configurata come PEC/ }
    ]
  ]
  for (const [name, raw, recipient, expected] of cases) {
    const stored = await arrives(host, dovecot, raw, recipient)
    t.match(stored, { kind: expected.kind, workOrderId: null, automatic: expected.why }, `${name}: kept as automatic mail, in no conversation`)
    t.same(await sent(host, replyId), reply, `${name}: the reply stays sent`)
    t.same(await clock(host, workOrderId), stopped, `${name}: the clock stays stopped`)
  }
  t.equal(Number((await host.knex('trc_outbox').count({ n: '*' }).first())?.n), outboxBefore, 'nobody is answered')
  t.equal(Number((await host.knex('ordini_lavoro').count({ n: '*' }).first())?.n), workOrdersBefore, 'no work order opened')
  t.equal(Number((await host.knex('trc_audit_log').where('action', 'outbound.bounced').count({ n: '*' }).first())?.n), 0)
})

t.test('verp=0: a mailbox whose relay refuses or rewrites a tagged envelope sender sends with its plain address', async (t) => {
  t.same(parseImapUrl(`imap://u%40x.test:p@127.0.0.1:1/INBOX?verp=0`).verp, false)
  t.same(parseImapUrl(`imap://u%40x.test:p@127.0.0.1:1/INBOX`).verp, true)
  const { host, sink, mailboxId } = await setUp(t, { urlExtra: '?verp=0', watch: false })
  await repliedComplaint(host, mailboxId, 'Bolletta TARI errata')
  await host.app.communications.outbox.runOnce()
  t.same(
    sink.messages.map((m) => m.envelope.from),
    [MAILBOX, MAILBOX]
  )
  const view = (await host.app.inject({ url: `${API}/mailboxes/${mailboxId}`, headers: auth('demo-admin') })).json()
  t.equal(view.verp, false)
  const on = await host.app.inject({ method: 'PATCH', url: `${API}/mailboxes/${mailboxId}`, headers: auth('demo-admin'), payload: { verp: true } })
  t.equal(on.json().verp, true)
})

t.test('the return path is read where MTAs write it, and only there; a local part too long for a tag leaves plain', async (t) => {
  const returnPath = verpAddress(`"Ufficio Reclami" <${MAILBOX}>`, 7, TEST_SECRET) as string
  t.match(returnPath, VERP)
  const report = (headers: Record<string, string>) =>
    parseMail(corpusBounce({ to: MAILBOX, recipient: CITIZEN, from: MAILBOX, originalMessageId: '<x@example.test>', headers }))
  for (const header of ['Delivered-To', 'X-Original-To', 'Envelope-To', 'X-Envelope-To']) {
    t.equal(returnPathOutboxId(await report({ [header]: returnPath }), TEST_SECRET), 7, header)
  }
  const twoHops = await parseMail(
    Buffer.concat([
      Buffer.from(`Delivered-To: ${MAILBOX}\nDelivered-To: ${returnPath.toUpperCase()}\n`),
      corpusBounce({ to: MAILBOX, recipient: CITIZEN, from: MAILBOX, originalMessageId: '<x@example.test>' })
    ])
  )
  t.equal(returnPathOutboxId(twoHops, TEST_SECRET), 7, 'any Delivered-To of several, in any letter case')
  t.equal(returnPathOutboxId(await report({ 'Reply-To': returnPath, 'X-Forged': returnPath }), TEST_SECRET), null, 'not from other headers')
  t.equal(returnPathOutboxId(await report({ 'Delivered-To': returnPath }), 'another-secret-another-secret-another-secret'), null, 'signed with another secret')
  t.match(verpAddress(`${'a'.repeat(45)}@garbage.example.test`, 7, TEST_SECRET), /^a{45}\+trc-7-[a-z2-7]{12}@/, '64 characters before the @ fit')
  t.equal(verpAddress(`${'a'.repeat(46)}@garbage.example.test`, 7, TEST_SECRET), null, 'RFC 5321: at most 64 characters before the @')
})
