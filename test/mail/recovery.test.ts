// A mailbox that goes wrong says what is wrong, comes back quickly, and tells the administrators (real Dovecot and
// a real SMTP server): the reconnect backoff starts over after every healthy connection, a refused login is
// reported with the server's words in Italian and English, and a mailbox failing for longer than the configured
// time mails the administrators once, and once more when it recovers.
import t from 'tap'
import { startDovecot } from '../helpers/dovecot.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { startSmtpServer } from '../helpers/smtp.js'
import { buildMail } from '../helpers/mail.js'
import { waitFor } from '../helpers/wait.js'

const inboundCount = (host: Pick<TestHost, 'knex'>) => async () =>
  Number((await host.knex('trc_messages').where({ direction: 'inbound' }).count({ n: '*' }).first())?.n)
const health = async (host: TestHost, lang: 'it' | 'en' = 'it') =>
  (await host.app.inject({ url: '/api/communications/health', headers: { ...auth('demo-viewer'), 'accept-language': lang } })).json()

t.test('recovery', async (t) => {
  const users = { 'blip@garbage.example.test': 'pw1', 'login@garbage.example.test': 'giusta', 'allarme@garbage.example.test': 'giusta' }
  const dovecot = await startDovecot({ users, t })

  t.test('after each of five Dovecot restarts in a row, mail flows again within seconds (the backoff starts over)', async (t) => {
    const user = 'blip@garbage.example.test'
    // the default backoff: without the reset, five blips cost 2^5 s and more
    const host = await startTestHost({ mail: { mailboxes: [{ url: dovecot.url(user) }], leaseTtlMs: 1_500 } })
    t.teardown(() => host.close())
    await waitFor(
      async () => (await health(host)).mailboxes[0]?.state,
      (s) => s === 'idle',
      10_000,
      'idle'
    )
    for (let i = 1; i <= 5; i++) {
      await dovecot.restart()
      await dovecot.append(user, await buildMail({ from: `cittadino${i}@example.test`, to: user, subject: `Dopo il riavvio ${i}`, text: 'x' }))
      await waitFor(inboundCount(host), (n) => n === i, 10_000, `the mail after restart ${i}`)
    }
    t.equal(await inboundCount(host)(), 5, 'every mail stored once')
    const h = await waitFor(
      () => health(host),
      (h) => h.mailboxes[0]?.state === 'idle',
      5_000,
      'idle'
    )
    t.equal(h.mailboxes[0].failingSince, null, 'not failing any more')
  })

  t.test('a refused login says what failed, in Italian and in English', async (t) => {
    const user = 'login@garbage.example.test'
    const url = dovecot.url(user).replace(':giusta@', ':sbagliata@')
    const host = await startTestHost({ mail: { mailboxes: [{ url }], leaseTtlMs: 1_500, backoff: { baseMs: 100, maxMs: 200 } } })
    t.teardown(() => host.close())
    const it = await waitFor(
      () => health(host, 'it'),
      (h) => !!h.mailboxes[0]?.lastError,
      10_000,
      'the login error'
    )
    t.equal(it.mailboxes[0].state, 'backoff')
    t.equal(
      it.mailboxes[0].lastError,
      `Accesso IMAP rifiutato per l'utente "${user}" su 127.0.0.1:${dovecot.port}: il server ha risposto "Authentication failed.". Controlla utente e password.`
    )
    t.ok(it.mailboxes[0].failingSince, 'health shows since when it fails')
    const en = await health(host, 'en')
    t.equal(
      en.mailboxes[0].lastError,
      `IMAP login refused for user "${user}" on 127.0.0.1:${dovecot.port}: the server said "Authentication failed.". Check the user name and password.`
    )
    const id = it.mailboxes[0].id
    const tested = await host.app.inject({
      method: 'POST',
      url: `/api/communications/mailboxes/${id}/test`,
      headers: { ...auth('demo-admin'), 'accept-language': 'en' }
    })
    t.same(tested.json(), { ok: false, error: en.mailboxes[0].lastError }, 'the connection test says the same')
  })

  t.test('a mailbox failing longer than configured mails the administrators once, and once when it recovers', async (t) => {
    const user = 'allarme@garbage.example.test'
    const smtp = await startSmtpServer({ t })
    const url = dovecot.url(user).replace(':giusta@', ':sbagliata@')
    const host = await startTestHost({
      mail: {
        mailboxes: [{ url, name: 'Reclami' }],
        from: 'tari@garbage.example.test',
        smtp: { url: smtp.url },
        leaseTtlMs: 1_500,
        backoff: { baseMs: 100, maxMs: 200 },
        failureAlerts: { to: ['admin@garbage.example.test', 'it@garbage.example.test'], afterMs: 1_000, checkMs: 100 }
      }
    })
    t.teardown(() => host.close())
    const [alert] = await smtp.waitFor(1, 15_000)
    t.same(alert?.envelope.to, ['admin@garbage.example.test', 'it@garbage.example.test'])
    t.match(alert?.parsed.subject, /^Casella "Reclami" non funzionante dal \d{2}\/\d{2}\/\d{4}/)
    t.match(alert?.parsed.text, /Ultimo errore: Accesso IMAP rifiutato per l'utente "allarme@garbage\.example\.test"/)
    const failing = await health(host)
    t.ok(failing.mailboxes[0].failingSince, 'health shows since when')
    t.ok(failing.mailboxes[0].alertSentAt, 'and that the administrators were told')
    await new Promise((r) => setTimeout(r, 800)) // several more checks while it still fails
    t.equal(smtp.messages.length, 1, 'alerted once')

    const id = failing.mailboxes[0].id
    const fixed = await host.app.inject({
      method: 'PATCH',
      url: `/api/communications/mailboxes/${id}`,
      headers: auth('demo-admin'),
      payload: { password: 'giusta' }
    })
    t.equal(fixed.statusCode, 200)
    const [, recovered] = await smtp.waitFor(2, 15_000)
    t.match(recovered?.parsed.subject, 'Casella "Reclami" di nuovo funzionante')
    const ok = await health(host)
    t.match(ok.mailboxes[0], { state: 'idle', failingSince: null, alertSentAt: null, lastError: null })
    await new Promise((r) => setTimeout(r, 500))
    t.equal(smtp.messages.length, 2, 'one notice each way')
    t.equal((await host.knex('trc_audit_log').whereIn('action', ['mailbox.alert', 'mailbox.recovered'])).length, 2)
  })
})
