// One message never blocks its mailbox (real Dovecot): the directory store takes the same file twice in one
// mail, and a message that keeps failing is quarantined with its real error after a few attempts — the count
// surviving a restart — while the mail after it is read.
import t from 'tap'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startDovecot } from '../helpers/dovecot.js'
import { startTestHost, type TestHost } from '../helpers/host.js'
import { createTestDatabase } from '../helpers/db.js'
import { buildMail } from '../helpers/mail.js'
import { waitFor } from '../helpers/wait.js'
import { createAttachmentStorage, sha256Hex } from '../../src/storage.js'

const fast = { leaseTtlMs: 1_500, backoff: { baseMs: 100, maxMs: 400 } }
const PDF = Buffer.from('%PDF-1.4\n% the same bill, attached twice\n'.repeat(200))
const inbound = (host: Pick<TestHost, 'knex'>) => async () =>
  (await host.knex('trc_messages').where({ direction: 'inbound' }).orderBy('id').select('subject')).map((r: { subject: string }) => r.subject)
const tempDir = (t: { teardown(fn: () => void): void }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trc-poison-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('poison mail', async (t) => {
  const users = {
    'doppio@garbage.example.test': 'pw1',
    'rotto@garbage.example.test': 'pw2',
    'riavvio@garbage.example.test': 'pw3',
    'lotto@garbage.example.test': 'pw4'
  }
  const dovecot = await startDovecot({ users, t })

  t.test('directory storage: the same file twice in one mail, and the same bytes written in parallel', async (t) => {
    const user = 'doppio@garbage.example.test'
    const dir = tempDir(t)
    const host = await startTestHost({
      attachments: { type: 'directory', directory: dir },
      mail: { mailboxes: [{ url: dovecot.url(user), initialSync: 'all' }], ...fast }
    })
    t.teardown(() => host.close())
    await dovecot.append(
      user,
      await buildMail({
        from: 'mario.rossi@example.test',
        to: user,
        subject: 'Bolletta doppia',
        text: 'Allego la bolletta (due volte).',
        attachments: [
          { filename: 'bolletta.pdf', content: PDF },
          { filename: 'bolletta-copia.pdf', content: PDF }
        ]
      })
    )
    await dovecot.append(user, await buildMail({ from: 'mario.rossi@example.test', to: user, subject: 'Dopo la bolletta', text: 'Un altro messaggio.' }))
    t.same(await waitFor(inbound(host), (s) => s.length === 2, 15_000, 'both mails'), ['Bolletta doppia', 'Dopo la bolletta'], 'the mail after it is read too')
    const attachments = await host.knex('trc_attachments').orderBy('id').select('filename', 'storage_key')
    t.same(
      attachments.map((a: { filename: string }) => a.filename),
      ['bolletta.pdf', 'bolletta-copia.pdf']
    )
    t.equal(attachments[0].storage_key, sha256Hex(PDF))
    t.equal(attachments[1].storage_key, sha256Hex(PDF), 'one file on disk for both')
    t.equal(
      await host
        .knex('trc_quarantine')
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      0,
      'nothing quarantined'
    )

    // the store on its own: 20 parallel writers of one key, and a rewrite of an existing file
    const storage = createAttachmentStorage({ type: 'directory', directory: dir })
    const other = Buffer.from('another file')
    const results = await Promise.all(Array.from({ length: 20 }, () => storage.put(other)))
    t.same(new Set(results.map((r) => r.storageKey)), new Set([sha256Hex(other)]))
    t.same(await storage.read(sha256Hex(other)), other)
    await storage.put(other)
    const key = sha256Hex(other)
    t.same(readdirSync(path.join(dir, key.slice(0, 2), key.slice(2, 4))), [key], 'no temporary files left behind')
  })

  t.test('a message that keeps failing is quarantined with its real error; the next one is read', async (t) => {
    const user = 'rotto@garbage.example.test'
    const dir = tempDir(t)
    const blocked = path.join(dir, 'not-a-directory')
    writeFileSync(blocked, 'a file where the attachment directory should be')
    const host = await startTestHost({
      attachments: { type: 'directory', directory: blocked },
      mail: { mailboxes: [{ url: dovecot.url(user), initialSync: 'all' }], ...fast }
    })
    t.teardown(() => host.close())
    await dovecot.append(
      user,
      await buildMail({
        from: 'mario.rossi@example.test',
        to: user,
        subject: 'Con allegato',
        messageId: '<poison-1@example.test>',
        text: 'x',
        attachments: [{ filename: 'foto.jpg', content: Buffer.from('jpeg bytes') }]
      })
    )
    await dovecot.append(user, await buildMail({ from: 'mario.rossi@example.test', to: user, subject: 'Senza allegato', text: 'y' }))

    const failing = await waitFor(
      () => host.knex('trc_mailbox_state').first('last_error', 'failing_count', 'state'),
      (s) => Number(s?.failing_count) >= 1 && !!s?.last_error,
      15_000,
      'the first failure'
    )
    t.match(failing.last_error, /UID 1 .*(ENOTDIR|EEXIST)/, `the real error is shown, not "connection closed": ${failing.last_error}`)
    t.notMatch(failing.last_error, /connection closed|chiuso la connessione/i)

    t.same(await waitFor(inbound(host), (s) => s.length === 1, 20_000, 'the mail after the poison one'), ['Senza allegato'])
    const [q] = await host.knex('trc_quarantine').select('reason', 'imap_uid', 'raw')
    t.equal(Number(q.imap_uid), 1)
    t.match(q.reason, /UID 1 .*3 tentativi.*(ENOTDIR|EEXIST)/, 'quarantined after three attempts with its error')
    t.match(Buffer.from(q.raw).toString(), /poison-1@example\.test/, 'the raw source is kept')
    const state = await host.knex('trc_mailbox_state').first('last_uid', 'failing_count', 'failing_uid')
    t.match(state, { failing_count: 0, failing_uid: null })
    t.equal(Number(state.last_uid), 2, 'the checkpoint moved past it')
    t.equal((await host.knex('trc_audit_log').where({ action: 'mail.quarantined' })).length, 1, 'audited')
  })

  t.test('a failing message in the middle of a batch: the mail before it commits once, the mail after it follows', async (t) => {
    const user = 'lotto@garbage.example.test'
    const blocked = path.join(tempDir(t), 'not-a-directory')
    writeFileSync(blocked, 'a file where the attachment directory should be')
    // all three are in the folder before the first connection: one FETCH, one batch transaction
    await dovecot.append(
      user,
      await buildMail({ from: 'mario.rossi@example.test', to: user, subject: 'Prima', messageId: '<lotto-1@example.test>', text: 'a' })
    )
    await dovecot.append(
      user,
      await buildMail({
        from: 'mario.rossi@example.test',
        to: user,
        subject: 'Avvelenato',
        messageId: '<lotto-2@example.test>',
        text: 'b',
        attachments: [{ filename: 'foto.jpg', content: Buffer.from('jpeg bytes') }]
      })
    )
    await dovecot.append(user, await buildMail({ from: 'mario.rossi@example.test', to: user, subject: 'Dopo', messageId: '<lotto-3@example.test>', text: 'c' }))
    const host = await startTestHost({
      attachments: { type: 'directory', directory: blocked },
      mail: { mailboxes: [{ url: dovecot.url(user), initialSync: 'all' }], ...fast }
    })
    t.teardown(() => host.close())
    t.same(await waitFor(inbound(host), (s) => s.length === 2, 20_000, 'the two good mails'), ['Prima', 'Dopo'])
    const [q] = await host.knex('trc_quarantine').select('imap_uid')
    t.equal(Number(q.imap_uid), 2, 'the failing one is quarantined after its attempts')
    t.equal((await host.knex('trc_messages').where({ subject: 'Prima' })).length, 1, 'the mail before it is stored once, not again on retry')
    t.equal((await host.knex('ordini_lavoro').where({ origine: 'COMUNICAZIONI' })).length, 2, 'one work order each for the good mails')
    t.equal(Number((await host.knex('trc_mailbox_state').first('last_uid')).last_uid), 3)
  })

  t.test('the failure count survives a restart', async (t) => {
    const user = 'riavvio@garbage.example.test'
    const dir = tempDir(t)
    const blocked = path.join(dir, 'not-a-directory')
    writeFileSync(blocked, 'x')
    const db = await createTestDatabase()
    t.teardown(() => db.destroy())
    const options = (maxIngestAttempts: number, backoff: { baseMs: number; maxMs: number }) => ({
      instanceId: 'poison-instance',
      attachments: { type: 'directory' as const, directory: blocked },
      mail: { mailboxes: [{ url: dovecot.url(user), initialSync: 'all' as const }], leaseTtlMs: 1_500, backoff, maxIngestAttempts }
    })
    await dovecot.append(
      user,
      await buildMail({
        from: 'mario.rossi@example.test',
        to: user,
        subject: 'Veleno',
        text: 'x',
        attachments: [{ filename: 'a.bin', content: Buffer.from('bytes') }]
      })
    )
    await dovecot.append(user, await buildMail({ from: 'mario.rossi@example.test', to: user, subject: 'Dopo il veleno', text: 'y' }))
    const first = await startTestHost(options(100, fast.backoff), db)
    await waitFor(
      () => first.knex('trc_mailbox_state').first('failing_count'),
      (s) => Number(s?.failing_count) >= 2,
      15_000,
      'two failures'
    )
    await first.app.close()
    const counted = Number((await db.knex('trc_mailbox_state').first('failing_count')).failing_count)
    t.ok(counted >= 2, `${counted} failures recorded before the restart`)

    // after the restart one more attempt reaches the limit: with a minute of backoff, only a remembered count
    // lets the mailbox move on within the test
    const second = await startTestHost(options(counted + 1, { baseMs: 60_000, maxMs: 60_000 }), db)
    t.teardown(() => second.app.close())
    t.same(await waitFor(inbound(second), (s) => s.length === 1, 15_000, 'the mail after the poison one'), ['Dopo il veleno'])
    const [q] = await db.knex('trc_quarantine').select('reason')
    t.match(q.reason, new RegExp(`dopo ${counted + 1} tentativi`))
  })
})
