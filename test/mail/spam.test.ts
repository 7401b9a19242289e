// Spam and blocked senders: no work order, no confirmation; kept in a list an operator releases or blocks from.
// Verdict headers as SpamAssassin, rspamd and Microsoft 365 write them; the $Junk keyword through real Dovecot.
import t from 'tap'
import { detectSpam } from '../../src/mail/spam.js'
import { startDovecot } from '../helpers/dovecot.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { authenticatedHeader } from '../helpers/mail.js'
import { waitFor } from '../helpers/wait.js'

const TO = 'reclami@garbage.example.test'
const crlf = (text: string) => Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1')
let serial = 0
const unique = () => `${Date.now()}.${++serial}`
const mail = (from: string, headers = '', subject = 'Offerta imperdibile') =>
  crlf(
    `${headers}From: ${from}\nTo: ${TO}\nSubject: ${subject}\nMessage-ID: <${unique()}@spam.example.test>\nDate: Tue, 01 Dec 2026 08:00:00 +0100\n\nCompra ora.\n`
  )
const count = async (host: TestHost, table: string, where: Record<string, unknown> = {}) =>
  Number((await host.knex(table).where(where).count({ n: '*' }).first())?.n)
const headersOf = (text: string) =>
  new Map(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()])
  ) as never

t.test('spam verdicts (pure)', async (t) => {
  t.same(detectSpam(headersOf('X-Spam-Flag: YES')), { reason: 'X-Spam-Flag: YES' })
  t.same(detectSpam(headersOf('X-Spam-Status: Yes, score=7.1 required=5.0 tests=BAYES_99')), {
    reason: 'X-Spam-Status: Yes, score=7.1 required=5.0 tests=BAYES_99'
  })
  t.same(detectSpam(headersOf('X-Spam: Yes')), { reason: 'X-Spam: Yes' })
  t.same(detectSpam(headersOf('X-MS-Exchange-Organization-SCL: 5')), { reason: 'SCL 5 (Microsoft 365)' })
  t.same(detectSpam(headersOf('X-Forefront-Antispam-Report: CIP:203.0.113.5;CTRY:;LANG:it;SCL:9;SRV:;IPV:NLI;')), { reason: 'SCL 9 (Microsoft 365)' })
  t.same(detectSpam(headersOf('X-Barracuda-Spam-Flag: YES')), { reason: 'X-Barracuda-Spam-Flag: YES' })
  t.same(detectSpam(new Map() as never, ['\\Seen', '$Junk']), { reason: 'IMAP keyword $Junk' })
  t.same(detectSpam(new Map() as never, ['Junk']), { reason: 'IMAP keyword Junk' })
  t.equal(detectSpam(headersOf('X-Spam-Flag: NO\nX-Spam-Status: No, score=0.1')), null, 'a clean verdict is no verdict')
  t.equal(detectSpam(headersOf('X-MS-Exchange-Organization-SCL: 1')), null, 'SCL 1 is not spam')
  t.equal(detectSpam(headersOf('X-MS-Exchange-Organization-SCL: -1')), null, 'SCL -1: safe sender')
  t.equal(detectSpam(new Map() as never, ['$Junk', '$NotJunk']), null, 'a user who marked it not junk wins')
})

