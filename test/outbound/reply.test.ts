// Replying from the work order, end to end with a real SMTP server and a real Dovecot: what the citizen receives,
// what the conversation records, and that the citizen's answer comes back to the same work order.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { multipartBody } from '../helpers/multipart.js'
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp.js'
import { startDovecot } from '../helpers/dovecot.js'
import { verifyMessageIdToken } from '../../src/mail/threading-token.js'
import { TEST_SECRET } from '../helpers/host.js'

const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const API = '/api/communications'

async function openWorkOrder(host: TestHost, subject = 'Reclamo: vetro non raccolto in via Roma') {
  const messageId = `<citizen.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test>`
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject,
    messageId,
    text: 'Buongiorno, il vetro non viene raccolto da due settimane.',
    attachments: [{ filename: 'foto.jpg', content: Buffer.from('jpeg-bytes'), contentType: 'image/jpeg' }]
  })
  const result = await host.app.communications.mail.ingest(raw, { receivedAt: new Date('2026-03-02T09:00:00Z') })
  return { workOrderId: result.workOrderId as number, messageId: messageId.replace(/[<>]/g, '') }
}

interface Item {
  id: number
  workOrderId: number
  direction: string
  text: string | null
  deliveryStatus: string | null
  attachments: Array<{ id: number; filename: string }>
  meta: Record<string, unknown>
}

async function conversation(host: TestHost, id: number) {
  const res = await host.app.inject({ url: `${API}/work-orders/${id}/messages`, headers: auth('demo-viewer') })
  return res.json().items as Item[]
}

const counts = async (host: TestHost) => ({
  messages: Number((await host.knex('trc_messages').count({ n: '*' }).first())?.n),
  outbox: Number((await host.knex('trc_outbox').count({ n: '*' }).first())?.n),
  attachments: Number((await host.knex('trc_attachments').count({ n: '*' }).first())?.n)
})

