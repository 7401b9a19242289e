// Backscatter: a confirmation goes only to a sender the receiving server authenticated (its Authentication-Results:
// DMARC, or SPF/DKIM aligned with the From domain), and quotes the mail only then. Anyone else still gets a work
// order, with a line on its timeline saying why nobody was told. Real Dovecot, real SMTP sink, the watcher and the
// outbox worker running.
import t, { type Test } from 'tap'
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail, TEST_AUTHSERV_ID } from '../helpers/mail.js'
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp.js'
import { waitFor } from '../helpers/wait.js'

const API = '/api/communications'
const OURS = 'mx.comune.example.test'
const BODY = 'Il cassonetto di via Roma 12 è rotto da una settimana. Foto: https://foto.example.test/cassonetto.jpg'
const SUBJECT = 'Cassonetto rotto in via Roma'
const fast = { leaseTtlMs: 1_500, backoff: { baseMs: 100, maxMs: 1_000 }, outboxPollMs: 100 }

interface Setup {
  host: TestHost
  smtp: SmtpTestServer
  user: string
  mailboxId: number
}

let users = 0
/** A mailbox of its own, sending through an SMTP server of its own, watched by the shared host. */
async function setup(
  t: Test,
  host: TestHost,
  dovecot: DovecotInstance,
  settings: { authservId?: string | null; confirmUnauthenticated?: boolean } = { authservId: OURS }
): Promise<Setup> {
  const user = `reclami${++users}@comune.example.test`
  await dovecot.addUser(user, 'pw')
  const smtp = await startSmtpServer({ t })
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/mailboxes`,
    headers: auth('demo-admin'),
    payload: { name: user, host: dovecot.host, port: dovecot.port, username: user, password: 'pw', fromAddress: user, smtpUrl: smtp.url, ...settings }
  })
  if (res.statusCode !== 201) throw new Error(res.body)
  const mailboxId = Number(res.json().id)
  t.teardown(() => host.app.inject({ method: 'DELETE', url: `${API}/mailboxes/${mailboxId}`, headers: auth('demo-admin') }))
  // the first connection marks where history ends: only mail arriving after it is new
  await waitFor(
    () => host.knex('trc_mailbox_state').first('onboarded_at').where({ mailbox_id: mailboxId }),
    (st) => !!st?.onboarded_at,
    15_000,
    'the first connection'
  )
  return { host, smtp, user, mailboxId }
}

/** The citizen's mail arrives in the mailbox with the given Authentication-Results (top first); the watcher stores it. */
async function arrives(s: Setup, dovecot: DovecotInstance, results: string[]) {
  const raw = await buildMail(
    { from: 'Mario Rossi <mario.rossi@example.test>', to: s.user, subject: SUBJECT, text: BODY, messageId: `<bs.${Date.now()}.${Math.random()}@example.test>` },
    { authenticated: false }
  )
  const headers = results.map((r) => `Authentication-Results: ${r}\r\n`).join('')
  await dovecot.append(s.user, Buffer.concat([Buffer.from(headers), raw]))
  const inbound = await waitFor(
    () => s.host.knex('trc_messages').first('*').where({ direction: 'inbound', mailbox_id: s.mailboxId }),
    (m) => !!m,
    15_000,
    'the mail to be stored'
  )
  const workOrderId = Number(inbound.work_order_id)
  const conversation = (await s.host.app.inject({ url: `${API}/work-orders/${workOrderId}/messages`, headers: auth('demo-viewer') })).json().items as Array<{
    channel: string
    direction: string
    text: string | null
    meta: Record<string, unknown>
  }>
  const workOrder = await s.host.knex('ordini_lavoro').first('stato', 'id_contribuente').where('id_odl', workOrderId)
  return { workOrderId, conversation, workOrder, inboundMeta: JSON.parse(inbound.meta_json ?? '{}') as Record<string, unknown> }
}

async function confirmations(s: Setup) {
  const rows = await s.host
    .knex('trc_outbox')
    .join('trc_messages', 'trc_messages.id', 'trc_outbox.message_id')
    .where({ 'trc_outbox.kind': 'confirmation', 'trc_messages.mailbox_id': s.mailboxId })
    .count({ n: '*' })
    .first()
  return Number(rows?.n)
}

/** No confirmation, the work order open, and the reason on the timeline and in the audit. */
async function withheld(t: Test, s: Setup, got: Awaited<ReturnType<typeof arrives>>, detail: string) {
  t.equal(await confirmations(s), 0, 'no confirmation queued')
  t.equal(got.workOrder.stato, 'APERTO', 'the work order is open')
  t.equal(Number(got.workOrder.id_contribuente), s.host.contributors.marioRossi, 'for the citizen the From names')
  const notes = got.conversation.filter((m) => m.channel === 'note')
  t.same(
    notes.map((m) => [m.text, m.meta]),
    [
      [
        `Conferma non inviata: mittente non autenticato (mario.rossi@example.test). Il server di posta non ha confermato che il messaggio venga da questo indirizzo (${detail}): la richiesta è aperta, verifica il mittente prima di rispondere.`,
        { event: 'confirmation.suppressed', reason: 'unauthenticated sender', detail, kind: 'system' }
      ]
    ],
    "the timeline says so, with the server's results"
  )
  const audit = await s.host.knex('trc_audit_log').where({ action: 'confirmation.suppressed', work_order_id: got.workOrderId })
  t.same(
    audit.map((a) => JSON.parse(a.details_json)),
    [{ to: 'mario.rossi@example.test', reason: 'unauthenticated sender', detail }]
  )
  await new Promise((r) => setTimeout(r, 300)) // a few outbox polls
  t.equal(s.smtp.messages.length, 0, 'nothing reached the SMTP server')
}

t.test('backscatter', async (t) => {
  const dovecot = await startDovecot({ t })
  const fallback = await startSmtpServer({ t }) // every mailbox has its own server: nothing may come here
  const host = await startTestHost({ mail: { from: 'tari@comune.example.test', smtp: { url: fallback.url }, ...fast } })
  t.teardown(() => host.close())

  t.test('dmarc=pass from the receiving server: the confirmation goes out, quoting the mail and its link', async (t) => {
    const s = await setup(t, host, dovecot)
    const got = await arrives(s, dovecot, [
      `${OURS}; spf=pass smtp.mailfrom=example.test; dkim=pass header.d=example.test; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.test`
    ])
    t.same(got.inboundMeta.senderAuthentication, { authenticated: true, method: 'dmarc', authservId: OURS, detail: 'dmarc=pass header.from=example.test' })
    await waitFor(
      async () => s.smtp.messages.length,
      (n) => n === 1,
      15_000,
      'the confirmation'
    )
    const mail = s.smtp.messages[0]
    t.same(mail?.envelope.to, ['mario.rossi@example.test'])
    t.equal(mail?.parsed.subject, `Presa in carico: ${SUBJECT} [OdL #${got.workOrderId}]`)
    t.match(mail?.parsed.text, BODY, 'the body is quoted')
    t.match(mail?.parsed.text, 'https://foto.example.test/cassonetto.jpg', 'with its link')
    t.equal(got.conversation.filter((m) => m.channel === 'note').length, 0, 'nothing to note')
  })

  t.test('no Authentication-Results: no confirmation', async (t) => {
    const s = await setup(t, host, dovecot)
    await withheld(t, s, await arrives(s, dovecot, []), `no Authentication-Results from ${OURS}`)
  })

  t.test('spf=fail and dmarc=fail from the receiving server: no confirmation', async (t) => {
    const s = await setup(t, host, dovecot)
    await withheld(
      t,
      s,
      await arrives(s, dovecot, [`${OURS}; spf=fail smtp.mailfrom=example.test; dmarc=fail (p=NONE) header.from=example.test`]),
      'spf=fail smtp.mailfrom=example.test; dmarc=fail header.from=example.test'
    )
  })

  t.test('a forged dmarc=pass from another authserv-id is not believed', async (t) => {
    const s = await setup(t, host, dovecot)
    await withheld(t, s, await arrives(s, dovecot, ['mx.forger.test; dmarc=pass header.from=example.test']), `no Authentication-Results from ${OURS}`)
  })

  t.test('no authserv-id configured: only the topmost header counts, a forged pass below it does not', async (t) => {
    const s = await setup(t, host, dovecot, {})
    await withheld(
      t,
      s,
      await arrives(s, dovecot, ['mx.relay.test; spf=softfail smtp.mailfrom=example.test', `${TEST_AUTHSERV_ID}; dmarc=pass header.from=example.test`]),
      'spf=softfail smtp.mailfrom=example.test'
    )
  })

  t.test('the mailbox confirms unauthenticated senders too: the confirmation quotes neither body, link nor subject', async (t) => {
    const s = await setup(t, host, dovecot, { authservId: OURS, confirmUnauthenticated: true })
    const got = await arrives(s, dovecot, [`${OURS}; spf=fail smtp.mailfrom=example.test; dmarc=fail header.from=example.test`])
    t.same(got.inboundMeta.senderAuthentication, {
      authenticated: false,
      method: null,
      authservId: OURS,
      detail: 'spf=fail smtp.mailfrom=example.test; dmarc=fail header.from=example.test'
    })
    await waitFor(
      async () => s.smtp.messages.length,
      (n) => n === 1,
      15_000,
      'the confirmation'
    )
    const mail = s.smtp.messages[0]
    t.same(mail?.envelope.to, ['mario.rossi@example.test'])
    t.equal(mail?.parsed.subject, `Presa in carico: la sua comunicazione [OdL #${got.workOrderId}]`)
    const all = `${mail?.parsed.text}\n${mail?.parsed.html}`
    t.notMatch(all, /cassonetto|via Roma 12|foto\.example|https?:\/\//i, 'no word or link of the mail')
    t.notMatch(all, /<blockquote/, 'no quote block')
    t.match(mail?.parsed.text, /RC-\d{4}-\d{6}/, 'the reference number is there')
  })

  t.test("an authenticated From with a registered citizen's Reply-To: the Reply-To is nobody's verified address", async (t) => {
    const raw = await buildMail({
      from: 'promo@evil.test',
      replyTo: 'mario.rossi@example.test',
      to: 'reclami@comune.example.test',
      subject: SUBJECT,
      text: BODY
    })
    const result = await host.app.communications.mail.ingest(raw)
    t.equal(result.outcome, 'created')
    const inbound = await host.knex('trc_messages').first('meta_json', 'contributor_id').where({ direction: 'inbound', work_order_id: result.workOrderId })
    t.equal(Number(inbound.contributor_id), host.contributors.marioRossi, 'matched by the Reply-To')
    const detail = 'dmarc=pass header.from=evil.test; reply-to mario.rossi@example.test is not the From address'
    t.same(JSON.parse(inbound.meta_json).senderAuthentication, { authenticated: false, method: null, authservId: TEST_AUTHSERV_ID, detail })
    const conversation = (await host.app.inject({ url: `${API}/work-orders/${result.workOrderId}/messages`, headers: auth('demo-viewer') })).json()
      .items as Array<{ direction: string; channel: string }>
    t.same(
      conversation.map((m) => [m.direction, m.channel]),
      [
        ['inbound', 'email'],
        ['outbound', 'note']
      ],
      'the mail and the notice: no confirmation'
    )
    const audit = await host.knex('trc_audit_log').where({ action: 'confirmation.suppressed', work_order_id: result.workOrderId })
    t.same(
      audit.map((a) => JSON.parse(a.details_json)),
      [{ to: 'mario.rossi@example.test', reason: 'unauthenticated sender', detail }]
    )
  })

  t.test('the authserv-id is set, shown and checked through the admin API', async (t) => {
    // a disabled mailbox: only its settings are under test, no watcher
    const created = await host.app.inject({
      method: 'POST',
      url: `${API}/mailboxes`,
      headers: auth('demo-admin'),
      payload: {
        name: 'impostazioni',
        host: dovecot.host,
        port: dovecot.port,
        username: `impostazioni${++users}@comune.example.test`,
        password: 'pw',
        enabled: false
      }
    })
    t.equal(created.statusCode, 201, created.body)
    const id = Number(created.json().id)
    t.teardown(() => host.app.inject({ method: 'DELETE', url: `${API}/mailboxes/${id}`, headers: auth('demo-admin') }))
    const patch = (payload: object, lang = 'it') =>
      host.app.inject({ method: 'PATCH', url: `${API}/mailboxes/${id}?lang=${lang}`, headers: auth('demo-admin'), payload })
    t.match(created.json(), { authservId: null, confirmUnauthenticated: false })
    const set = await patch({ authservId: 'MX.Comune.Example.Test' })
    t.equal(set.statusCode, 200, set.body)
    t.match(set.json(), { authservId: OURS, confirmUnauthenticated: false }, 'stored lower-case')
    const bad = await patch({ authservId: 'mx example; dmarc=pass' }, 'en')
    t.equal(bad.statusCode, 400)
    t.match(bad.json().message, 'the field "authservId" does not have the expected format')
    const cleared = await patch({ authservId: null })
    t.match(cleared.json(), { authservId: null })
  })
})
