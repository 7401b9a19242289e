// Importing a mailbox's history as an archive: stored and threaded, closed and historical, never answered, out
// of the ARERA register unless included; progress in the admin API. Real Dovecot on loopback.
import t from 'tap'
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { waitFor } from '../helpers/wait.js'

const fast = { leaseTtlMs: 1_500, backoff: { baseMs: 100, maxMs: 1_000 } }
const count = async (host: TestHost, table: string, where: Record<string, unknown> = {}) =>
  Number((await host.knex(table).where(where).count({ n: '*' }).first())?.n)
const api = (host: TestHost, method: 'GET' | 'POST', url: string, payload?: object, token: 'demo-admin' | 'demo-operator' = 'demo-admin', lang = 'it') =>
  host.app.inject({ method, url: `/api/communications${url}`, headers: { ...auth(token), 'accept-language': lang }, ...(payload ? { payload } : {}) })

async function connected(dovecot: DovecotInstance, user: string): Promise<{ host: TestHost; mailboxId: number }> {
  const host = await startTestHost({ mail: { mailboxes: [{ url: dovecot.url(user) }], from: 'tari@garbage.example.test', ...fast } })
  const h = await waitFor(
    async () => (await api(host, 'GET', '/health')).json(),
    (h) => h.mailboxes[0]?.state === 'idle',
    15_000,
    'idle'
  )
  return { host, mailboxId: h.mailboxes[0].id as number }
}

async function finished(host: TestHost, mailboxId: number) {
  return waitFor(
    async () => (await api(host, 'GET', `/mailboxes/${mailboxId}/archive-import`)).json().items[0],
    (job) => job?.status !== 'running',
    30_000,
    'the import'
  )
}