t.test('a reply with two attachments reaches the citizen threaded, and the answer comes back', async (t) => {
  const smtp = await startSmtpServer({ t })
  const dovecot = await startDovecot({ t, users: { 'reclami@garbage.example.test': 'segreta' } })
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url } } })
  t.teardown(() => host.close())
  const { workOrderId, messageId: citizenMessageId } = await openWorkOrder(host)
  await host.app.communications.outbox.runOnce() // the confirmation
  t.equal(smtp.messages.length, 1, 'confirmation delivered')
  smtp.reset()

  const html =
    '<p>Gentile sig. Rossi,</p><p>il ritiro è <b>riprogrammato</b> per giovedì.</p>' +
    '<script>alert("x")</script><p onclick="steal()">Cordiali saluti</p><a href="javascript:alert(1)">link</a><img src="x" onerror="alert(2)">'
  const form = multipartBody({ html, cc: 'protocollo@garbage.example.test', reasonedReply: 'true' }, [
    { filename: 'verbale di sopralluogo è.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 verbale') },
    { filename: 'calendario.txt', contentType: 'text/plain', content: Buffer.from('lunedì: vetro\n') }
  ])
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/reply`,
    headers: { ...auth('demo-operator'), ...form.headers },
    payload: form.payload
  })
  t.equal(res.statusCode, 201, res.body)
  const stored = res.json()
  t.match(stored, {
    direction: 'outbound',
    channel: 'email',
    deliveryStatus: 'queued',
    to: ['mario.rossi@example.test'],
    cc: ['protocollo@garbage.example.test'],
    from: MAIL_FROM
  })
  t.equal(stored.subject, `Re: Reclamo: vetro non raccolto in via Roma [OdL #${workOrderId}]`)
  t.equal(stored.inReplyTo, citizenMessageId)
  t.notMatch(stored.html, /script|onclick|onerror|javascript:|alert|steal/, 'stored HTML has no script or handlers')
  t.match(stored.html, /<b>riprogrammato<\/b>/)
  t.same(stored.attachments.map((a: { filename: string }) => a.filename).sort(), ['calendario.txt', 'verbale di sopralluogo è.pdf'])
  t.match(stored.operator, { id: 'demo-operator' })
  const view = (await host.app.inject({ url: `${API}/work-orders/${workOrderId}`, headers: auth('demo-viewer') })).json()
  t.ok(view.replySentAt, 'the reasoned reply stops the clock when queued')

  const sent = await host.app.communications.outbox.runOnce()
  t.equal(sent.sent, 1)
  const [mail] = await smtp.waitFor(1)
  if (!mail) return
  const p = mail.parsed
  t.same(mail.envelope.to.sort(), ['mario.rossi@example.test', 'protocollo@garbage.example.test'])
  t.equal(p.subject, stored.subject)
  t.equal(p.messageId, `<${stored.messageId}>`)
  t.same(verifyMessageIdToken(p.messageId ?? '', TEST_SECRET), { workOrderId, messageId: stored.id }, 'Message-ID carries our signed token')
  t.equal(p.inReplyTo, `<${citizenMessageId}>`)
  const references = Array.isArray(p.references) ? p.references : [p.references]
  t.ok(references.includes(`<${citizenMessageId}>`), 'References name the citizen mail')
  t.equal(references.at(-1), `<${citizenMessageId}>`, 'the message answered comes last in References')
  t.equal(p.headers.get('x-trc-origin'), `work-order=${workOrderId}`, 'our origin header marks the mail as ours')
  t.match(mail.raw.toString(), /Content-Type: multipart\/alternative/, 'text and html alternatives')
  t.match(p.text, /il ritiro è riprogrammato per giovedì/)
  t.notMatch(String(p.html), /script|onclick|onerror|javascript:|alert|steal/, 'sent HTML has no script or handlers')
  t.notMatch(String(p.text), /alert|steal/)
  t.same(p.attachments.map((a) => a.filename).sort(), ['calendario.txt', 'verbale di sopralluogo è.pdf'])
  t.equal(p.attachments.find((a) => a.filename === 'calendario.txt')?.content.toString(), 'lunedì: vetro\n')

  const after = (await conversation(host, workOrderId)).find((m) => m.id === stored.id)
  t.equal(after?.deliveryStatus, 'sent')
  const meta = await host.knex('trc_work_order_meta').first('reply_message_id', 'reply_sent_at').where('work_order_id', workOrderId)
  t.equal(Number(meta.reply_message_id), stored.id)
  const outboxRow = await host.knex('trc_outbox').first('sent_at').where('message_id', stored.id)
  t.equal(new Date(meta.reply_sent_at).getTime(), new Date(outboxRow.sent_at).getTime(), 'the ARERA clock stops at the moment the relay accepted the reply')

  // The citizen answers from their mail client: In-Reply-To is what we sent. It lands in the watched mailbox.
  const answer = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject: `R: ${p.subject}`,
    messageId: `<answer.${Date.now()}@example.test>`,
    inReplyTo: p.messageId,
    references: [`<${citizenMessageId}>`, p.messageId ?? ''],
    text: 'Grazie, confermo che giovedì il vetro è stato ritirato.'
  })
  await dovecot.append('reclami@garbage.example.test', answer, { internalDate: new Date() })
  await host.app.communications.mailboxes.registerFromUrls([
    { url: dovecot.url('reclami@garbage.example.test'), fromAddress: 'reclami@garbage.example.test', initialSync: 'all' }
  ])
  await host.app.communications.mailboxes.start()
  let threaded: Item | undefined
  for (let i = 0; i < 100 && !threaded; i++) {
    threaded = (await conversation(host, workOrderId)).find((m) => m.direction === 'inbound' && /confermo che giovedì/.test(String(m.text)))
    if (!threaded) await sleep(100)
  }
  await host.app.communications.mailboxes.stop()
  t.ok(threaded, 'the answer joined the same work order')
  t.equal(threaded?.workOrderId, workOrderId)
  t.equal(threaded?.meta?.threadedVia, 'token')
})