t.test('spam list', async (t) => {
  const host = await startTestHost({ mail: { from: 'tari@garbage.example.test', startWorkers: false } })
  t.teardown(() => host.close())
  const ingest = host.app.communications.mail.ingest
  const list = async (token: 'demo-admin' | 'demo-operator' = 'demo-admin') => host.app.inject({ url: '/api/communications/spam', headers: auth(token) })

  t.test('flagged mail opens no work order, sends nothing, and waits in the list', async (t) => {
    const before = { workOrders: await count(host, 'ordini_lavoro'), outbox: await count(host, 'trc_outbox') }
    const result = await ingest(mail(`promo-${unique()}@spam.example.test`, 'X-Spam-Flag: YES\n'))
    t.equal(result.outcome, 'spam')
    t.equal(result.detail, 'X-Spam-Flag: YES')
    t.equal(await count(host, 'ordini_lavoro'), before.workOrders)
    t.equal(await count(host, 'trc_outbox'), before.outbox)
    const res = await list()
    t.equal(res.statusCode, 200)
    t.match(res.json().items[0], { subject: 'Offerta imperdibile', reason: 'X-Spam-Flag: YES', releasedAt: null })
    t.equal((await list('demo-operator')).statusCode, 403, 'the list is for administrators')
  })

  t.test('the same spam twice is one entry', async (t) => {
    const raw = mail(`twice-${unique()}@spam.example.test`, 'X-Spam-Status: Yes, score=9\n')
    t.equal((await ingest(raw)).outcome, 'spam')
    t.equal((await ingest(raw)).outcome, 'duplicate')
  })

  t.test('a release goes through the normal ingest: work order and confirmation; twice is refused', async (t) => {
    const from = `citizen-${unique()}@example.test`
    // the receiving server authenticated the sender: the released mail is confirmed (see backscatter.test.ts)
    await ingest(mail(from, `Authentication-Results: ${authenticatedHeader(from)}\nX-MS-Exchange-Organization-SCL: 6\n`, 'Cassonetto rotto'))
    const entry = (await list()).json().items.find((i: { from: string }) => i.from === from)
    const before = await count(host, 'trc_outbox', { kind: 'confirmation' })
    const res = await host.app.inject({ method: 'POST', url: `/api/communications/spam/${entry.id}/release`, headers: auth('demo-operator') })
    t.equal(res.statusCode, 200)
    t.equal(res.json().outcome, 'created')
    t.equal(res.json().entry.releasedBy, 'demo-operator')
    const wo = await host.knex('ordini_lavoro').first('oggetto').where('id_odl', res.json().workOrderId)
    t.equal(wo.oggetto, 'Cassonetto rotto')
    t.equal(await count(host, 'trc_outbox', { kind: 'confirmation' }), before + 1)
    t.notOk(
      (await list()).json().items.some((i: { id: number }) => i.id === entry.id),
      'released entries leave the list'
    )
    const again = await host.app.inject({ method: 'POST', url: `/api/communications/spam/${entry.id}/release`, headers: auth('demo-operator') })
    t.equal(again.statusCode, 409)
    t.equal(again.json().message, `Il messaggio ${entry.id} è già stato rilasciato dalla lista spam.`)
    const en = await host.app.inject({
      method: 'POST',
      url: `/api/communications/spam/${entry.id}/release`,
      headers: { ...auth('demo-operator'), 'accept-language': 'en' }
    })
    t.equal(en.json().message, `Message ${entry.id} has already been released from the spam list.`)
    t.equal(await count(host, 'trc_messages', { from_address: from }), 1, 'released once, stored once')
    t.equal((await host.app.inject({ method: 'POST', url: '/api/communications/spam/999999/release', headers: auth('demo-operator') })).statusCode, 404)
    t.equal((await host.app.inject({ method: 'POST', url: `/api/communications/spam/${entry.id}/release`, headers: auth('demo-viewer') })).statusCode, 403)
  })

  t.test('blocking a sender or a domain sends their later mail to the list', async (t) => {
    const domain = `blocked-${unique()}.example.test`
    await ingest(mail(`first@${domain}`, 'X-Spam-Flag: YES\n'))
    const entry = (await list()).json().items.find((i: { from: string }) => i.from === `first@${domain}`)
    const rule = await host.app.inject({
      method: 'POST',
      url: `/api/communications/spam/${entry.id}/block`,
      headers: auth('demo-operator'),
      payload: { scope: 'domain' }
    })
    t.equal(rule.statusCode, 201)
    t.equal(rule.json().pattern, `@${domain}`)
    const later = await ingest(mail(`other@${domain}`, '', 'Sembro pulito'))
    t.equal(later.outcome, 'spam')
    t.equal(later.detail, `mittente bloccato (@${domain})`)
    const dup = await host.app.inject({
      method: 'POST',
      url: `/api/communications/spam/${entry.id}/block`,
      headers: auth('demo-operator'),
      payload: { scope: 'domain' }
    })
    t.equal(dup.statusCode, 409)
    const removed = await host.app.inject({ method: 'DELETE', url: `/api/communications/blocked-senders/${rule.json().id}`, headers: auth('demo-admin') })
    t.equal(removed.statusCode, 204)
    t.equal((await ingest(mail(`third@${domain}`, '', 'Di nuovo ammesso'))).outcome, 'created', 'unblocked: normal mail again')
  })

  t.test('administrators add rules by hand; a malformed one is refused in the caller language', async (t) => {
    const address = `Molesto-${unique()}@Example.test`
    const res = await host.app.inject({
      method: 'POST',
      url: '/api/communications/blocked-senders',
      headers: auth('demo-admin'),
      payload: { pattern: address }
    })
    t.equal(res.statusCode, 201)
    t.equal(res.json().pattern, address.toLowerCase())
    t.equal((await ingest(mail(address.toLowerCase()))).outcome, 'spam')
    const bad = await host.app.inject({
      method: 'POST',
      url: '/api/communications/blocked-senders',
      headers: auth('demo-admin'),
      payload: { pattern: 'non un indirizzo' }
    })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().message, 'Regola non valida: "non un indirizzo". Indica un indirizzo (nome@dominio.it) o un dominio (@dominio.it).')
    t.equal(
      (await host.app.inject({ method: 'POST', url: '/api/communications/blocked-senders', headers: auth('demo-operator'), payload: { pattern: '@x.it' } }))
        .statusCode,
      403
    )
    const rules = (await host.app.inject({ url: '/api/communications/blocked-senders', headers: auth('demo-admin') })).json().items
    t.ok(rules.some((r: { pattern: string }) => r.pattern === address.toLowerCase()))
  })
})

t.test('the $Junk keyword set by the server sends mail to the list (real Dovecot)', async (t) => {
  const user = 'junk@garbage.example.test'
  const dovecot = await startDovecot({ users: { [user]: 'pw' }, t })
  const host = await startTestHost({
    mail: { mailboxes: [{ url: dovecot.url(user) }], from: 'tari@garbage.example.test', leaseTtlMs: 1_500, backoff: { baseMs: 100, maxMs: 1_000 } }
  })
  t.teardown(() => host.close())
  await waitFor(
    async () => (await host.app.inject({ url: '/api/communications/health', headers: auth('demo-viewer') })).json(),
    (h) => h.mailboxes[0]?.state === 'idle',
    15_000,
    'idle'
  )
  await dovecot.append(user, mail('spammer@spam.example.test'), { flags: ['$Junk'] })
  await dovecot.append(user, mail('mario.rossi@example.test', '', 'Raccolta saltata'))
  await waitFor(
    () => count(host, 'trc_messages', { direction: 'inbound' }),
    (n) => n === 1,
    15_000,
    'the clean mail'
  )
  await waitFor(
    () => count(host, 'trc_spam'),
    (n) => n === 1,
    15_000,
    'the junk mail'
  )
  t.equal((await host.knex('trc_spam').first('reason')).reason, 'IMAP keyword $Junk')
  t.equal((await host.knex('trc_messages').first('subject').where({ direction: 'inbound' })).subject, 'Raccolta saltata')
})
