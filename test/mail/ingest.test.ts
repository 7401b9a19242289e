// The ingest pipeline end to end on the real database (no IMAP here: the watcher has its own tests):
// who wrote, which work order, what is stored, what is queued, what is never done.
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { verpAddress } from '../../src/mail/verp.js'
import { auth, startTestHost, TEST_SECRET, type TestHost } from '../helpers/host.js'
import { buildMail, deliveryStatusNotification, pecEnvelope, pecReceipt } from '../helpers/mail.js'
import { CORPUS_DIR, corpusSkip } from '../helpers/corpus.js'

const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const TO = 'reclami@garbage.example.test'

async function conversation(host: TestHost, workOrderId: number) {
  const res = await host.app.inject({ url: `/api/communications/work-orders/${workOrderId}/messages`, headers: auth('demo-viewer') })
  return res.json().items as Array<
    Record<string, unknown> & {
      id: number
      direction: string
      automaticKind: string | null
      messageId: string
      attachments: Array<{ id: number; filename: string; size: number; sha256: string }>
    }
  >
}
const outboxCount = async (host: TestHost) => Number((await host.knex('trc_outbox').count({ n: '*' }).first())?.n)
const workOrderCount = async (host: TestHost) => Number((await host.knex('ordini_lavoro').count({ n: '*' }).first())?.n)