t.test('recipients, sender and subject default from the conversation', async (t) => {
  const smtp = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url } } })
  t.teardown(() => host.close())

  t.test('the last citizen mail wins over the contributor address; replies come from its mailbox', async (t) => {
    const mailboxId = (
      await host.knex('trc_mailboxes').insert(
        {
          name: 'PEC',
          host: '127.0.0.1',
          port: 1,
          secure: false,
          username: 'pec',
          password_encrypted: 'x',
          folder: 'INBOX',
          from_address: 'protocollo@pec.garbage.example.test',
          from_name: 'Protocollo "PEC"',
          enabled: false,
          source: 'api',
          created_at: new Date(),
          updated_at: new Date()
        },
        ['id']
      )
    )[0]
    const id = Number(typeof mailboxId === 'object' ? mailboxId.id : mailboxId)
    const raw = await buildMail({
      from: 'Giuseppe <giuseppe.altro@example.test>',
      to: 'protocollo@pec.garbage.example.test',
      subject: 'Fwd: Re: bolletta [OdL #999999]',
      messageId: '<g1@example.test>',
      text: 'Bolletta sbagliata'
    })
    const { workOrderId } = await host.app.communications.mail.ingest(raw, { mailboxId: id })
    const res = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/reply`,
      headers: auth('demo-operator'),
      payload: { html: '<p>Verifichiamo.</p>' }
    })
    t.equal(res.statusCode, 201, res.body)
    t.same(res.json().to, ['giuseppe.altro@example.test'])
    t.equal(res.json().from, '"Protocollo PEC" <protocollo@pec.garbage.example.test>')
    t.equal(res.json().subject, `Re: bolletta [OdL #${workOrderId}]`)
  })

  t.test('without any inbound mail the contributor address is used', async (t) => {
    const wo = await host.knex('ordini_lavoro').first('id_odl').where('id_contribuente', host.contributors.marioRossi)
    const id = Number(wo.id_odl)
    const res = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${id}/reply`,
      headers: auth('demo-operator'),
      payload: { html: '<p>Buongiorno</p>', to: [] }
    })
    t.equal(res.statusCode, 201, res.body)
    t.same(res.json().to, ['mario.rossi@example.test'])
    t.equal(res.json().from, MAIL_FROM)
  })

  t.test('explicit recipients, with display names', async (t) => {
    const { workOrderId } = await openWorkOrder(host, 'Informazioni')
    const res = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/reply`,
      headers: auth('demo-operator'),
      payload: { html: '<p>Ok</p>', to: 'Avv. Bianchi <studio@legale.example.test>, altro@example.test' }
    })
    t.equal(res.statusCode, 201, res.body)
    t.same(res.json().to, ['"Avv. Bianchi" <studio@legale.example.test>', 'altro@example.test'])
  })
})

