// Every attachment through a real clamd on loopback: inbound mail, Sportello uploads, operator uploads. Ingestion
// never waits for the scanner; an infected file never reaches a download or an outgoing mail.
import t from 'tap'
import JSZip from 'jszip'
import { setTimeout as sleep } from 'node:timers/promises'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { clamdMissing, EICAR, startClamd, TEST_SIGNATURE, type TestClamd } from '../helpers/clamd.js'
import { buildMail } from '../helpers/mail.js'
import { startSmtpServer } from '../helpers/smtp.js'
import { API, blob, formToken } from '../intake/fixtures.js'

const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const OPERATOR = { id: 'demo-operator', name: 'Operatore Demo' }

interface Att {
  id: number
  filename: string
  scan: string
  virus: string | null
  blocked: boolean
}

async function attachmentsOf(host: TestHost, workOrderId: number): Promise<Att[]> {
  const res = await host.app.inject({ url: `${API}/work-orders/${workOrderId}/messages`, headers: auth('demo-viewer') })
  return (res.json().items as Array<{ attachments: Att[] }>).flatMap((m) => m.attachments)
}

async function mailWith(host: TestHost, files: Array<{ filename: string; content: Buffer; contentType?: string }>) {
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject: 'Reclamo con allegati',
    messageId: `<av.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test>`,
    text: 'In allegato i documenti.',
    attachments: files
  })
  const result = await host.app.communications.mail.ingest(raw, { receivedAt: new Date('2026-03-02T09:00:00Z') })
  return result.workOrderId as number
}

async function zipWithEicar(): Promise<Buffer> {
  const zip = new JSZip()
  zip.file('leggimi.txt', 'documenti della pratica')
  zip.file('allegati/programma.com', EICAR)
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })
}

const scanOnce = (host: TestHost) => (host.app.communications.antivirus as NonNullable<TestHost['app']['communications']['antivirus']>).runOnce()

