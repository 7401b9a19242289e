// The conversation document: download it, open it (unzip, read word/document.xml), and mail it.
import t from 'tap'
import JSZip from 'jszip'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { startSmtpServer } from '../helpers/smtp.js'
import { queueOutboundMail } from '../../src/mail/outbound.js'
import { TEST_SECRET } from '../helpers/host.js'
import { internalsOf } from '../../src/internals.js'

const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const API = '/api/communications'

const CITIZEN_HTML =
  '<p>Buongiorno, il cassonetto in via Libertà è <b>rotto</b> e <i>perde</i> liquido; è già la <u>terza volta</u>.</p>' +
  '<ul><li>primo guasto: gennaio</li><li>secondo guasto: febbraio</li></ul>' +
  '<ol><li>riparare</li><li>sostituire</li></ol>' +
  '<blockquote><p>Citazione dalla bolletta: «perché?»</p></blockquote>' +
  '<table><tr><th>Data</th><th>Importo</th></tr><tr><td>1° marzo</td><td>€ 120,50</td></tr></table>' +
  '<p>Dettagli sul <a href="https://comune.example.test/raccolta">calendario</a>.</p>'

async function buildConversation(host: TestHost): Promise<number> {
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject: 'Reclamo: cassonetto rotto, già segnalato',
    messageId: '<exp1@example.test>',
    html: CITIZEN_HTML,
    attachments: [{ filename: 'foto perdita.jpg', content: Buffer.alloc(3000, 7), contentType: 'image/jpeg' }]
  })
  const { workOrderId } = (await host.app.communications.mail.ingest(raw, { receivedAt: new Date('2026-03-02T09:30:00Z') })) as { workOrderId: number }
  const reply = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/reply`,
    headers: auth('demo-operator'),
    payload: { html: '<p>Gentile sig. Rossi, la squadra interverrà <strong>lunedì</strong>. Ci scusiamo per il disagio.</p>' }
  })
  if (reply.statusCode !== 201) throw new Error(reply.body)
  await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/notes`,
    headers: auth('demo-operator'),
    payload: { html: "<p>Nota: verificare con l'appaltatore</p>" }
  })
  await host.app.inject({ method: 'POST', url: `${API}/work-orders/${workOrderId}/state`, headers: auth('demo-operator'), payload: { state: 'in_progress' } })
  return workOrderId
}