t.test('refusals say what is wrong and store nothing', async (t) => {
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, maxAttachmentBytes: 1024, maxOutboundBytes: 1500 } })
  t.teardown(() => host.close())
  const { workOrderId } = await openWorkOrder(host)
  const other = await openWorkOrder(host, 'Altro argomento')
  const otherAttachment = (await conversation(host, other.workOrderId))[0]?.attachments[0]?.id
  const url = `${API}/work-orders/${workOrderId}/reply`
  const before = await counts(host)

  const viewer = await host.app.inject({ method: 'POST', url, headers: auth('demo-viewer'), payload: { html: '<p>x</p>' } })
  t.equal(viewer.statusCode, 403)
  t.match(viewer.json().message, /Non hai il permesso/)
  const anonymous = await host.app.inject({ method: 'POST', url, payload: { html: '<p>x</p>' } })
  t.equal(anonymous.statusCode, 401)

  const empty = await host.app.inject({ method: 'POST', url, headers: auth('demo-operator'), payload: { html: '<script>alert(1)</script><p> </p>' } })
  t.equal(empty.statusCode, 400)
  t.match(empty.json().message, /Il testo è vuoto/)

  const missing = await host.app.inject({ method: 'POST', url, headers: auth('demo-operator'), payload: { to: 'a@b.it' } })
  t.equal(missing.statusCode, 400)
  t.match(missing.json(), { message: /manca il campo "html"/, fields: { html: String } })

  const badAddress = await host.app.inject({ method: 'POST', url, headers: auth('demo-operator'), payload: { html: '<p>x</p>', cc: ['non-un-indirizzo'] } })
  t.equal(badAddress.statusCode, 400)
  t.match(badAddress.json().message, /Indirizzo email non valido nel campo "cc": non-un-indirizzo/)

  const foreign = await host.app.inject({
    method: 'POST',
    url,
    headers: auth('demo-operator'),
    payload: { html: '<p>x</p>', attachmentIds: [otherAttachment] }
  })
  t.equal(foreign.statusCode, 400)
  t.match(foreign.json().message, new RegExp(`L'allegato ${otherAttachment} non appartiene alla conversazione`))

  const bigFile = multipartBody({ html: '<p>x</p>' }, [{ filename: 'enorme.pdf', contentType: 'application/pdf', content: Buffer.alloc(2048, 1) }])
  const tooBig = await host.app.inject({ method: 'POST', url, headers: { ...auth('demo-operator'), ...bigFile.headers }, payload: bigFile.payload })
  t.equal(tooBig.statusCode, 413)
  t.match(tooBig.json().message, /L'allegato "enorme.pdf" supera il limite di 0.00 MB per file|L'allegato "enorme.pdf" supera il limite/)

  const twoFiles = multipartBody({ html: '<p>x</p>' }, [
    { filename: 'a.pdf', contentType: 'application/pdf', content: Buffer.alloc(1000, 1) },
    { filename: 'b.pdf', contentType: 'application/pdf', content: Buffer.alloc(1000, 1) }
  ])
  const tooMuch = await host.app.inject({ method: 'POST', url, headers: { ...auth('demo-operator'), ...twoFiles.headers }, payload: twoFiles.payload })
  t.equal(tooMuch.statusCode, 413)
  t.match(tooMuch.json().message, /superano il limite/)

  const badFlag = await host.app.inject({ method: 'POST', url, headers: auth('demo-operator'), payload: { html: '<p>x</p>', reasonedReply: 'forse' } })
  t.equal(badFlag.statusCode, 400)
  t.match(badFlag.json().message, /"reasonedReply" deve essere true o false/)

  const unknown = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/99999999/reply`,
    headers: auth('demo-operator'),
    payload: { html: '<p>x</p>' }
  })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json().message, /Ordine di lavoro 99999999 non trovato/)

  t.same(await counts(host), before, 'nothing was stored by any refused request')
})

t.test('no sender configured: 409 and nothing stored', async (t) => {
  const host = await startTestHost({ mail: { startWorkers: false } })
  t.teardown(() => host.close())
  const wo = await host.knex('ordini_lavoro').first('id_odl').where('id_contribuente', host.contributors.marioRossi)
  const before = await counts(host)
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${wo.id_odl}/reply`,
    headers: auth('demo-operator'),
    payload: { html: '<p>x</p>' }
  })
  t.equal(res.statusCode, 409)
  t.match(res.json().message, /Nessun mittente configurato/)
  t.same(await counts(host), before)
})

t.test('with workers started, a queued reply is sent at once (no waiting for the poll)', async (t) => {
  const smtp: SmtpTestServer = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: true, smtp: { url: smtp.url }, outboxPollMs: 60_000 } })
  t.teardown(() => host.close())
  const wo = await host.knex('ordini_lavoro').first('id_odl').where('id_contribuente', host.contributors.marioRossi)
  const started = Date.now()
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${wo.id_odl}/reply`,
    headers: auth('demo-operator'),
    payload: { html: '<p>Subito</p>' }
  })
  t.equal(res.statusCode, 201)
  const [mail] = await smtp.waitFor(1, 5000)
  t.ok(Date.now() - started < 5000, 'delivered long before the 60 s poll')
  t.equal(mail?.parsed.text?.trim(), 'Subito')
})
