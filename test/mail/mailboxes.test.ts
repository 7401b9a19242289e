// Mailbox administration through the API against a real Dovecot: create, test, change, disable, delete;
// secrets never returned; UIDVALIDITY change and "move processed mail" behaviour.
import t from 'tap'
import { startDovecot } from '../helpers/dovecot.js'
import { auth, startTestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { waitFor } from '../helpers/wait.js'

const fast = { leaseTtlMs: 1_500, backoff: { baseMs: 100, maxMs: 1_000 } }

t.test('mailbox administration', async (t) => {
  const dovecot = await startDovecot({
    users: { 'pec@garbage.example.test': 'Parola#Segreta', 'sposta@garbage.example.test': 'pw', 'uidv@garbage.example.test': 'pw' },
    t
  })
  const host = await startTestHost({ mail: { from: 'tari@garbage.example.test', ...fast } })
  t.teardown(() => host.close())
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, token: 'demo-admin' | 'demo-operator' = 'demo-admin') =>
    host.app.inject({ method, url: `/api/communications${url}`, headers: auth(token), ...(payload ? { payload } : {}) })
  const inbound = async () => Number((await host.knex('trc_messages').where({ direction: 'inbound' }).count({ n: '*' }).first())?.n)

  let id = 0
  t.test('create, validate, test the connection; the password never comes back', async (t) => {
    t.equal((await api('GET', '/mailboxes', undefined, 'demo-operator')).statusCode, 403, 'operators do not administer mailboxes')
    const invalid = await api('POST', '/mailboxes', { name: 'PEC', host: 'bad host!', username: 'x', password: 'y' })
    t.equal(invalid.statusCode, 400)
    t.match(invalid.json().message, /host/)
    const missing = await api('POST', '/mailboxes', { name: 'PEC', host: '127.0.0.1' })
    t.equal(missing.statusCode, 400)
    t.equal(Number((await host.knex('trc_mailboxes').count({ n: '*' }).first())?.n), 0, 'nothing stored on bad input')

    const wrong = await api('POST', '/mailboxes/test', { host: '127.0.0.1', port: dovecot.port, username: 'pec@garbage.example.test', password: 'sbagliata' })
    t.equal(wrong.json().ok, false)
    t.match(
      wrong.json().error,
      /^Accesso IMAP rifiutato per l'utente "pec@garbage\.example\.test" su 127\.0\.0\.1:\d+: il server ha risposto "Authentication failed\."/
    )

    const created = await api('POST', '/mailboxes', {
      name: 'PEC protocollo',
      host: '127.0.0.1',
      port: dovecot.port,
      username: 'pec@garbage.example.test',
      password: 'Parola#Segreta',
      fromAddress: 'pec@garbage.example.test',
      fromName: 'Protocollo'
    })
    t.equal(created.statusCode, 201)
    id = created.json().id
    t.notMatch(created.body, /Parola#Segreta|password_?[eE]ncrypted/)
    t.equal(created.json().hasPassword, true)
    const tested = await api('POST', `/mailboxes/${id}/test`)
    t.match(tested.json(), { ok: true, messages: 0 })
    t.match(tested.json().uidValidity, /^\d+$/)
    const audit = await host.knex('trc_audit_log').where({ action: 'mailbox.created' })
    t.equal(audit.length, 1)
  })

  t.test('the new mailbox is watched at once; disabling stops it; enabling resumes', async (t) => {
    await dovecot.append(
      'pec@garbage.example.test',
      await buildMail({ from: 'mario.rossi@example.test', to: 'pec@garbage.example.test', subject: 'Prima', text: 'x' })
    )
    await waitFor(inbound, (n) => n === 1, 10_000, 'first mail')
    const disabled = await api('PATCH', `/mailboxes/${id}`, { enabled: false })
    t.equal(disabled.json().enabled, false)
    t.equal(host.app.communications.mailboxes.isWatching(id), false)
    await dovecot.append(
      'pec@garbage.example.test',
      await buildMail({ from: 'mario.rossi@example.test', to: 'pec@garbage.example.test', subject: 'Durante la pausa', text: 'x' })
    )
    await new Promise((r) => setTimeout(r, 1_000))
    t.equal(await inbound(), 1, 'not picked up while disabled')
    const health = (await api('GET', '/health')).json()
    t.equal(health.mailboxes[0].state, 'disabled')
    await api('PATCH', `/mailboxes/${id}`, { enabled: true })
    await waitFor(inbound, (n) => n === 2, 10_000, 'catch-up after enabling')
    t.pass('resumed from the checkpoint')
  })

  t.test('a password change is stored encrypted and used for the next connection', async (t) => {
    const res = await api('PATCH', `/mailboxes/${id}`, { password: 'sbagliata' })
    t.equal(res.statusCode, 200)
    t.notMatch(res.body, /sbagliata/)
    const state = await waitFor(
      async () => (await api('GET', '/health')).json().mailboxes[0],
      (m) => m.state === 'backoff' && !!m.lastError,
      10_000,
      'auth failure shown'
    )
    t.ok(state.lastError)
    await api('PATCH', `/mailboxes/${id}`, { password: 'Parola#Segreta' })
    await waitFor(
      async () => (await api('GET', '/health')).json().mailboxes[0].state,
      (s) => s === 'idle',
      10_000,
      'idle again'
    )
  })

  t.test('delete', async (t) => {
    t.equal((await api('DELETE', `/mailboxes/${id}`)).statusCode, 204)
    t.equal((await api('DELETE', `/mailboxes/${id}`)).statusCode, 404)
    t.equal(host.app.communications.mailboxes.isWatching(id), false)
    t.equal(await inbound(), 2, 'stored messages stay')
  })

  t.test('move processed mail to a folder, only when configured', async (t) => {
    const created = await api('POST', '/mailboxes', {
      name: 'Sposta',
      host: '127.0.0.1',
      port: dovecot.port,
      username: 'sposta@garbage.example.test',
      password: 'pw',
      moveToFolder: 'Elaborati'
    })
    const moveId = created.json().id
    const client = await dovecot.connect('sposta@garbage.example.test')
    t.teardown(() => client.logout())
    await client.mailboxCreate('Elaborati').catch(() => undefined)
    const before = await inbound()
    await dovecot.append(
      'sposta@garbage.example.test',
      await buildMail({ from: 'anna.bianchi@example.test', to: 'sposta@garbage.example.test', subject: 'Da spostare', text: 'x' })
    )
    await waitFor(inbound, (n) => n === before + 1, 10_000, 'ingested')
    const moved = await waitFor(
      async () => (await client.status('Elaborati', { messages: true })) || { messages: 0 },
      (s) => s.messages === 1,
      10_000,
      'moved'
    )
    t.equal(moved.messages, 1)
    const inboxStatus = await client.status('INBOX', { messages: true })
    t.equal(inboxStatus && inboxStatus.messages, 0, 'gone from INBOX')
    await api('DELETE', `/mailboxes/${moveId}`)
  })

  t.test('UIDVALIDITY change: rescan, nothing lost, nothing duplicated', async (t) => {
    const user = 'uidv@garbage.example.test'
    const client = await dovecot.connect(user)
    t.teardown(() => client.logout().catch(() => undefined))
    await client.mailboxCreate('Reclami')
    const mails = await Promise.all(
      [0, 1, 2].map((i) => buildMail({ from: `uidv${i}@example.test`, to: user, subject: `UIDV ${i}`, messageId: `<uidv-${i}@example.test>`, text: 'x' }))
    )
    for (const m of mails) await client.append('Reclami', m)
    const created = await api('POST', '/mailboxes', {
      name: 'UIDV',
      host: '127.0.0.1',
      port: dovecot.port,
      username: user,
      password: 'pw',
      folder: 'Reclami',
      initialSync: 'all'
    })
    const mbId = created.json().id
    const before = await inbound()
    await waitFor(inbound, (n) => n === before + 3, 10_000, 'initial three')
    const first = await host.knex('trc_mailbox_state').first('uid_validity').where('mailbox_id', mbId)

    // while the watcher is away, the folder is recreated (as a server migration would): new UIDVALIDITY,
    // the same mail plus one new; the change is detected when the watcher selects the folder again
    await api('PATCH', `/mailboxes/${mbId}`, { enabled: false })
    await client.mailboxDelete('Reclami')
    await client.mailboxCreate('Reclami')
    for (const m of mails) await client.append('Reclami', m)
    await client.append(
      'Reclami',
      await buildMail({ from: 'uidv9@example.test', to: user, subject: 'UIDV nuovo', messageId: '<uidv-new@example.test>', text: 'x' })
    )
    await api('PATCH', `/mailboxes/${mbId}`, { enabled: true })
    await waitFor(inbound, (n) => n === before + 4, 20_000, 'the new message after the rescan')
    const state = await waitFor(
      async () => host.knex('trc_mailbox_state').first('uid_validity', 'last_uid').where('mailbox_id', mbId),
      (s) => Number(s.last_uid) === 4,
      10_000,
      'checkpoint under the new UIDVALIDITY'
    )
    t.not(state.uid_validity, first.uid_validity, 'UIDVALIDITY changed')
    await new Promise((r) => setTimeout(r, 500))
    t.equal(await inbound(), before + 4, 'the three old messages were not stored again')
    await api('DELETE', `/mailboxes/${mbId}`)
  })
})