async function documentXml(docx: Buffer): Promise<{ body: string; header: string; text: string }> {
  const zip = await JSZip.loadAsync(docx)
  const body = (await zip.file('word/document.xml')?.async('string')) ?? ''
  const headers = await Promise.all(
    Object.keys(zip.files)
      .filter((n) => /^word\/header\d*\.xml$/.test(n))
      .map((n) => zip.file(n)?.async('string'))
  )
  // the text as a reader sees it: runs joined, paragraphs on their own lines
  const text = body
    .replace(/<\/w:p>/g, '\n')
    .replace(/<w:br\/>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
  return { body, header: headers.join('\n'), text }
}

t.test('conversation document', async (t) => {
  const smtp = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url } } })
  t.teardown(() => host.close())
  const workOrderId = await buildConversation(host)
  const reference = (await host.app.inject({ url: `${API}/work-orders/${workOrderId}`, headers: auth('demo-viewer') })).json().reference as string

  t.test('download opens as a Word document with the whole conversation', async (t) => {
    const res = await host.app.inject({ url: `${API}/work-orders/${workOrderId}/export.docx`, headers: auth('demo-viewer') })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
    t.equal(res.headers['content-disposition'], `attachment; filename="conversazione-${reference}.docx"; filename*=UTF-8''conversazione-${reference}.docx`)
    const { body, header, text } = await documentXml(res.rawPayload)
    t.match(header, /Garbage Servizi Ambientali S\.p\.A\./, 'letterhead')
    t.match(text, `Conversazione — ${reference}`)
    t.match(text, /Contribuente.*Mario Rossi/s)
    t.match(text, /Tipo di richiesta.*Reclamo scritto/s)
    t.match(text, /Stato.*In lavorazione/s)
    t.match(text, /Ricevuta il.*lunedì 2 marzo 2026, 10:30/s, 'Italian date in Rome time')
    // a written complaint received Mon 2 Mar 2026: 30 working days, Easter Monday (6 Apr) skipped → Tue 14 Apr
    t.match(text, /Scadenza \(ARERA\)\s*14 aprile 2026/, 'the due date itself')
    t.match(text, /Messaggi \(5\)/, 'the mail, the confirmation, the reply, the note, the state change')
    const order = ['1. Ricevuto — lunedì 2 marzo 2026, 10:30', '2. Inviato', '3. Inviato', '4. Nota interna', '5. Cambio di stato'].map((h) => text.indexOf(h))
    t.ok(
      order.every((i, n) => i >= 0 && (n === 0 || i > (order[n - 1] as number))),
      `messages in order ${order.join(',')}`
    )
    t.match(text, /Da: Mario Rossi <mario\.rossi@example\.test>/)
    t.match(text, /Oggetto: Reclamo: cassonetto rotto, già segnalato/)
    t.match(text, /il cassonetto in via Libertà è rotto e perde liquido; è già la terza volta\./, 'accents survive')
    t.match(body, /<w:b\/>(?:(?!<\/w:r>).)*<w:t[^>]*>rotto<\/w:t>/s, 'bold')
    t.match(body, /<w:i\/>(?:(?!<\/w:r>).)*<w:t[^>]*>perde<\/w:t>/s, 'italic')
    t.match(body, /<w:u [^>]*\/>(?:(?!<\/w:r>).)*<w:t[^>]*>terza volta<\/w:t>/s, 'underline')
    t.match(body, /<w:hyperlink[^>]*>(?:(?!<\/w:hyperlink>).)*calendario/s, 'links')
    t.equal((body.match(/<w:numPr>/g) ?? []).length, 4, 'list items are Word list paragraphs')
    t.match(body, /<w:tbl>(?:(?!<\/w:tbl>).)*€ 120,50/s, 'tables')
    t.match(text, /Citazione dalla bolletta: «perché\?»/)
    t.match(text, /Allegati \(1\):\n?• foto perdita\.jpg \(3 KB\)/)
    t.match(text, /la squadra interverrà lunedì/)
    t.match(text, /Consegna: in coda di invio/)
    t.match(text, /Nota: verificare con l'appaltatore/)
    t.match(text, /Stato cambiato da Aperto a In lavorazione/)
    t.match(text, /Operatore: Operatore Demo/)
  })

  t.test('without the internal notes on request', async (t) => {
    const res = await host.app.inject({ url: `${API}/work-orders/${workOrderId}/export.docx?notes=false`, headers: auth('demo-viewer') })
    const { text } = await documentXml(res.rawPayload)
    t.match(text, /Messaggi \(3\)/)
    t.notMatch(text, /Nota: verificare|Stato cambiato/)
    const bad = await host.app.inject({ url: `${API}/work-orders/${workOrderId}/export.docx?notes=forse`, headers: auth('demo-viewer') })
    t.equal(bad.statusCode, 400)
  })

  t.test('English on request', async (t) => {
    const res = await host.app.inject({ url: `${API}/work-orders/${workOrderId}/export.docx?lang=en`, headers: auth('demo-viewer') })
    t.match(res.headers['content-disposition'], /conversation-RC-/)
    t.match((await documentXml(res.rawPayload)).text, /Request type.*Written complaint/s)
  })

  t.test('unknown work order and missing login', async (t) => {
    const res = await host.app.inject({ url: `${API}/work-orders/99999999/export.docx`, headers: auth('demo-viewer') })
    t.equal(res.statusCode, 404)
    t.match(res.json().message, /Ordine di lavoro 99999999 non trovato/)
    t.equal((await host.app.inject({ url: `${API}/work-orders/${workOrderId}/export.docx` })).statusCode, 401)
  })

  t.test('mailing the document records it and sends the exact file', async (t) => {
    await host.app.communications.outbox.runOnce()
    smtp.reset()
    const url = `${API}/work-orders/${workOrderId}/export/send`
    const viewer = await host.app.inject({ method: 'POST', url, headers: auth('demo-viewer'), payload: { to: 'avvocato@example.test' } })
    t.equal(viewer.statusCode, 403)
    t.match(viewer.json().message, /documents/)
    const bad = await host.app.inject({ method: 'POST', url, headers: auth('demo-operator'), payload: { to: 'non valido' } })
    t.equal(bad.statusCode, 400)
    const none = await host.app.inject({ method: 'POST', url, headers: auth('demo-operator'), payload: {} })
    t.equal(none.statusCode, 400)
    t.match(none.json().message, /Nessun destinatario/)

    const res = await host.app.inject({
      method: 'POST',
      url,
      headers: auth('demo-operator'),
      payload: { to: ['avvocato@example.test'], cc: 'protocollo@garbage.example.test', note: '<p>Come richiesto, la documentazione completa.</p>' }
    })
    t.equal(res.statusCode, 201, res.body)
    const sent = res.json()
    t.match(sent, {
      direction: 'outbound',
      to: ['avvocato@example.test'],
      cc: ['protocollo@garbage.example.test'],
      meta: { kind: 'document' },
      deliveryStatus: 'queued'
    })
    t.equal(sent.subject, `Documentazione pratica ${reference} [OdL #${workOrderId}]`)
    t.same(
      sent.attachments.map((a: { filename: string }) => a.filename),
      [`conversazione-${reference}.docx`],
      'the document is kept with the message'
    )
    const audit = await host.knex('trc_audit_log').where({ action: 'conversation.documentSent', work_order_id: workOrderId })
    t.equal(audit.length, 1)
    t.match(JSON.parse(audit[0].details_json), { to: ['avvocato@example.test'], filename: `conversazione-${reference}.docx` })

    await host.app.communications.outbox.runOnce()
    const [mail] = await smtp.waitFor(1)
    const file = mail?.parsed.attachments[0]
    t.equal(file?.filename, `conversazione-${reference}.docx`)
    t.equal(file?.contentType, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
    const stored = await host.app.inject({ url: `${API}/attachments/${sent.attachments[0].id}`, headers: auth('demo-viewer') })
    t.ok(file?.content.equals(stored.rawPayload), 'the mailed bytes are the stored bytes')
    const mailed = (await documentXml(file?.content as Buffer)).text
    t.match(mailed, /la squadra interverrà lunedì/)
    t.notMatch(mailed, /Nota: verificare con l'appaltatore/, 'internal notes stay inside unless asked for')
    t.match(mail?.parsed.text, /Come richiesto, la documentazione completa\./)
    t.equal((await host.app.communications.messages.get(sent.id))?.deliveryStatus, 'sent')

    const withNotes = await host.app.inject({
      method: 'POST',
      url,
      headers: auth('demo-operator'),
      payload: { to: 'archivio@garbage.example.test', includeNotes: true }
    })
    t.equal(withNotes.statusCode, 201)
    const docx = await host.app.inject({ url: `${API}/attachments/${withNotes.json().attachments[0].id}`, headers: auth('demo-viewer') })
    t.match((await documentXml(docx.rawPayload)).text, /Nota: verificare con l'appaltatore/, 'included when asked for')
    const badFlag = await host.app.inject({
      method: 'POST',
      url,
      headers: auth('demo-operator'),
      payload: { to: 'archivio@garbage.example.test', includeNotes: 'sì' }
    })
    t.equal(badFlag.statusCode, 400)
  })

  t.test('the worker also makes documents at send time (payload.generated)', async (t) => {
    await host.app.communications.outbox.runOnce()
    smtp.reset()
    const repos = internalsOf(host.app.communications).repositories
    await repos.transaction((tx) =>
      queueOutboundMail(
        tx,
        {
          workOrderId,
          contributorId: null,
          kind: 'document',
          from: MAIL_FROM,
          to: ['archivio@example.test'],
          subject: 'Archivio',
          html: '<p>Archivio</p>',
          text: 'Archivio',
          generated: [{ kind: 'conversation-docx', workOrderId, filename: 'archivio.docx' }],
          now: new Date()
        },
        TEST_SECRET
      )
    )
    await host.app.communications.outbox.runOnce()
    const [mail] = await smtp.waitFor(1)
    t.equal(mail?.parsed.attachments[0]?.filename, 'archivio.docx')
    const generated = (await documentXml(mail?.parsed.attachments[0]?.content as Buffer)).text
    t.match(generated, /Conversazione — RC-/)
    t.notMatch(generated, /Nota: verificare/)
  })
})
