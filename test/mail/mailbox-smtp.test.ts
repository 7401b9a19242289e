// Each mailbox sends through its own outgoing server: IMAP_URL's `?smtp=` (and the admin API) name it, replies,
// forwards and confirmations leave through the server of the mailbox the citizen wrote to, everything else through
// the default SMTP_URL; the server's password is encrypted at rest and never returned.
import t from 'tap'
import { parseImapUrl } from '../../src/mail/mailbox-manager.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp.js'

const API = '/api/communications'
const withSmtp = (imap: string, smtp: string, extra = '') => `${imap}?smtp=${encodeURIComponent(smtp)}${extra}`
const smtpWithUser = (server: SmtpTestServer, user: string, pass: string) =>
  `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@${server.host}:${server.port}`

async function citizenWrites(host: TestHost, mailboxId: number | null, to: string, subject: string) {
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to,
    subject,
    text: 'Il cassonetto è rotto.',
    messageId: `<c.${Date.now()}.${Math.random()}@example.test>`
  })
  const result = await host.app.communications.mail.ingest(raw, { mailboxId, receivedAt: new Date('2026-03-02T09:00:00Z') })
  return result.workOrderId as number
}

async function mailboxIdOf(host: TestHost, username: string): Promise<number> {
  const row = await host.knex('trc_mailboxes').first('id').where({ username })
  return Number(row.id)
}

t.test('IMAP_URL: ?smtp= names the outgoing server and pec=1 a PEC mailbox', async (t) => {
  const smtp = 'smtps://pec%40comune.example.test:Segreta%3A1@smtps.pec.provider.test:465'
  t.same(parseImapUrl(withSmtp('imaps://pec%40comune.example.test:pw@imaps.pec.provider.test/INBOX', smtp, '&pec=1')), {
    host: 'imaps.pec.provider.test',
    port: 993,
    secure: true,
    username: 'pec@comune.example.test',
    password: 'pw',
    folder: 'INBOX',
    smtpUrl: smtp,
    pec: true,
    pecProviderDomain: null,
    verp: true
  })
  t.same(parseImapUrl('imap://u:p@127.0.0.1:1143/Posta%20in%20arrivo'), {
    host: '127.0.0.1',
    port: 1143,
    secure: false,
    username: 'u',
    password: 'p',
    folder: 'Posta in arrivo',
    smtpUrl: null,
    pec: false,
    pecProviderDomain: null,
    verp: true
  })
  t.throws(() => parseImapUrl(withSmtp('imap://u:p@h/INBOX', 'http://relay.example.test')), /not an SMTP URL/)
})

t.test('two mailboxes with two servers: each confirmation and reply leaves through the server of the mailbox written to', async (t) => {
  const [serverA, serverB, fallback] = [await startSmtpServer({ t }), await startSmtpServer({ t }), await startSmtpServer({ t })]
  const host = await startTestHost({
    mail: {
      from: '"Ufficio TARI" <tari@garbage.example.test>',
      startWorkers: false,
      smtp: { url: fallback.url },
      mailboxes: [
        { url: withSmtp('imap://reclami%40garbage.example.test:pw@127.0.0.1:1/INBOX', smtpWithUser(serverA, 'reclami@garbage.example.test', 'SmtpA#1')) },
        { url: withSmtp('imap://tari%40comune.example.test:pw@127.0.0.1:1/INBOX', smtpWithUser(serverB, 'tari@comune.example.test', 'SmtpB#2')) }
      ]
    }
  })
  t.teardown(() => host.close())
  const a = await mailboxIdOf(host, 'reclami@garbage.example.test')
  const b = await mailboxIdOf(host, 'tari@comune.example.test')
  const woA = await citizenWrites(host, a, 'reclami@garbage.example.test', 'Cassonetto rotto in via Roma')
  const woB = await citizenWrites(host, b, 'tari@comune.example.test', 'Bolletta TARI sbagliata')
  await host.app.communications.outbox.runOnce()
  t.same(
    serverA.messages.map((m) => [m.envelope.to, m.parsed.from?.value[0]?.address, m.session.user]),
    [[['mario.rossi@example.test'], 'reclami@garbage.example.test', 'reclami@garbage.example.test']],
    'A: the confirmation for A'
  )
  t.same(
    serverB.messages.map((m) => [m.envelope.to, m.parsed.from?.value[0]?.address, m.session.user]),
    [[['mario.rossi@example.test'], 'tari@comune.example.test', 'tari@comune.example.test']],
    'B: the confirmation for B'
  )
  t.equal(fallback.messages.length, 0)

  for (const [wo, text] of [
    [woA, 'Risposta da A'],
    [woB, 'Risposta da B']
  ] as const) {
    const res = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${wo}/reply`,
      headers: auth('demo-operator'),
      payload: { html: `<p>${text}</p>` }
    })
    t.equal(res.statusCode, 201, res.body)
  }
  const fwd = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${woB}/forward`,
    headers: auth('demo-operator'),
    payload: { to: 'ufficio.tecnico@comune.example.test', note: '<p>Per competenza</p>' }
  })
  t.equal(fwd.statusCode, 201, fwd.body)
  const stats = await host.app.communications.outbox.runOnce()
  t.same(stats, { sent: 3, retried: 0, failed: 0 })
  t.same(
    serverA.messages.slice(1).map((m) => [m.parsed.subject, m.parsed.text?.trim()]),
    [[`Re: Cassonetto rotto in via Roma [OdL #${woA}]`, 'Risposta da A']]
  )
  // sent in parallel: arrival order is not queue order
  t.same(
    serverB.messages
      .slice(1)
      .map((m) => [m.envelope.to[0], m.parsed.from?.value[0]?.address])
      .sort(),
    [
      ['mario.rossi@example.test', 'tari@comune.example.test'],
      ['ufficio.tecnico@comune.example.test', 'tari@comune.example.test']
    ],
    'reply and forward of B through B'
  )
  t.equal(fallback.messages.length, 0, 'nothing through the default server')
  const outbound = await host.knex('trc_messages').where({ direction: 'outbound' }).orderBy('id')
  t.same(
    outbound.map((m) => [Number(m.work_order_id), Number(m.mailbox_id), m.delivery_status]),
    [
      [woA, a, 'sent'],
      [woB, b, 'sent'],
      [woA, a, 'sent'],
      [woB, b, 'sent'],
      [woB, b, 'sent']
    ],
    'each outbound message records its mailbox'
  )

  // a web submission has no mailbox: the default server
  const web = await citizenWrites(host, null, 'tari@garbage.example.test', 'Senza casella')
  await host.app.communications.outbox.runOnce()
  t.same(
    fallback.messages.map((m) => [m.envelope.to[0], m.parsed.subject?.includes(`#${web}`)]),
    [['mario.rossi@example.test', true]]
  )
})

