// PEC: a citizen who wrote to the PEC mailbox is answered from the PEC address through the PEC provider's SMTP; the
// provider's receipts (accettazione, avvenuta consegna, mancata consegna) become the delivery status of that reply,
// in the conversation and in the document export, and a failure restarts the ARERA clock. Receipts that are not
// genuine — on another mailbox, from someone else, without daticert.xml, or naming another message — stay
// ordinary automatic mail and change nothing.
import t from 'tap'
import type { Test } from 'tap'
import JSZip from 'jszip'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail, pecEnvelope, pecReceipt, type PecReceiptOptions, type PecReceiptType } from '../helpers/mail.js'
import { startSmtpServer } from '../helpers/smtp.js'
import { createWorkingCalendar, romeDate } from '../../src/domain/working-days.js'
import { providerDomains, readDaticert } from '../../src/mail/pec-receipt.js'

const API = '/api/communications'
const PEC = 'pec@comune.example.test'
const CITIZEN = 'mario.rossi@pec.example.test'

async function setUp(t: Test) {
  const [pecSmtp, fallback] = [await startSmtpServer({ t }), await startSmtpServer({ t })]
  const host = await startTestHost({
    mail: {
      from: 'tari@garbage.example.test',
      startWorkers: false,
      smtp: { url: fallback.url },
      mailboxes: [
        { url: `imap://${encodeURIComponent(PEC)}:pw@127.0.0.1:1/INBOX?smtp=${encodeURIComponent(pecSmtp.url)}&pec=1&pecProvider=pec.provider.test` },
        { url: 'imap://reclami%40garbage.example.test:pw@127.0.0.1:1/INBOX' }
      ]
    }
  })
  t.teardown(() => host.close())
  const id = async (username: string) => Number((await host.knex('trc_mailboxes').first('id').where({ username })).id)
  const pecMailbox = await id(PEC)
  const plainMailbox = await id('reclami@garbage.example.test')
  const original = await buildMail({
    from: `Mario Rossi <${CITIZEN}>`,
    to: PEC,
    subject: 'Reclamo formale TARI',
    text: 'Presento formale reclamo.',
    messageId: `<orig.${Date.now()}@pec.example.test>`
  })
  const created = await host.app.communications.mail.ingest(pecEnvelope(original, { from: CITIZEN, to: PEC, subject: 'Reclamo formale TARI' }), {
    mailboxId: pecMailbox,
    receivedAt: new Date('2026-03-02T09:15:00Z')
  })
  const workOrderId = created.workOrderId as number
  await host.app.communications.outbox.runOnce()
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/reply`,
    headers: auth('demo-operator'),
    payload: { html: '<p>Reclamo accolto.</p>', reasonedReply: true }
  })
  t.equal(res.statusCode, 201, res.body)
  await host.app.communications.outbox.runOnce()
  const reply = await host.knex('trc_messages').first('id', 'message_id').where({ work_order_id: workOrderId, direction: 'outbound' }).orderBy('id', 'desc')
  const receipt = (type: PecReceiptType, opts: PecReceiptOptions & { mailboxId?: number; ref?: string } = {}) =>
    host.app.communications.mail.ingest(
      pecReceipt(type, opts.ref ?? String(reply.message_id), PEC, { recipient: CITIZEN, subject: 'Re: Reclamo formale TARI', ...opts }),
      { mailboxId: opts.mailboxId ?? pecMailbox }
    )
  return { host, pecSmtp, fallback, pecMailbox, plainMailbox, workOrderId, replyId: Number(reply.id), receipt }
}

async function replyStatus(host: TestHost, workOrderId: number, replyId: number) {
  const items = (await host.app.inject({ url: `${API}/work-orders/${workOrderId}/messages`, headers: auth('demo-viewer') })).json().items as Array<{
    id: number
    deliveryStatus: string | null
    deliveryError: string | null
  }>
  const m = items.find((i) => i.id === replyId)
  return { deliveryStatus: m?.deliveryStatus ?? null, deliveryError: m?.deliveryError ?? null }
}

async function clock(host: TestHost, workOrderId: number) {
  const meta = await host.knex('trc_work_order_meta').first('reply_sent_at', 'reply_message_id').where('work_order_id', workOrderId)
  return { stopped: meta.reply_sent_at !== null, replyMessageId: meta.reply_message_id === null ? null : Number(meta.reply_message_id) }
}

async function exportText(host: TestHost, workOrderId: number): Promise<string> {
  const res = await host.app.inject({ url: `${API}/work-orders/${workOrderId}/export.docx`, headers: auth('demo-viewer') })
  const xml = (await (await JSZip.loadAsync(res.rawPayload)).file('word/document.xml')?.async('string')) ?? ''
  return xml.replace(/<[^>]+>/g, '')
}

t.test('the reply to a PEC leaves from the PEC address through the PEC SMTP; acceptance then delivery become its status', async (t) => {
  const { host, pecSmtp, fallback, workOrderId, replyId, receipt } = await setUp(t)
  t.same(
    pecSmtp.messages.map((m) => [m.parsed.from?.value[0]?.address, m.envelope.from, m.envelope.to]),
    [
      [PEC, PEC, [CITIZEN]],
      [PEC, PEC, [CITIZEN]]
    ],
    'confirmation and reply through the PEC provider, with the PEC address itself as envelope sender (never a VERP return path)'
  )
  t.equal(fallback.messages.length, 0)
  t.same(await replyStatus(host, workOrderId, replyId), { deliveryStatus: 'sent', deliveryError: null })

  const accepted = await receipt('accettazione')
  t.match(accepted, { outcome: 'automatic', workOrderId })
  t.same(await replyStatus(host, workOrderId, replyId), { deliveryStatus: 'accepted', deliveryError: null })
  t.match(await exportText(host, workOrderId), /accettato dal gestore PEC/)

  const delivered = await receipt('avvenuta-consegna')
  t.match(delivered, { outcome: 'automatic', workOrderId })
  t.same(await replyStatus(host, workOrderId, replyId), { deliveryStatus: 'delivered', deliveryError: null })
  t.match(await exportText(host, workOrderId), /consegnato \(ricevuta PEC di avvenuta consegna\)/)
  await receipt('accettazione')
  t.equal((await replyStatus(host, workOrderId, replyId)).deliveryStatus, 'delivered', 'a late acceptance does not move the status back')
  t.same(await clock(host, workOrderId), { stopped: true, replyMessageId: replyId })
  const audit = await host.knex('trc_audit_log').whereIn('action', ['outbound.pec.accepted', 'outbound.pec.delivered']).orderBy('id').select('action')
  t.same(
    audit.map((a) => a.action),
    ['outbound.pec.accepted', 'outbound.pec.delivered']
  )
})

t.test('a mancata consegna marks the reply failed and the ARERA clock runs again, as after an SMTP 5xx', async (t) => {
  const { host, workOrderId, replyId, receipt } = await setUp(t)
  t.same(await clock(host, workOrderId), { stopped: true, replyMessageId: replyId })
  t.match((await host.app.inject({ url: `${API}/work-orders/${workOrderId}`, headers: auth('demo-viewer') })).json(), { clockState: 'stopped', daysLeft: null })
  await receipt('errore-consegna')
  t.same(await replyStatus(host, workOrderId, replyId), { deliveryStatus: 'failed', deliveryError: 'PEC: errore-consegna' })
  t.same(await clock(host, workOrderId), { stopped: false, replyMessageId: null })
  // received 2 March 2026: the clock runs again from there, as after an SMTP 5xx
  const taken = createWorkingCalendar().workingDaysBetween('2026-03-02', romeDate(new Date()))
  t.match((await host.app.inject({ url: `${API}/work-orders/${workOrderId}`, headers: auth('demo-viewer') })).json(), {
    clockState: 'running',
    replySentAt: null,
    workingDaysTaken: taken,
    daysLeft: 30 - taken,
    standardMet: 30 - taken < 0 ? false : null
  })
  t.match(await exportText(host, workOrderId), /non recapitato \(PEC: errore-consegna\)/)
})

t.test('forged receipts stay ordinary automatic mail and change nothing', async (t) => {
  const { host, plainMailbox, workOrderId, replyId, receipt } = await setUp(t)
  const other = await host.knex('trc_messages').first('message_id').where({ work_order_id: workOrderId, direction: 'outbound' }).orderBy('id', 'asc')
  const cases: Array<[string, () => ReturnType<typeof receipt>, RegExp]> = [
    ['on a mailbox not configured as PEC', () => receipt('errore-consegna', { mailboxId: plainMailbox }), /non configurata come PEC/],
    [
      'from someone other than the provider',
      () => receipt('errore-consegna', { from: 'posta-certificata@pec.malintenzionato.test' }),
      /non inviata dal gestore/
    ],
    ['a look-alike sender at the provider', () => receipt('errore-consegna', { from: 'assistenza@pec.provider.test' }), /non inviata dal gestore/],
    ['without daticert.xml', () => receipt('errore-consegna', { daticert: false }), /senza daticert\.xml/],
    [
      'with a daticert.xml naming another message',
      () => receipt('errore-consegna', { daticertMsgid: `<${String(other.message_id)}>` }),
      /non riferito al messaggio indicato/
    ],
    ['naming a message we never sent', () => receipt('errore-consegna', { ref: '<inventato@pec.example.test>' }), /non riferito a un nostro messaggio/]
  ]
  for (const [name, send, why] of cases) {
    const result = await send()
    t.match(result, { outcome: 'automatic', workOrderId: null, detail: why }, name)
    t.same(await replyStatus(host, workOrderId, replyId), { deliveryStatus: 'sent', deliveryError: null }, `${name}: the reply stays sent`)
    t.same(await clock(host, workOrderId), { stopped: true, replyMessageId: replyId }, `${name}: the clock stays stopped`)
  }
  const stored = await host.knex('trc_messages').where({ automatic_kind: 'pec-receipt' }).count({ n: '*' }).first()
  t.equal(Number(stored?.n), cases.length, 'each forged receipt is kept, as automatic mail')
  t.equal(Number((await host.knex('trc_audit_log').where('action', 'outbound.bounced').count({ n: '*' }).first())?.n), 0)
})

t.test('the provider domain: configured, or the registrable domain of the mailbox hosts', async (t) => {
  t.same(providerDomains({ pec: true, imapHost: 'imaps.pec.aruba.it', smtpHost: 'smtps.pec.aruba.it', pecProviderDomain: null }), ['aruba.it'])
  t.same(providerDomains({ pec: true, imapHost: 'mbox.cert.legalmail.it', smtpHost: 'sendm.cert.legalmail.it', pecProviderDomain: null }), ['legalmail.it'])
  t.same(providerDomains({ pec: true, imapHost: '127.0.0.1', smtpHost: null, pecProviderDomain: 'PEC.Provider.test' }), ['pec.provider.test'])
  t.same(
    providerDomains({ pec: true, imapHost: '127.0.0.1', smtpHost: null, pecProviderDomain: null }),
    [],
    'an IP address names no provider: no receipt is genuine until one is configured'
  )
  t.same(
    readDaticert(
      '<?xml version="1.0"?><postacert tipo="avvenuta-consegna" errore="nessuno"><dati><msgid>&lt;trc.1.2@Comune.Example.Test&gt;</msgid><consegna>a@pec.it</consegna></dati></postacert>'
    ),
    { tipo: 'avvenuta-consegna', errore: 'nessuno', msgid: 'trc.1.2@comune.example.test', consegna: 'a@pec.it' }
  )
  t.equal(readDaticert('<html><body>non una ricevuta</body></html>'), null)
})