t.test('antivirus with a real clamd', { skip: clamdMissing }, async (t) => {
  const clamd: TestClamd = await startClamd()
  t.teardown(() => clamd.destroy())
  const smtp = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url } }, antivirus: { clamd: clamd.url, pollMs: 20 } })
  t.teardown(() => host.close())

  t.test('inbound mail: pending at once, then clean or quarantined with the signature', async (t) => {
    const zip = await zipWithEicar()
    const workOrderId = await mailWith(host, [
      { filename: 'verbale.pdf', content: Buffer.from('%PDF-1.4 verbale pulito'), contentType: 'application/pdf' },
      { filename: 'eicar.com', content: EICAR, contentType: 'application/octet-stream' },
      { filename: 'documenti.zip', content: zip, contentType: 'application/zip' }
    ])
    t.ok(workOrderId > 0, 'the work order is opened before any scan')
    const before = await attachmentsOf(host, workOrderId)
    t.same(
      before.map((a) => [a.filename, a.scan, a.blocked]),
      [
        ['verbale.pdf', 'pending', true],
        ['eicar.com', 'pending', true],
        ['documenti.zip', 'pending', true]
      ]
    )
    const [clean, eicar, archive] = before as [Att, Att, Att]
    const waiting = await host.app.inject({ url: `${API}/attachments/${clean.id}`, headers: auth('demo-viewer') })
    t.equal(waiting.statusCode, 409)
    t.equal(waiting.json().message, 'L\'allegato "verbale.pdf" è in corso di controllo antivirus: riprova tra qualche istante.')
    const waitingEn = await host.app.inject({ url: `${API}/attachments/${clean.id}?lang=en`, headers: auth('demo-viewer') })
    t.equal(waitingEn.json().message, 'Attachment "verbale.pdf" is being scanned for viruses: try again in a moment.')

    t.same(await scanOnce(host), { clean: 1, infected: 2, error: 0, deferred: 0 })
    const after = await attachmentsOf(host, workOrderId)
    t.same(
      after.map((a) => [a.filename, a.scan, a.virus, a.blocked]),
      [
        ['verbale.pdf', 'clean', null, false],
        ['eicar.com', 'infected', TEST_SIGNATURE, true],
        ['documenti.zip', 'infected', TEST_SIGNATURE, true]
      ]
    )
    const download = await host.app.inject({ url: `${API}/attachments/${clean.id}`, headers: auth('demo-viewer') })
    t.equal(download.statusCode, 200)
    t.equal(download.body, '%PDF-1.4 verbale pulito')
    for (const [a, name] of [
      [eicar, 'eicar.com'],
      [archive, 'documenti.zip']
    ] as const) {
      const refused = await host.app.inject({ url: `${API}/attachments/${a.id}`, headers: auth('demo-admin') })
      t.equal(refused.statusCode, 403)
      t.equal(refused.json().message, `L'allegato "${name}" contiene un virus (${TEST_SIGNATURE}) ed è in quarantena: non si può scaricare né inviare.`)
      t.notOk(refused.body.includes('EICAR'), 'no byte of the file in the answer')
    }
    const en = await host.app.inject({ url: `${API}/attachments/${eicar.id}`, headers: { ...auth('demo-viewer'), 'accept-language': 'en' } })
    t.equal(en.json().message, `Attachment "eicar.com" contains a virus (${TEST_SIGNATURE}) and is quarantined: it cannot be downloaded or sent.`)

    // out of reach: the bytes left the attachment store for the quarantine table
    const row = await host.knex('trc_attachments').first('content', 'scan_status').where('id', eicar.id)
    t.equal(row.content, null)
    const quarantined = await host.knex('trc_attachment_quarantine').first('content', 'signature').where('attachment_id', eicar.id)
    t.equal(Buffer.from(quarantined.content).toString(), EICAR.toString())
    t.equal(quarantined.signature, TEST_SIGNATURE)

    // the operator is told: audit entries and the work order's flag
    const audit = await host.knex('trc_audit_log').select('action', 'work_order_id', 'details_json').where('action', 'attachment.infected').orderBy('id')
    t.same(
      audit.map((a) => [a.action, Number(a.work_order_id), JSON.parse(a.details_json).filename, JSON.parse(a.details_json).signature]),
      [
        ['attachment.infected', workOrderId, 'eicar.com', TEST_SIGNATURE],
        ['attachment.infected', workOrderId, 'documenti.zip', TEST_SIGNATURE]
      ]
    )
    const view = (await host.app.inject({ url: `${API}/work-orders/${workOrderId}`, headers: auth('demo-viewer') })).json()
    t.equal(view.infectedAttachments, 2)

    // never re-attached nor forwarded
    const messagesBefore = Number((await host.knex('trc_messages').count({ n: '*' }).first())?.n)
    const reattach = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/reply`,
      headers: auth('demo-operator'),
      payload: { html: '<p>Ecco</p>', attachmentIds: [eicar.id] }
    })
    t.equal(reattach.statusCode, 403)
    t.equal(reattach.json().error, 'attachmentInfected')
    const forward = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/forward?lang=en`,
      headers: auth('demo-operator'),
      payload: { to: 'ufficio.tecnico@example.test' }
    })
    t.equal(forward.statusCode, 403)
    t.equal(forward.json().message, `Attachment "eicar.com" contains a virus (${TEST_SIGNATURE}) and is quarantined: it cannot be downloaded or sent.`)
    t.equal(Number((await host.knex('trc_messages').count({ n: '*' }).first())?.n), messagesBefore, 'a refused request stores nothing')
    const bare = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/forward`,
      headers: auth('demo-operator'),
      payload: { to: 'ufficio.tecnico@example.test', includeAttachments: false }
    })
    t.equal(bare.statusCode, 201, 'without the attachments the forward goes')
  })

  t.test('an operator upload waits for its scan; an infected one never leaves', async (t) => {
    const workOrderId = await mailWith(host, [])
    await scanOnce(host)
    await host.app.communications.outbox.runOnce()
    smtp.reset()
    const cleanId = await host.app.communications.workOrders.reply(
      workOrderId,
      { html: '<p>In allegato il calendario.</p>', files: [{ filename: 'calendario.txt', contentType: 'text/plain', content: Buffer.from('lunedì: vetro') }] },
      OPERATOR
    )
    const infectedId = await host.app.communications.workOrders.reply(
      workOrderId,
      { html: '<p>In allegato il programma.</p>', files: [{ filename: 'programma.com', contentType: 'application/octet-stream', content: EICAR }] },
      OPERATOR
    )
    t.same(await host.app.communications.outbox.runOnce(), { sent: 0, retried: 0, failed: 0 }, 'held while their files are pending')
    const held = await host.knex('trc_outbox').select('status', 'attempts', 'last_error').whereIn('message_id', [cleanId, infectedId]).orderBy('id')
    t.same(
      held.map((r) => [r.status, Number(r.attempts)]),
      [
        ['retrying', 0],
        ['retrying', 0]
      ],
      'a hold is not a failed attempt'
    )
    t.match(held[0]?.last_error, /in corso di controllo antivirus/)
    t.same(await scanOnce(host), { clean: 1, infected: 1, error: 0, deferred: 0 })
    await sleep(40) // past the hold (pollMs)
    t.same(await host.app.communications.outbox.runOnce(), { sent: 1, retried: 0, failed: 1 })
    const [mail] = await smtp.waitFor(1)
    t.same(
      mail?.parsed.attachments.map((a) => a.filename),
      ['calendario.txt']
    )
    t.equal(smtp.messages.length, 1, 'the infected one never reached the relay')
    const failed = await host.knex('trc_messages').first('delivery_status', 'delivery_error').where('id', infectedId)
    t.same([failed.delivery_status, failed.delivery_error], ['failed', `Allegato "programma.com" infetto (${TEST_SIGNATURE}): il messaggio non viene inviato.`])
  })

  t.test('a Sportello upload is scanned like mail', async (t) => {
    const data = new FormData()
    const fields = {
      formToken: formToken(),
      type: 'segnalazione_disservizio',
      service: 'raccolta_trasporto',
      subject: 'Cassonetto rotto',
      description: 'Il cassonetto in via Roma è rotto da giorni.',
      address: 'Via Roma 1',
      firstName: 'Mario',
      lastName: 'Rossi',
      email: 'mario.rossi@example.test',
      privacy: 'true'
    }
    for (const [k, v] of Object.entries(fields)) data.append(k, v)
    data.append('attachments', blob(Buffer.concat([Buffer.from('%PDF-1.4\n'), EICAR]), 'application/pdf'), 'modulo.pdf')
    const res = await host.app.inject({ method: 'POST', url: `${API}/intake/web`, payload: data as unknown as Record<string, unknown> })
    t.equal(res.statusCode, 201, res.body)
    const workOrderId = res.json().workOrderId as number
    t.same(
      (await attachmentsOf(host, workOrderId)).map((a) => [a.filename, a.scan]),
      [['modulo.pdf', 'pending']]
    )
    await scanOnce(host)
    t.same(
      (await attachmentsOf(host, workOrderId)).map((a) => [a.filename, a.scan, a.virus]),
      [['modulo.pdf', 'infected', TEST_SIGNATURE]]
    )
  })

  t.test('clamd down, then up: ingestion goes on, the scan waits', async (t) => {
    await clamd.stop()
    const workOrderId = await mailWith(host, [{ filename: 'foto.jpg', content: Buffer.from('jpeg-bytes'), contentType: 'image/jpeg' }])
    t.ok(workOrderId > 0, 'the work order is opened while clamd is down')
    t.same(await scanOnce(host), { clean: 0, infected: 0, error: 0, deferred: 1 })
    const [photo] = await attachmentsOf(host, workOrderId)
    t.same([photo?.scan, photo?.blocked], ['pending', true])
    const row = await host.knex('trc_attachments').first('scan_attempts', 'scan_error').where('id', photo?.id)
    t.same([Number(row.scan_attempts), row.scan_error], [0, 'clamd unreachable: ECONNREFUSED'])
    await clamd.start()
    t.same(await scanOnce(host), { clean: 1, infected: 0, error: 0, deferred: 0 })
    t.same(
      (await attachmentsOf(host, workOrderId)).map((a) => a.scan),
      ['clean']
    )
  })
})

t.test('without the antivirus option attachments are marked "off" and served', async (t) => {
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false } })
  t.teardown(() => host.close())
  t.equal(host.app.communications.antivirus, null)
  const workOrderId = await mailWith(host, [{ filename: 'foto.jpg', content: Buffer.from('jpeg-bytes'), contentType: 'image/jpeg' }])
  const [photo] = await attachmentsOf(host, workOrderId)
  t.same([photo?.scan, photo?.virus, photo?.blocked], ['off', null, false])
  t.equal((await host.app.inject({ url: `${API}/attachments/${photo?.id}`, headers: auth('demo-viewer') })).statusCode, 200)
})
