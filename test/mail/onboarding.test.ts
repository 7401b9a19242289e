// Connecting a mailbox that already holds mail: by default only what arrives afterwards becomes work orders;
// 'all' takes the folder; a UIDVALIDITY rescan never answers anyone again. Real Dovecot on loopback.
import t from 'tap'
import { startDovecot } from '../helpers/dovecot.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { waitFor } from '../helpers/wait.js'

const fast = { leaseTtlMs: 1_500, backoff: { baseMs: 100, maxMs: 1_000 } }
const count = async (host: TestHost, table: string, where: Record<string, unknown> = {}) =>
  Number((await host.knex(table).where(where).count({ n: '*' }).first())?.n)
const health = async (host: TestHost) => (await host.app.inject({ url: '/api/communications/health', headers: auth('demo-viewer') })).json()
const idle = (host: TestHost) =>
  waitFor(
    () => health(host),
    (h) => h.mailboxes[0]?.state === 'idle',
    15_000,
    'the mailbox to be idle'
  )
const oldMail = (n: number, user: string) =>
  buildMail({
    from: 'mario.rossi@example.test',
    to: user,
    subject: `Vecchia pratica ${n}`,
    messageId: `<old-${n}-${user}>`,
    text: `Messaggio storico ${n}.`,
    date: new Date('2024-05-0' + n + 'T09:00:00Z')
  })

t.test('mailbox onboarding', async (t) => {
  const users = { 'storico@garbage.example.test': 'pw1', 'tutto@garbage.example.test': 'pw2', 'rinumera@garbage.example.test': 'pw3' }
  const dovecot = await startDovecot({ users, t })

  t.test('a mailbox with mail in it starts with the mail that arrives after the first connection', async (t) => {
    const user = 'storico@garbage.example.test'
    for (const n of [1, 2]) await dovecot.append(user, await oldMail(n, user), { internalDate: new Date(`2024-05-0${n}T09:00:00Z`) })
    const host = await startTestHost({ mail: { mailboxes: [{ url: dovecot.url(user) }], from: 'tari@garbage.example.test', ...fast } })
    t.teardown(() => host.close())
    const workOrders = await count(host, 'ordini_lavoro')
    const h = await idle(host)
    t.equal(h.mailboxes[0].lastUid, 2, 'the checkpoint starts after what was there')
    t.equal(await count(host, 'trc_messages', { direction: 'inbound' }), 0, 'history opens nothing')
    t.equal(await count(host, 'trc_outbox'), 0, 'and answers nobody')
    const state = await host.knex('trc_mailbox_state').first('onboarded_uid', 'onboarded_at')
    t.equal(Number(state.onboarded_uid), 2)
    t.ok(state.onboarded_at, 'the first connection is remembered')

    await dovecot.append(
      user,
      await buildMail({ from: 'mario.rossi@example.test', to: user, subject: 'Nuova segnalazione', messageId: `<new-1-${user}>`, text: 'Oggi.' })
    )
    await waitFor(
      () => count(host, 'trc_messages', { direction: 'inbound' }),
      (n) => n === 1,
      15_000,
      'the new mail'
    )
    t.equal(await count(host, 'ordini_lavoro'), workOrders + 1, 'one work order: the new mail')
    t.equal(await count(host, 'trc_outbox', { kind: 'confirmation' }), 1, 'one confirmation: the new mail')
    t.equal((await host.knex('trc_messages').first('subject').where({ direction: 'inbound' })).subject, 'Nuova segnalazione')
  })

  t.test("initialSync 'all' takes the whole folder as new contacts", async (t) => {
    const user = 'tutto@garbage.example.test'
    for (const n of [1, 2]) await dovecot.append(user, await oldMail(n, user), { internalDate: new Date(`2024-05-0${n}T09:00:00Z`) })
    const host = await startTestHost({ mail: { mailboxes: [{ url: dovecot.url(user), initialSync: 'all' }], from: 'tari@garbage.example.test', ...fast } })
    t.teardown(() => host.close())
    await waitFor(
      () => count(host, 'trc_messages', { direction: 'inbound' }),
      (n) => n === 2,
      15_000,
      'both mails'
    )
    t.equal((await idle(host)).mailboxes[0].lastUid, 2)
  })

  t.test('a UIDVALIDITY rescan answers nobody again and leaves history out', async (t) => {
    const user = 'rinumera@garbage.example.test'
    const folder = 'Reclami'
    await dovecot.append(user, await oldMail(1, user), { folder, internalDate: new Date('2024-05-01T09:00:00Z') })
    const host = await startTestHost({ mail: { mailboxes: [{ url: dovecot.url(user, folder) }], from: 'tari@garbage.example.test', ...fast } })
    t.teardown(() => host.close())
    await idle(host)
    const recent = await buildMail({
      from: 'mario.rossi@example.test',
      to: user,
      subject: 'Prima della rinumerazione',
      messageId: `<recent-${user}>`,
      text: 'Recente.'
    })
    await dovecot.append(user, recent, { folder })
    await waitFor(
      () => count(host, 'trc_messages', { direction: 'inbound' }),
      (n) => n === 1,
      15_000,
      'the recent mail'
    )
    const before = {
      workOrders: await count(host, 'ordini_lavoro'),
      outbox: await count(host, 'trc_outbox'),
      uidValidity: (await host.knex('trc_mailbox_state').first('uid_validity')).uid_validity
    }

    // The folder is recreated (a server migration does this): new UIDVALIDITY, the same mail appended again.
    await host.app.communications.mailboxes.stop()
    const client = await dovecot.connect(user, { disableAutoIdle: true })
    await client.mailboxDelete(folder)
    await client.mailboxCreate(folder)
    await client.logout()
    await dovecot.append(user, await oldMail(1, user), { folder, internalDate: new Date('2024-05-01T09:00:00Z') })
    await dovecot.append(user, recent, { folder })
    const fresh = await buildMail({
      from: 'mario.rossi@example.test',
      to: user,
      subject: 'Dopo la rinumerazione',
      messageId: `<fresh-${user}>`,
      text: 'Nuova.'
    })
    await dovecot.append(user, fresh, { folder })
    await host.app.communications.mailboxes.start()

    await waitFor(
      () => count(host, 'trc_messages', { direction: 'inbound' }),
      (n) => n === 2,
      30_000,
      'the mail after the rescan'
    )
    await waitFor(
      async () => (await host.knex('trc_mailbox_state').first('last_uid')).last_uid,
      (uid) => Number(uid) === 3,
      30_000,
      'the rescan to finish'
    )
    const state = await host.knex('trc_mailbox_state').first('uid_validity')
    t.not(state.uid_validity, before.uidValidity, 'the server renumbered the folder')
    t.equal(await count(host, 'ordini_lavoro'), before.workOrders + 1, 'the copy opens nothing; history stays out; the unseen mail is stored')
    t.equal(await count(host, 'trc_outbox'), before.outbox, 'nothing found by the rescan is answered')
    t.same(
      (await host.knex('trc_messages').select('subject').where({ direction: 'inbound' }).orderBy('id')).map((r) => r.subject),
      ['Prima della rinumerazione', 'Dopo la rinumerazione']
    )
  })
})