t.test('archive import', async (t) => {
  const users = { 'archivio@garbage.example.test': 'pw1', 'registro@garbage.example.test': 'pw2' }
  const dovecot = await startDovecot({ users, t })

  t.test('history since a date comes in closed, threaded, unanswered and out of the register', async (t) => {
    const user = 'archivio@garbage.example.test'
    const old = [
      { id: '<arch-2024@example.test>', subject: 'Prima del periodo', date: '2024-03-01T09:00:00Z' },
      { id: '<arch-feb@example.test>', subject: 'Cassonetto rotto', date: '2025-02-10T09:00:00Z' },
      { id: '<arch-feb-re@example.test>', subject: 'Re: Cassonetto rotto', date: '2025-02-12T09:00:00Z', inReplyTo: '<arch-feb@example.test>' },
      { id: '<arch-jun@example.test>', subject: 'Bolletta errata', date: '2025-06-01T09:00:00Z' }
    ]
    for (const m of old) {
      const raw = await buildMail({
        from: 'mario.rossi@example.test',
        to: user,
        subject: m.subject,
        messageId: m.id,
        inReplyTo: m.inReplyTo,
        references: m.inReplyTo ? [m.inReplyTo] : undefined,
        text: `${m.subject}.`,
        date: new Date(m.date)
      })
      await dovecot.append(user, raw, { internalDate: new Date(m.date) })
    }
    const { host, mailboxId } = await connected(dovecot, user)
    t.teardown(() => host.close())
    t.equal(await count(host, 'trc_messages', { direction: 'inbound' }), 0, 'connecting imports nothing')

    t.equal((await api(host, 'POST', `/mailboxes/${mailboxId}/archive-import`, { since: '2025-01-01' }, 'demo-operator')).statusCode, 403)
    const bad = await api(host, 'POST', `/mailboxes/${mailboxId}/archive-import`, { since: '2025-02-30' })
    t.equal(bad.statusCode, 400)
    t.equal(
      bad.json().message,
      'Il parametro "since" non è una data valida: "2025-02-30". Usa un giorno che esiste, dal 2000 al 2100, nel formato AAAA-MM-GG (per esempio 2026-01-31).'
    )
    t.equal(
      (await api(host, 'POST', '/mailboxes/99999/archive-import', { since: '2025-01-01' }, 'demo-admin', 'en')).json().message,
      'Mailbox 99999 not found.'
    )

    const workOrders = await count(host, 'ordini_lavoro')
    const started = await api(host, 'POST', `/mailboxes/${mailboxId}/archive-import`, { since: '2025-01-01' })
    t.equal(started.statusCode, 202)
    t.equal(started.json().status, 'running')
    const job = await finished(host, mailboxId)
    t.match(job, { status: 'done', total: 3, done: 3, stored: 3, duplicates: 0, errors: 0, lastError: null, includeInRegister: false })
    t.ok(job.messagesPerSecond > 0, 'the rate is reported')

    const stored = await host.knex('trc_messages').select('subject', 'work_order_id').where({ direction: 'inbound' }).orderBy('id')
    t.same(
      stored.map((m) => m.subject),
      ['Cassonetto rotto', 'Re: Cassonetto rotto', 'Bolletta errata'],
      'only mail since the date'
    )
    t.equal(stored[0].work_order_id, stored[1].work_order_id, 'the reply joins its conversation')
    t.equal(await count(host, 'ordini_lavoro'), workOrders + 2)
    const hosts = await host.knex('ordini_lavoro').select('stato').whereIn('id_odl', [stored[0].work_order_id, stored[2].work_order_id])
    t.same(
      hosts.map((w) => w.stato),
      ['CHIUSO', 'CHIUSO'],
      'history is closed'
    )
    const meta = await host.knex('trc_work_order_meta').select('historical', 'register_excluded').where('work_order_id', stored[2].work_order_id).first()
    t.same([Boolean(meta.historical), Boolean(meta.register_excluded)], [true, true])
    t.equal(await count(host, 'trc_outbox'), 0, 'nobody is answered for history')
    const register = await api(host, 'GET', '/register.csv?from=2025-01-01&to=2025-12-31')
    t.equal(register.statusCode, 200)
    t.equal(register.body.split('\n').filter((l) => l.trim()).length, 1, 'the register has only its header line')

    const again = await api(host, 'POST', `/mailboxes/${mailboxId}/archive-import`, { since: '2025-01-01' })
    t.equal(again.statusCode, 202)
    t.match(await finished(host, mailboxId), { status: 'done', total: 3, stored: 0, duplicates: 3 }, 'a second import stores nothing twice')

    // the citizen writes again about the archived bill: the conversation is found, a new request is opened
    await dovecot.append(
      user,
      await buildMail({
        from: 'mario.rossi@example.test',
        to: user,
        subject: 'Re: Bolletta errata',
        inReplyTo: '<arch-jun@example.test>',
        references: ['<arch-jun@example.test>'],
        messageId: '<arch-new@example.test>',
        text: 'Ancora errata.'
      })
    )
    await waitFor(
      () => count(host, 'trc_messages', { direction: 'inbound' }),
      (n) => n === 4,
      15_000,
      'the live reply'
    )
    const live = await host.knex('trc_messages').first('work_order_id', 'meta_json').where({ message_id: 'arch-new@example.test' })
    t.equal(JSON.parse(live.meta_json).continuesWorkOrder, Number(stored[2].work_order_id), 'linked to the historical request')
    t.equal(await count(host, 'trc_outbox', { kind: 'confirmation' }), 1, 'the new request is confirmed')
  })

  t.test('an administrator may include history in the register', async (t) => {
    const user = 'registro@garbage.example.test'
    await dovecot.append(
      user,
      await buildMail({
        from: 'mario.rossi@example.test',
        to: user,
        subject: 'Reclamo storico',
        messageId: '<reg-1@example.test>',
        text: 'Reclamo.',
        date: new Date('2025-03-03T09:00:00Z')
      }),
      { internalDate: new Date('2025-03-03T09:00:00Z') }
    )
    const { host, mailboxId } = await connected(dovecot, user)
    t.teardown(() => host.close())
    t.equal((await api(host, 'POST', `/mailboxes/${mailboxId}/archive-import`, { since: '2025-01-01', includeInRegister: true })).statusCode, 202)
    t.match(await finished(host, mailboxId), { status: 'done', stored: 1, includeInRegister: true })
    const wo = await host.knex('trc_messages').first('work_order_id').where({ message_id: 'reg-1@example.test' })
    const reference = (await host.knex('trc_work_order_meta').first('reference').where('work_order_id', wo.work_order_id)).reference
    const register = await api(host, 'GET', '/register.csv?from=2025-01-01&to=2025-12-31')
    t.match(register.body, reference, 'the included request is in the register')
  })
})
