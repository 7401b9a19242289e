// The Dovecot harness itself: a real IMAP server on 127.0.0.1, no mocks.
import t from 'tap'
import { createConnection, createServer } from 'node:net'
import { ImapFlow } from 'imapflow'
import { ensureDovecotInstalled, startDovecot } from '../helpers/dovecot.js'

const USER = 'anna.rossi@example.it'

function rawMessage(subject: string, body = 'Hello from the test.'): string {
  return [
    'From: Mario Bianchi <mario@example.org>',
    `To: ${USER}`,
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W+/g, '-')}-${Date.now()}@test.local>`,
    'Date: Mon, 02 Mar 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    ''
  ].join('\r\n')
}

t.test('ensureDovecotInstalled reports the installed version', async (t) => {
  const { path, version } = ensureDovecotInstalled()
  t.match(path, /dovecot$/)
  t.match(version, /^\d+\.\d+/)
})

t.test('append, fetch by UID, IDLE, restart', async (t) => {
  const started = Date.now()
  const dovecot = await startDovecot({ t, users: { [USER]: 'secret' } })
  t.comment(`Dovecot ${dovecot.version} ready on ${dovecot.host}:${dovecot.port} in ${Date.now() - started} ms`)
  t.equal(dovecot.host, '127.0.0.1')
  t.ok(dovecot.port > 1024, 'unprivileged port')
  t.ok(dovecot.running)

  await t.test('url() encodes user, password and folder', async (t) => {
    await dovecot.users.add('second+tag@example.it', 'p@ss w/rd?#%')
    t.equal(dovecot.url(USER), `imap://anna.rossi%40example.it:secret@127.0.0.1:${dovecot.port}/INBOX`)
    t.equal(
      dovecot.url('second+tag@example.it', 'Reclami/2026 Q1'),
      `imap://second%2Btag%40example.it:p%40ss%20w%2Frd%3F%23%25@127.0.0.1:${dovecot.port}/Reclami/2026%20Q1`
    )
    const parsed = new URL(dovecot.url('second+tag@example.it'))
    t.equal(decodeURIComponent(parsed.username), 'second+tag@example.it')
    t.equal(decodeURIComponent(parsed.password), 'p@ss w/rd?#%')
    // The new user can log in at once (passwd-file is re-read, no restart).
    const appended = await dovecot.append('second+tag@example.it', rawMessage('for second'))
    t.equal(appended.uid, 1)
    t.throws(() => dovecot.url('nobody@example.it'), /unknown Dovecot test user/)
    await t.rejects(dovecot.users.add('bad:name', 'x'), /unsupported test user name/)
    await t.rejects(dovecot.users.add('ok', 'bad:password'), /no ":"/)
  })

  let firstUid = 0
  let uidValidity = 0n
  await t.test('append then read back by UID', async (t) => {
    const internalDate = new Date('2026-03-02T09:00:00Z')
    const appended = await dovecot.append(USER, rawMessage('Segnalazione rifiuti'), { flags: ['\\Seen'], internalDate })
    t.equal(appended.folder, 'INBOX')
    t.equal(typeof appended.uidValidity, 'bigint')
    firstUid = appended.uid
    uidValidity = appended.uidValidity

    const client = await dovecot.connect(USER)
    t.teardown(() => client.logout().catch(() => client.close()))
    const mailbox = await client.mailboxOpen('INBOX')
    t.equal(typeof mailbox.uidValidity, 'bigint', 'uidValidity is a bigint')
    t.equal(mailbox.uidValidity, uidValidity)
    t.equal(mailbox.exists, 1)
    t.equal(mailbox.uidNext, firstUid + 1, 'uidNext follows the appended UID')
    const msg = await client.fetchOne(String(firstUid), { uid: true, envelope: true, flags: true, internalDate: true, source: true }, { uid: true })
    t.ok(msg, 'message fetched by UID')
    if (msg === false) return
    t.equal(msg.uid, firstUid)
    t.equal(msg.envelope?.subject, 'Segnalazione rifiuti')
    t.ok(msg.flags?.has('\\Seen'), 'flags kept')
    t.equal(new Date(msg.internalDate ?? 0).toISOString(), internalDate.toISOString(), 'INTERNALDATE kept')
    t.match(msg.source?.toString('utf8') ?? '', /Hello from the test\./)
  })

  await t.test('append to another folder creates it', async (t) => {
    const appended = await dovecot.append(USER, Buffer.from(rawMessage('in a folder')), { folder: 'Reclami/Archivio' })
    t.equal(appended.folder, 'Reclami/Archivio')
    t.equal(appended.uid, 1)
    const again = await dovecot.append(USER, rawMessage('second in folder'), { folder: 'Reclami/Archivio' })
    t.equal(again.uid, 2)
    const client = await dovecot.connect(USER)
    t.teardown(() => client.logout().catch(() => client.close()))
    const list = await client.list()
    const paths = list.map((m) => m.path)
    for (const p of ['INBOX', 'Reclami/Archivio', 'Sent', 'Trash', 'Drafts', 'Junk']) t.ok(paths.includes(p), `lists ${p}`)
    t.equal(list.find((m) => m.path === 'Sent')?.specialUse, '\\Sent')
  })

  await t.test('IDLE reports EXISTS within 2 s after another append', async (t) => {
    const client = await dovecot.connect(USER)
    t.teardown(() => client.logout().catch(() => client.close()))
    const mailbox = await client.mailboxOpen('INBOX')
    const before = mailbox.exists
    // ImapFlow's own auto-IDLE only starts after 15 s of inactivity: IDLE explicitly.
    const idle = client.idle()
    const idleStart = Date.now()
    while (!client.idling && Date.now() - idleStart < 2000) await new Promise((resolve) => setTimeout(resolve, 5))
    t.ok(client.idling, 'client is in IDLE')
    const latencies: number[] = []
    for (let i = 0; i < 3; i++) {
      const expected = before + i + 1
      const exists = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no EXISTS ${expected} within 2 s`)), 2000)
        const onExists = (data: { count: number }): void => {
          if (data.count < expected) return
          clearTimeout(timer)
          client.off('exists', onExists)
          resolve(Date.now())
        }
        client.on('exists', onExists)
      })
      const appendedAt = Date.now()
      await dovecot.append(USER, rawMessage(`idle ${i}`))
      const appendDone = Date.now()
      const seenAt = await exists
      latencies.push(seenAt - appendDone)
      t.ok(seenAt - appendedAt < 2000, `EXISTS ${expected} ${seenAt - appendDone} ms after APPEND completed (APPEND took ${appendDone - appendedAt} ms)`)
    }
    t.ok(client.idling, 'still idling after the notifications')
    t.comment(`IDLE EXISTS latency after APPEND completed: ${latencies.join(', ')} ms`)
    // Any command ends IDLE; idle() then resolves.
    await client.noop()
    await idle
  })

  await t.test('restart keeps the messages, the UIDVALIDITY and the port', async (t) => {
    const port = dovecot.port
    const client = await dovecot.connect(USER)
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()))
    await client.mailboxOpen('INBOX')
    const oldPid = dovecot.pid

    const restartStarted = Date.now()
    await dovecot.restart()
    t.comment(`restart took ${Date.now() - restartStarted} ms`)
    await closed
    t.pass('a connected client is disconnected by the restart')
    t.equal(dovecot.port, port, 'same port')
    t.ok(dovecot.running)
    t.not(dovecot.pid, oldPid, 'new master process')

    const again = await dovecot.connect(USER)
    t.teardown(() => again.logout().catch(() => again.close()))
    const mailbox = await again.mailboxOpen('INBOX')
    t.equal(mailbox.uidValidity, uidValidity, 'same UIDVALIDITY')
    const msg = await again.fetchOne(String(firstUid), { uid: true, envelope: true }, { uid: true })
    t.equal(msg === false ? undefined : msg.envelope?.subject, 'Segnalazione rifiuti', 'message survived')
  })

  await t.test('stop refuses connections, start brings the same server back', async (t) => {
    await dovecot.stop()
    t.notOk(dovecot.running)
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: dovecot.host, port: dovecot.port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(false)
      })
      socket.once('error', () => resolve(true))
    })
    t.ok(refused, 'port closed while stopped')
    const down = new ImapFlow(dovecot.imapOptions(USER))
    down.on('error', () => undefined)
    await t.rejects(down.connect(), 'ImapFlow cannot connect while stopped')
    await dovecot.start()
    const status = await dovecot.connect(USER).then(async (client) => {
      const s = await client.status('INBOX', { messages: true, uidValidity: true })
      await client.logout()
      return s
    })
    t.equal(status === false ? undefined : status.uidValidity, uidValidity)
    t.ok(status !== false && (status.messages ?? 0) >= 4)
  })

  await t.test('start() waits while someone else holds the port', async (t) => {
    await dovecot.stop()
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(dovecot.port, dovecot.host, () => resolve()))
    setTimeout(() => squatter.close(), 700)
    const started = Date.now()
    await dovecot.start()
    t.ok(Date.now() - started >= 600, `started after ${Date.now() - started} ms, once the port was free`)
    const client = await dovecot.connect(USER)
    await client.logout()
  })

  await t.test('wrong password fails fast and does not slow down the next login', async (t) => {
    const started = Date.now()
    const bad = new ImapFlow(dovecot.imapOptions(USER, { auth: { user: USER, pass: 'wrong' } }))
    bad.on('error', () => undefined)
    await t.rejects(bad.connect())
    const good = await dovecot.connect(USER)
    await good.logout()
    t.ok(Date.now() - started < 1500, `bad + good login in ${Date.now() - started} ms`)
  })

  t.match(dovecot.logs(), /Dovecot v\d/, 'logs() returns the Dovecot log')
})

t.test('instances are independent', async (t) => {
  const [a, b] = await Promise.all([startDovecot({ t, users: { u: 'first' } }), startDovecot({ t, users: { u: 'other' } })])
  t.not(a.port, b.port)
  t.not(a.tmpDir, b.tmpDir)
  await a.append('u', rawMessage('only in a'))
  const client = await b.connect('u')
  const mailbox = await client.mailboxOpen('INBOX')
  t.equal(mailbox.exists, 0)
  await client.logout()
  await a.destroy()
  t.notOk(a.running)
  t.ok(b.running, 'destroying one leaves the other running')
})