t.test('the admin API sets, shows (without its password) and removes a mailbox server; the secret is encrypted at rest', async (t) => {
  const [own, fallback] = [await startSmtpServer({ t }), await startSmtpServer({ t })]
  const host = await startTestHost({ mail: { from: 'tari@garbage.example.test', startWorkers: false, smtp: { url: fallback.url } } })
  t.teardown(() => host.close())
  const api = (method: 'POST' | 'PATCH' | 'GET', url: string, payload?: object) =>
    host.app.inject({ method, url: `${API}${url}`, headers: auth('demo-admin'), ...(payload ? { payload } : {}) })
  const created = await api('POST', '/mailboxes', {
    name: 'PEC',
    host: '127.0.0.1',
    port: 1,
    username: 'pec@comune.example.test',
    password: 'imap-pw',
    fromAddress: 'pec@comune.example.test',
    smtpUrl: smtpWithUser(own, 'pec@comune.example.test', 'Molto#Segreta'),
    pec: true,
    enabled: false
  })
  t.equal(created.statusCode, 201, created.body)
  t.match(created.json(), { pec: true, smtp: { host: '127.0.0.1', port: own.port, secure: false, username: 'pec@comune.example.test', hasPassword: true } })
  t.notMatch(created.body, /Molto|Segreta|smtpUrl|Encrypted/, 'the server password never comes back')
  const listed = await api('GET', '/mailboxes')
  t.notMatch(listed.body, /Molto#Segreta|Molto%23Segreta/)
  const stored = await host.knex('trc_mailboxes').first('smtp_url_encrypted', 'pec')
  t.match(stored.smtp_url_encrypted, /^v1:/)
  t.notMatch(stored.smtp_url_encrypted, /Segreta|127\.0\.0\.1/)
  const audit = await host.knex('trc_audit_log').where({ action: 'mailbox.created' }).first('details_json')
  t.notMatch(JSON.stringify(audit), /Segreta/)

  const bad = await host.app.inject({
    method: 'PATCH',
    url: `${API}/mailboxes/${created.json().id}`,
    headers: { ...auth('demo-admin'), 'accept-language': 'en' },
    payload: { smtpUrl: 'http://relay.example.test' }
  })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /smtpUrl/)

  const id = created.json().id as number
  const wo = await citizenWrites(host, id, 'pec@comune.example.test', 'Via PEC')
  await host.app.communications.outbox.runOnce()
  t.equal(own.messages.length, 1, 'the confirmation leaves through the mailbox server')
  const cleared = await api('PATCH', `/mailboxes/${id}`, { smtpUrl: null })
  t.equal(cleared.json().smtp, null)
  const reply = await api('POST', `/work-orders/${wo}/reply`, { html: '<p>ok</p>' })
  t.equal(reply.statusCode, 201, reply.body)
  await host.app.communications.outbox.runOnce()
  t.same([own.messages.length, fallback.messages.length], [1, 1], 'without its own server the mailbox falls back to the default')
})