t.test('ingest pipeline', async (t) => {
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false } })
  t.teardown(() => host.close())
  const ingest = host.app.communications.mail.ingest

  // A conversation of its own for each subtest that needs one: a seeded citizen with an address nobody else in this
  // file writes from (confirmations are capped per address), their first mail and the confirmation it got.
  const citizens = (
    await host
      .knex('contribuenti')
      .select('email')
      .whereLike('email', '%@example.test')
      .whereNotIn('email', ['mario.rossi@example.test', 'famiglia.bianchi@example.test'])
      .orderBy('id_contribuente')
      .limit(20)
  ).map((r: { email: string }) => r.email)
  let handedOut = 0 // only picks the next unused citizen: no subtest reads what another one stored
  async function openConversation(): Promise<{ workOrderId: number; email: string; messageId: string; confirmationId: string }> {
    const email = citizens[handedOut++]
    if (!email) throw new Error('no seeded citizen left for a new conversation')
    const messageId = `<first.${handedOut}.${Date.now()}@example.test>`
    const first = await ingest(
      await buildMail({
        from: email,
        to: TO,
        subject: 'Reclamo: cassonetto non svuotato',
        messageId,
        text: 'Il cassonetto non viene svuotato da una settimana.'
      })
    )
    if (first.outcome !== 'created') throw new Error(`expected a new work order, got ${first.outcome}`)
    const confirmation = (await conversation(host, first.workOrderId as number)).find((m) => m.direction === 'outbound')
    if (!confirmation) throw new Error('no confirmation queued for the new conversation')
    return { workOrderId: first.workOrderId as number, email, messageId, confirmationId: confirmation.messageId }
  }

  t.test('a mail from a known citizen opens a work order for them, with a confirmation', async (t) => {
    const marioMessageId = `<mario.${Date.now()}@example.test>`
    const before = await workOrderCount(host)
    const raw = await buildMail({
      from: 'Mario Rossi <Mario.Rossi@example.test>',
      to: TO,
      subject: 'Reclamo: mancata raccolta del vetro in via Roma',
      messageId: marioMessageId,
      text: 'Buongiorno, da due settimane il vetro non viene raccolto. Ecco la foto.',
      html: '<p>Buongiorno, da <b>due settimane</b> il vetro non viene raccolto.</p><img src="cid:foto1"><script>alert(1)</script><img src="x" onerror="alert(2)">',
      attachments: [
        { filename: 'foto via Roma.jpg', content: Buffer.from('fake-jpeg-bytes'), contentType: 'image/jpeg', cid: 'foto1' },
        { filename: 'segnalazione.pdf', content: Buffer.from('%PDF-1.4 fake'), contentType: 'application/pdf' }
      ]
    })
    const received = new Date('2026-03-06T17:30:00Z') // a Friday evening
    const result = await ingest(raw, { receivedAt: received })
    t.equal(result.outcome, 'created')
    t.equal(await workOrderCount(host), before + 1)
    const marioWorkOrder = result.workOrderId as number
    const wo = await host.knex('ordini_lavoro').first('*').where('id_odl', marioWorkOrder)
    t.equal(Number(wo.id_contribuente), host.contributors.marioRossi, 'linked to Mario Rossi')
    t.equal(wo.stato, 'APERTO')
    t.equal(wo.origine, 'COMUNICAZIONI', 'host insert defaults applied')
    t.equal(wo.oggetto, 'Reclamo: mancata raccolta del vetro in via Roma')
    t.equal(wo.tipo_odl, 'RECLAMO', 'the suggested type is written through the mapping')

    const view = (await host.app.inject({ url: `/api/communications/work-orders/${marioWorkOrder}`, headers: auth('demo-viewer') })).json()
    t.match(view.reference, /^RC-2026-\d{6}$/)
    t.equal(view.channel, 'email')
    t.equal(view.receivedAt, received.toISOString())
    t.equal(view.type, 'reclamo_scritto')
    // Friday 6 March 2026, 18:30 in Rome: day 1 is Monday 9 March; Easter Monday (6 April) is skipped
    t.equal(view.dueDate, '2026-04-20', '30 working days')

    const items = await conversation(host, marioWorkOrder)
    t.equal(items.length, 2, 'the mail and the confirmation')
    const [inbound, confirmation] = items
    t.match(inbound, {
      direction: 'inbound',
      channel: 'email',
      from: 'mario.rossi@example.test',
      senderMatch: 'single',
      contributorId: host.contributors.marioRossi
    })
    t.notMatch(String(inbound?.html), /script|onerror|alert/, 'HTML is sanitized')
    t.match(String(inbound?.html), /<b>due settimane<\/b>/)
    t.equal(inbound?.attachments.length, 2)
    const photo = inbound?.attachments.find((a) => a.filename === 'foto via Roma.jpg')
    t.ok(photo)
    t.match(String(inbound?.html), new RegExp(`src="/api/communications/attachments/${photo?.id}"`), 'cid: image points at the stored attachment')
    t.match(photo?.sha256, /^[a-f0-9]{64}$/)
    const download = await host.app.inject({
      url: `/api/communications/attachments/${inbound?.attachments.find((a) => a.filename === 'segnalazione.pdf')?.id}`,
      headers: auth('demo-viewer')
    })
    t.equal(download.statusCode, 200)
    t.equal(download.body, '%PDF-1.4 fake')
    t.equal(download.headers['x-content-type-options'], 'nosniff')
    t.equal(download.headers['content-type'], 'application/octet-stream', 'non-image types are never rendered')
    t.match(download.headers['content-disposition'], /^attachment; filename="segnalazione.pdf"/)

    t.match(confirmation, { direction: 'outbound', deliveryStatus: 'queued', to: ['mario.rossi@example.test'], inReplyTo: marioMessageId.replace(/[<>]/g, '') })
    t.match(String(confirmation?.subject), `[OdL #${marioWorkOrder}]`, 'the confirmation names this work order')
    t.match(String(confirmation?.text), /RC-2026-/)
    const outbox = await host.knex('trc_outbox').where({ kind: 'confirmation' })
    t.equal(outbox.length, 1, 'one confirmation queued')
  })

  t.test('the same mail twice is stored once, and the skipped copy is audited with its key', async (t) => {
    const raw = await buildMail({ from: 'mario.rossi@example.test', to: TO, subject: 'Doppione', messageId: `<twice.${Date.now()}@example.test>`, text: 'x' })
    const first = await ingest(raw)
    t.equal(first.outcome, 'created')
    const second = await ingest(raw)
    t.equal(second.outcome, 'duplicate')
    t.equal((await conversation(host, first.workOrderId as number)).filter((m) => m.direction === 'inbound').length, 1)
    const audit = await host.knex('trc_audit_log').where({ action: 'mail.duplicate' }).orderBy('id', 'desc').first()
    t.equal(JSON.parse(audit.details_json).key, second.detail, 'the audit names the key the copy hit')
  })

  t.test('the citizen replies to the confirmation: same work order, no new confirmation', async (t) => {
    const conv = await openConversation()
    const outboxBefore = await outboxCount(host)
    const workOrdersBefore = await workOrderCount(host)
    const raw = await buildMail({
      from: conv.email,
      to: TO,
      subject: 'Ho cambiato oggetto',
      inReplyTo: `<${conv.confirmationId}>`,
      references: [conv.messageId, `<${conv.confirmationId}>`],
      text: 'Aggiungo che anche la carta non è stata raccolta.'
    })
    const result = await ingest(raw)
    t.equal(result.outcome, 'threaded')
    t.equal(result.workOrderId, conv.workOrderId)
    t.equal(await workOrderCount(host), workOrdersBefore)
    t.equal(await outboxCount(host), outboxBefore)
    const meta = (await conversation(host, conv.workOrderId)).find((m) => m.subject === 'Ho cambiato oggetto')?.meta as Record<string, unknown>
    t.equal(meta.threadedVia, 'token')
  })

  t.test('a reply quoting only the original inbound Message-ID threads by References', async (t) => {
    const conv = await openConversation()
    const raw = await buildMail({ from: conv.email, to: TO, subject: 'Re: Mancata raccolta', references: [conv.messageId], text: 'Sollecito.' })
    const result = await ingest(raw)
    t.equal(result.workOrderId, conv.workOrderId)
  })

  t.test('a subject reference is honoured only from the contributor', async (t) => {
    const conv = await openConversation()
    const own = await ingest(
      await buildMail({ from: conv.email, to: TO, subject: `Ancora io [OdL #${conv.workOrderId}]`, text: 'Nuovo messaggio senza In-Reply-To.' })
    )
    t.equal(own.workOrderId, conv.workOrderId)
    const stranger = await ingest(
      await buildMail({ from: 'intruso@elsewhere.test', to: TO, subject: `Re: [OdL #${conv.workOrderId}]`, text: 'Provo a entrare nella pratica.' })
    )
    t.equal(stranger.outcome, 'created')
    t.not(stranger.workOrderId, conv.workOrderId)
  })

  t.test('an unknown sender lands on the generic contributor with the address kept', async (t) => {
    const result = await ingest(
      await buildMail({ from: 'Sconosciuto <nuovo.utente@altrove.test>', to: TO, subject: 'Cassonetto rotto', text: 'Il cassonetto in piazza è rotto.' })
    )
    const wo = await host.knex('ordini_lavoro').first('*').where('id_odl', result.workOrderId)
    t.equal(Number(wo.id_contribuente), host.genericContributorId)
    const [message] = await conversation(host, result.workOrderId as number)
    t.match(message, { senderMatch: 'unknown', from: 'nuovo.utente@altrove.test', contributorId: host.genericContributorId })
  })

  t.test('a shared address is not guessed; the operator picks the contributor', async (t) => {
    const result = await ingest(
      await buildMail({ from: 'famiglia.bianchi@example.test', to: TO, subject: 'Bolletta TARI', text: 'La bolletta riporta un importo errato.' })
    )
    const wo = await host.knex('ordini_lavoro').first('*').where('id_odl', result.workOrderId)
    t.equal(Number(wo.id_contribuente), host.genericContributorId, 'generic contributor while ambiguous')
    const [message] = await conversation(host, result.workOrderId as number)
    t.equal(message?.senderMatch, 'ambiguous')
    t.same([...(message?.senderCandidates as number[])].sort(), [...host.contributors.bianchi].sort(), 'both Bianchi are candidates')

    const viewer = await host.app.inject({
      method: 'POST',
      url: `/api/communications/messages/${message?.id}/contributor`,
      headers: auth('demo-viewer'),
      payload: { contributorId: host.contributors.bianchi[1] }
    })
    t.equal(viewer.statusCode, 403)
    const bad = await host.app.inject({
      method: 'POST',
      url: `/api/communications/messages/${message?.id}/contributor`,
      headers: auth('demo-operator'),
      payload: { contributorId: 99999 }
    })
    t.equal(bad.statusCode, 404)
    const res = await host.app.inject({
      method: 'POST',
      url: `/api/communications/messages/${message?.id}/contributor`,
      headers: auth('demo-operator'),
      payload: { contributorId: host.contributors.bianchi[1] }
    })
    t.equal(res.statusCode, 200)
    t.equal(res.json().workOrderUpdated, true)
    const after = await host.knex('ordini_lavoro').first('*').where('id_odl', result.workOrderId)
    t.equal(Number(after.id_contribuente), host.contributors.bianchi[1])
    const audit = await host.knex('trc_audit_log').where({ action: 'message.contributorLinked', message_id: message?.id })
    t.equal(audit.length, 1)
  })

  t.test('automatic mail never opens work orders nor triggers confirmations', async (t) => {
    const conv = await openConversation()
    const workOrdersBefore = await workOrderCount(host)
    const outboxBefore = await outboxCount(host)
    const autoReply = await ingest(
      await buildMail({
        from: conv.email,
        to: TO,
        subject: 'Risposta automatica: fuori ufficio',
        inReplyTo: `<${conv.confirmationId}>`,
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
        text: 'Sono fuori ufficio fino a lunedì.'
      })
    )
    t.equal(autoReply.outcome, 'automatic')
    t.equal(autoReply.workOrderId, conv.workOrderId, 'kept in the conversation it answers')
    const list = await ingest(
      await buildMail({
        from: 'news@lista.test',
        to: TO,
        subject: 'Newsletter',
        headers: { 'List-Id': '<news.lista.test>', 'List-Unsubscribe': '<mailto:u@lista.test>' },
        text: 'Offerte'
      })
    )
    t.equal(list.outcome, 'automatic')
    t.equal(list.workOrderId, null)
    const bulk = await ingest(await buildMail({ from: 'promo@shop.test', to: TO, subject: 'Promo', headers: { Precedence: 'bulk' }, text: 'x' }))
    t.equal(bulk.outcome, 'automatic')
    const daemon = await ingest(await buildMail({ from: 'MAILER-DAEMON@mx.test', to: TO, subject: 'Warning', text: 'x' }))
    t.equal(daemon.outcome, 'automatic')
    const suppress = await ingest(
      await buildMail({
        from: 'someone@corp.test',
        to: TO,
        subject: 'Out of Office: Mancata raccolta',
        headers: { 'X-Auto-Response-Suppress': 'All' },
        text: 'x'
      })
    )
    t.equal(suppress.outcome, 'automatic')
    t.equal(await workOrderCount(host), workOrdersBefore)
    t.equal(await outboxCount(host), outboxBefore)
    const kinds = (await conversation(host, conv.workOrderId)).filter((m) => m.automaticKind).map((m) => m.automaticKind)
    t.same(kinds, ['auto-reply'])
  })

  t.test('a bounce of our confirmation marks it failed and shows in the conversation', async (t) => {
    const conv = await openConversation()
    const workOrdersBefore = await workOrderCount(host)
    // a DSN counts only at the signed return path of the mail it is about (test/mail/bounces.test.ts has the forgeries)
    const outboxRow = await host
      .knex('trc_outbox')
      .first('id')
      .where({ kind: 'confirmation' })
      .whereIn('message_id', host.knex('trc_messages').select('id').where({ message_id: conv.confirmationId }))
    const returnPath = verpAddress(MAIL_FROM, Number(outboxRow.id), TEST_SECRET) as string
    const result = await ingest(
      deliveryStatusNotification({
        messageId: conv.confirmationId,
        to: conv.email,
        from: 'tari@garbage.example.test',
        subject: 'Presa in carico',
        returnPath
      })
    )
    t.equal(result.outcome, 'automatic')
    t.equal(result.workOrderId, conv.workOrderId)
    t.equal(await workOrderCount(host), workOrdersBefore)
    const items = await conversation(host, conv.workOrderId)
    const confirmation = items.find((m) => m.messageId === conv.confirmationId)
    t.equal(confirmation?.deliveryStatus, 'failed')
    t.match(String(confirmation?.deliveryError), /5\.1\.1.*User unknown/)
    t.ok(
      items.some((m) => m.automaticKind === 'bounce'),
      'the bounce itself is visible'
    )
  })

  t.test('PEC: the envelope yields a work order for the real sender with the original content', async (t) => {
    const original = await buildMail({
      from: 'Mario Rossi <mario.rossi@pec.example.test>',
      to: 'protocollo@pec.garbage.example.test',
      subject: 'Reclamo formale per mancato servizio',
      messageId: '<originale.pec.1@pec.example.test>',
      text: 'Con la presente presento formale reclamo per il mancato ritiro degli ingombranti.',
      attachments: [{ filename: 'documento identità.pdf', content: Buffer.from('%PDF identity') }]
    })
    const envelope = pecEnvelope(original, {
      from: 'mario.rossi@pec.example.test',
      to: 'protocollo@pec.garbage.example.test',
      subject: 'Reclamo formale per mancato servizio'
    })
    const result = await ingest(envelope)
    t.equal(result.outcome, 'created')
    const wo = await host.knex('ordini_lavoro').first('*').where('id_odl', result.workOrderId)
    t.equal(Number(wo.id_contribuente), host.contributors.marioRossi, 'matched through the PEC column')
    t.equal(wo.oggetto, 'Reclamo formale per mancato servizio', 'original subject, not "POSTA CERTIFICATA: …"')
    const [message] = await conversation(host, result.workOrderId as number)
    t.equal(message?.from, 'mario.rossi@pec.example.test')
    t.match(String(message?.text), /formale reclamo/)
    t.notMatch(String(message?.text), /Messaggio di posta certificata/, 'the provider notice is not the content')
    t.same(message?.attachments.map((a) => a.filename).sort(), ['daticert.xml', 'documento identità.pdf', 'smime.p7s'])
    t.match(message?.meta, { pec: { transport: 'posta-certificata' } })
    const view = (await host.app.inject({ url: `/api/communications/work-orders/${result.workOrderId}`, headers: auth('demo-viewer') })).json()
    t.equal(view.type, 'reclamo_scritto')
  })

  t.test('PEC receipts are evidence for our outbound mail, never new reports', async (t) => {
    const conv = await openConversation()
    const workOrdersBefore = await workOrderCount(host)
    const outboxBefore = await outboxCount(host)
    const accepted = await ingest(pecReceipt('avvenuta-consegna', conv.confirmationId, 'tari@garbage.example.test'))
    t.equal(accepted.outcome, 'automatic')
    t.equal(accepted.workOrderId, null, 'not on a mailbox configured as PEC: ordinary automatic mail (test/mail/pec-receipts.test.ts has the genuine ones)')
    const unknown = await ingest(pecReceipt('accettazione', '<sconosciuto@x.test>', 'tari@garbage.example.test'))
    t.equal(unknown.workOrderId, null)
    t.equal(await workOrderCount(host), workOrdersBefore)
    t.equal(await outboxCount(host), outboxBefore)
  })

  t.test('a reply to a closed work order reopens it (recent) or opens a linked one (old)', async (t) => {
    const conv = await openConversation()
    await host.knex('ordini_lavoro').where('id_odl', conv.workOrderId).update({ stato: 'CHIUSO' })
    const reopened = await ingest(
      await buildMail({
        from: conv.email,
        to: TO,
        subject: 'Re: pratica',
        inReplyTo: `<${conv.confirmationId}>`,
        text: 'Il problema si ripresenta.'
      })
    )
    t.equal(reopened.workOrderId, conv.workOrderId)
    t.equal((await host.knex('ordini_lavoro').first('stato').where('id_odl', conv.workOrderId)).stato, 'APERTO')
    t.equal((await host.knex('trc_audit_log').where({ action: 'workOrder.reopened', work_order_id: conv.workOrderId })).length, 1)

    await host.knex('ordini_lavoro').where('id_odl', conv.workOrderId).update({ stato: 'CHIUSO' })
    const late = await host.app.communications.mail.ingest(
      await buildMail({ from: conv.email, to: TO, subject: 'Re: pratica', inReplyTo: `<${conv.confirmationId}>`, text: 'Dopo due mesi.' }),
      {}
    )
    // last activity is "now" in this test, so simulate age by moving the conversation back in time
    t.equal(late.workOrderId, conv.workOrderId)
    await host.knex('ordini_lavoro').where('id_odl', conv.workOrderId).update({ stato: 'CHIUSO' })
    await host
      .knex('trc_messages')
      .where('work_order_id', conv.workOrderId)
      .update({ created_at: new Date('2025-01-01T00:00:00Z') })
    const linked = await ingest(
      await buildMail({ from: conv.email, to: TO, subject: 'Re: pratica', inReplyTo: `<${conv.confirmationId}>`, text: 'Ancora, dopo molto tempo.' })
    )
    t.equal(linked.outcome, 'created')
    t.not(linked.workOrderId, conv.workOrderId)
    const view = (await host.app.inject({ url: `/api/communications/work-orders/${linked.workOrderId}`, headers: auth('demo-viewer') })).json()
    t.equal(view.parentWorkOrderId, conv.workOrderId, 'linked to the closed one')
  })

  t.test('confirmations are capped per address per hour', async (t) => {
    const before = await host.knex('trc_outbox').where({ kind: 'confirmation', recipient: 'flood@spam.test' })
    t.equal(before.length, 0)
    for (let i = 0; i < 5; i++) await ingest(await buildMail({ from: 'flood@spam.test', to: TO, subject: `Richiesta ${i}`, text: `Messaggio numero ${i}` }))
    const after = await host.knex('trc_outbox').where({ kind: 'confirmation', recipient: 'flood@spam.test' })
    t.equal(after.length, 3)
  })

  t.test('oversized mail: headers and a note recorded, raw source quarantined', async (t) => {
    const big = await buildMail({
      from: 'mario.rossi@example.test',
      to: TO,
      subject: 'Foto enormi',
      text: 'x',
      attachments: [{ filename: 'big.bin', content: Buffer.alloc(300_000, 7) }]
    })
    const small = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false }, inbound: { maxMessageBytes: 100_000 } })
    t.teardown(() => small.close())
    const result = await small.app.communications.mail.ingest(big)
    t.equal(result.outcome, 'oversize')
    const [message] = await conversation(small, result.workOrderId as number)
    t.equal(message?.subject, 'Foto enormi')
    t.match(String(message?.text), /oltre il limite/)
    const q = await small.knex('trc_quarantine').select('reason', 'size')
    t.equal(q.length, 1)
    t.equal(q[0].reason, 'oversize')
    t.equal(Number(q[0].size), big.length)
  })

  t.test('every email of the shared corpus is stored or quarantined, never a crash', { skip: corpusSkip }, async (t) => {
    const root = CORPUS_DIR
    const files = ['rt', 'mailparser'].flatMap((dir) => readdirSync(path.join(root, dir)).map((f) => path.join(root, dir, f)))
    t.ok(files.length >= 30, `${files.length} corpus files`)
    const outcomes: Record<string, number> = {}
    for (const file of files) {
      const raw = readFileSync(file)
      const result = await ingest(raw)
      outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1
      if (result.outcome === 'quarantined') t.ok(result.detail, `${path.basename(file)} quarantined with a reason`)
      else if (result.outcome !== 'duplicate') t.ok(result.messageId, `${path.basename(file)} stored`)
    }
    t.comment(JSON.stringify(outcomes))
    const bounces = await host.knex('trc_messages').where({ automatic_kind: 'bounce' })
    t.ok(bounces.length >= 2, 'the corpus DSNs are recognised as bounces')
  })
})
