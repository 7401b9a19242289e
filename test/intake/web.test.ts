// The Sportello On-line submission end to end on the real database: who the citizen is, what is stored, what is
// queued, and every way a submission is refused — each refusal answered clearly and leaving no row behind.
import t from 'tap'
import { buildMail } from '../helpers/mail.js'
import { auth, startTestHost } from '../helpers/host.js'
import { issueFormToken } from '../../src/intake/form-token.js'
import { API, blob, formToken, pngBytes, rowCounts } from './fixtures.js'
import { TEST_SECRET } from '../helpers/host.js'
import { isPostgres } from '../helpers/db.js'

const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'

function form(fields: Record<string, string>, files: Array<{ name: string; type: string; content: Buffer }> = []): FormData {
  const data = new FormData()
  for (const [k, v] of Object.entries(fields)) data.append(k, v)
  for (const f of files) data.append('attachments', blob(f.content, f.type), f.name)
  return data
}

const complaint = (over: Record<string, string> = {}) => ({
  formToken: formToken(),
  type: 'reclamo_scritto',
  service: 'raccolta_trasporto',
  subject: 'Raccolta non effettuata in via Libertà',
  description: "Da due settimane l'umido non viene raccolto. Perché? È inaccettabile.",
  address: 'Via della Libertà 12, Cantù',
  firstName: 'Mario',
  lastName: 'Rossi',
  email: 'm.rossi.lavoro@example.test',
  fiscalCode: '',
  userCode: 'U-000123',
  supplyAddress: 'Via della Libertà 12',
  supplyCode: 'UT-42',
  iban: 'IT60 X054 2811 1010 0000 0123 456',
  privacy: 'true',
  ...over
})

t.test('Sportello On-line submissions', async (t) => {
  const host = await startTestHost({
    mail: { from: MAIL_FROM, startWorkers: false },
    intake: { minFillSeconds: 2, perIpLimit: 1000, perEmailPerHour: 3, maxFileBytes: 300_000, maxFiles: 3 }
  })
  t.teardown(() => host.close())
  const marioCf = String((await host.knex('contribuenti').first('codice_fiscale').where('id_contribuente', host.contributors.marioRossi)).codice_fiscale)
  const post = (payload: FormData | Record<string, unknown>, headers: Record<string, string> = {}) =>
    host.app.inject({ method: 'POST', url: `${API}/intake/web`, payload: payload as Record<string, unknown>, headers })

  t.test('the form page, its assets and the embed snippet', async (t) => {
    const page = await host.app.inject({ url: `${API}/intake/form` })
    t.equal(page.statusCode, 200)
    t.match(page.headers['content-type'], /text\/html/)
    t.match(page.body, /<html lang="it">/)
    t.match(page.body, /name="formToken" value="v1\.[0-9a-z]+\.[A-Za-z0-9_-]{32}"/, 'a signed fill-time token')
    t.match(page.body, /name="website"[^>]*tabindex="-1"/, 'the honeypot is out of the tab order')
    for (const label of [
      'Segnalazione di disservizio',
      'Reclamo scritto',
      'Richiesta scritta di informazioni',
      'Richiesta di rettifica degli importi addebitati',
      'Ritiro su chiamata',
      'Riparazione delle attrezzature per la raccolta',
      'Altro'
    ]) {
      t.match(page.body, `>${label}</option>`)
    }
    t.match(page.body, /Raccolta e trasporto/)
    t.match(page.body, /art\. 13 GDPR/)
    t.match(page.headers['content-security-policy'], /script-src 'self'/)
    t.match(page.headers['content-security-policy'], /frame-ancestors \*/)
    const en = await host.app.inject({ url: `${API}/intake/form?lang=en&embed=1` })
    t.match(en.body, /<html lang="en">/)
    t.match(en.body, /<body class="embed">/)
    t.match(en.body, /Send the request/)
    for (const [path, type] of [
      ['form.js', /javascript/],
      ['form.css', /text\/css/],
      ['embed.js', /javascript/]
    ] as const) {
      const res = await host.app.inject({ url: `${API}/intake/${path}` })
      t.equal(res.statusCode, 200, path)
      t.match(res.headers['content-type'], type)
    }
    const config = (await host.app.inject({ url: `${API}/intake/config` })).json()
    t.equal(config.types.length, 7)
    t.same(
      config.services.map((s: { code: string }) => s.code),
      ['raccolta_trasporto', 'spazzamento_lavaggio', 'tariffe_rapporto_utenti']
    )
    t.match(config.formToken, /^v1\./)
  })

  t.test('a complaint with accents and a photo: matched by fiscal code, one transaction, confirmation queued', async (t) => {
    const before = await rowCounts(host)
    const photo = pngBytes(16, 12)
    // the browser claims octet-stream: the stored type comes from the bytes
    const res = await post(
      form(complaint({ fiscalCode: marioCf.toLowerCase() }), [{ name: 'foto cassonetto – via Libertà.png', type: 'application/octet-stream', content: photo }])
    )
    t.equal(res.statusCode, 201, res.body)
    const body = res.json()
    t.match(body, {
      workOrderId: Number,
      reference: /^RC-\d{4}-\d{6}$/,
      dueDate: /^\d{4}-\d{2}-\d{2}$/,
      statusToken: /^[a-f0-9]{32}$/,
      confirmationQueued: true,
      duplicate: false
    })
    const complaintWorkOrder = body.workOrderId
    const after = await rowCounts(host)
    t.same(
      {
        wo: after.ordini_lavoro - before.ordini_lavoro,
        meta: after.trc_work_order_meta - before.trc_work_order_meta,
        messages: after.trc_messages - before.trc_messages,
        attachments: after.trc_attachments - before.trc_attachments,
        intake: after.trc_intake_requests - before.trc_intake_requests,
        outbox: after.trc_outbox - before.trc_outbox
      },
      { wo: 1, meta: 1, messages: 2, attachments: 1, intake: 1, outbox: 1 },
      'work order, its metadata, the submission, the confirmation, the photo, the intake row'
    )
    const wo = await host.knex('ordini_lavoro').first('*').where('id_odl', complaintWorkOrder)
    t.equal(Number(wo.id_contribuente), host.contributors.marioRossi, 'the fiscal code identifies Mario although the email is not his registered one')
    t.equal(wo.tipo_odl, 'RECLAMO')
    t.equal(wo.oggetto, 'Raccolta non effettuata in via Libertà')
    t.match(wo.descrizione, /È inaccettabile/)

    const view = (await host.app.inject({ url: `${API}/work-orders/${complaintWorkOrder}`, headers: auth('demo-viewer') })).json()
    t.match(view, { channel: 'web', type: 'reclamo_scritto', reference: body.reference })
    t.ok(view.dueDate, 'a complaint has an ARERA due date')
    const items = (await host.app.inject({ url: `${API}/work-orders/${complaintWorkOrder}/messages`, headers: auth('demo-viewer') })).json().items
    t.equal(items.length, 2)
    const [submission, confirmation] = items
    t.match(submission, {
      direction: 'inbound',
      channel: 'web',
      from: 'm.rossi.lavoro@example.test',
      fromName: 'Mario Rossi',
      senderMatch: 'single',
      contributorId: host.contributors.marioRossi
    })
    t.match(submission.text, /Da due settimane l'umido non viene raccolto/)
    t.match(submission.text, new RegExp(marioCf))
    t.match(submission.text, /IT60X0542811101000000123456/, 'the IBAN, normalised')
    t.match(submission.html, /<table>/)
    t.equal(submission.meta.intake.complaint.userCode, 'U-000123')
    t.equal(submission.attachments.length, 1)
    t.match(submission.attachments[0], { filename: 'foto cassonetto – via Libertà.png', contentType: 'image/png', size: photo.length })
    const download = await host.app.inject({ url: `${API}/attachments/${submission.attachments[0].id}`, headers: auth('demo-viewer') })
    t.ok(download.rawPayload.equals(photo), 'the photo bytes are stored unchanged')

    t.match(confirmation, { direction: 'outbound', deliveryStatus: 'queued', to: ['m.rossi.lavoro@example.test'] })
    t.match(confirmation.subject, `[OdL #${complaintWorkOrder}]`, 'the confirmation names this work order')
    t.match(confirmation.text, new RegExp(body.reference))
    t.match(confirmation.text, /Sportello On-line/)
    t.match(confirmation.text, /30 giorni lavorativi/)
    const outbox = await host.knex('trc_outbox').where({ message_id: confirmation.id })
    t.equal(outbox.length, 1)
    t.equal(outbox[0].kind, 'confirmation')

    // The citizen answers the confirmation: the reply joins the same work order through our signed Message-ID.
    const reply = await buildMail({
      from: 'Mario Rossi <m.rossi.lavoro@example.test>',
      to: 'tari@garbage.example.test',
      subject: `Re: ${confirmation.subject}`,
      inReplyTo: `<${confirmation.messageId}>`,
      references: `<${confirmation.messageId}>`,
      messageId: `<reply.${Date.now()}@example.test>`,
      text: 'Aggiungo che anche il vetro non è stato raccolto.'
    })
    const ingested = await host.app.communications.mail.ingest(reply)
    t.match(ingested, { outcome: 'threaded', workOrderId: complaintWorkOrder })
  })

  t.test('the same form posted twice opens one work order', async (t) => {
    const token = formToken()
    const first = await post(complaint({ formToken: token, fiscalCode: marioCf, email: 'doppio.click@example.test' }))
    t.equal(first.statusCode, 201)
    const before = await rowCounts(host)
    const again = await post(complaint({ formToken: token, fiscalCode: marioCf, email: 'doppio.click@example.test' }))
    t.equal(again.statusCode, 200)
    t.match(again.json(), { workOrderId: first.json().workOrderId, reference: first.json().reference, duplicate: true })
    t.same(await rowCounts(host), before, 'nothing new stored')
  })

  t.test('a shared or unknown address goes to the generic contributor, with the candidates kept', async (t) => {
    const shared = await post({ ...complaint({ type: 'segnalazione_disservizio', email: 'famiglia.bianchi@example.test' }), formToken: formToken() })
    t.equal(shared.statusCode, 201, shared.body)
    const wo = await host.knex('ordini_lavoro').first('*').where('id_odl', shared.json().workOrderId)
    t.equal(Number(wo.id_contribuente), host.genericContributorId)
    t.equal(wo.tipo_odl, 'DISSERVIZIO')
    const [message] = (await host.app.inject({ url: `${API}/work-orders/${wo.id_odl}/messages`, headers: auth('demo-viewer') })).json().items
    t.equal(message.senderMatch, 'ambiguous')
    t.same([...message.senderCandidates].sort(), [...host.contributors.bianchi].sort())

    const unknown = await post({ ...complaint({ type: 'richiesta_informazioni', email: 'nuovo.cittadino@example.test' }) })
    t.equal(unknown.statusCode, 201)
    const wo2 = await host.knex('ordini_lavoro').first('*').where('id_odl', unknown.json().workOrderId)
    t.equal(Number(wo2.id_contribuente), host.genericContributorId)
    t.equal(wo2.tipo_odl, 'INFORMAZIONI')

    const byEmail = await post({ ...complaint({ type: 'ritiro_su_chiamata', email: 'Mario.Rossi@example.test' }) })
    const wo3 = await host.knex('ordini_lavoro').first('*').where('id_odl', byEmail.json().workOrderId)
    t.equal(Number(wo3.id_contribuente), host.contributors.marioRossi, 'without a fiscal code, the email decides')
  })

  t.test('bad input is answered field by field and stores nothing', async (t) => {
    const before = await rowCounts(host)
    const bad = await post(
      complaint({ fiscalCode: 'RSSMRA80A01H501X', iban: 'IT60X0542811101000000123457', subject: '', privacy: '', email: 'non-una-email', latitude: '95' })
    )
    t.equal(bad.statusCode, 400)
    const body = bad.json()
    t.match(body, { statusCode: 400, error: 'intakeInvalid', message: /Alcuni dati non sono corretti/ })
    t.equal(body.fields.fiscalCode, 'Codice fiscale non valido: controlla le 16 lettere e cifre')
    t.match(body.fields.iban, /IBAN non valido: le cifre di controllo/)
    t.match(body.fields.subject, /oggetto/)
    t.match(body.fields.privacy, /informativa/)
    t.match(body.fields.email, /email non valido/)
    t.match(body.fields.latitude, /Latitudine non valida/)
    t.match(body.fields.longitude, /sia la latitudine sia la longitudine/)

    const missing = await post({ formToken: formToken() })
    t.equal(missing.statusCode, 400)
    t.same(Object.keys(missing.json().fields).sort(), ['description', 'email', 'firstName', 'lastName', 'privacy', 'service', 'subject', 'type'])
    const noCf = await post(complaint({ fiscalCode: '' }))
    t.equal(noCf.json().fields.fiscalCode, 'Il codice fiscale è obbligatorio per reclami e richieste di rettifica')
    const company = await post(complaint({ fiscalCode: marioCf, nonDomestic: 'true', companyVat: '12345678901' }))
    t.match(company.json().fields, { companyName: /ragione sociale/, companyVat: /Partita IVA non valida/ })
    const noPlace = await post(complaint({ type: 'segnalazione_disservizio', address: '' }))
    t.match(noPlace.json().fields.address, /indirizzo oppure il punto sulla mappa/)
    const english = await host.app.inject({ method: 'POST', url: `${API}/intake/web?lang=en`, payload: complaint({ fiscalCode: 'XXX' }) })
    t.equal(english.json().fields.fiscalCode, 'Invalid tax code: check its 16 letters and digits')
    t.same(await rowCounts(host), before, 'no row written by any refused submission')
  })

  t.test('files: too large 413, disallowed 415, too many 413, all with a clear message', async (t) => {
    const before = await rowCounts(host)
    const big = await post(
      form(complaint({ fiscalCode: marioCf }), [
        { name: 'enorme.jpg', type: 'image/jpeg', content: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(400_000)]) }
      ])
    )
    t.equal(big.statusCode, 413)
    t.match(big.json(), { error: 'intakeFileTooLarge', fields: { attachments: 'Il file «enorme.jpg» supera il limite di 0.3 MB' } })

    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)])
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    const disallowed = await post(
      form(complaint({ fiscalCode: marioCf }), [
        { name: 'foto.jpg', type: 'image/jpeg', content: exe },
        { name: 'mappa.svg', type: 'image/svg+xml', content: svg }
      ])
    )
    t.equal(disallowed.statusCode, 415)
    t.match(disallowed.json().fields.attachments, /«foto\.jpg» non è di un tipo accettato.*«mappa\.svg» non è di un tipo accettato/)

    const many = await post(
      form(
        complaint({ fiscalCode: marioCf }),
        [1, 2, 3, 4].map((i) => ({ name: `foto${i}.png`, type: 'image/png', content: pngBytes() }))
      )
    )
    t.equal(many.statusCode, 413)
    t.match(many.json().fields.attachments, /al massimo 3 file/)

    // a bad file and a bad field: both reported at once
    const both = await post(form(complaint({ fiscalCode: 'AAA' }), [{ name: 'virus.exe', type: 'application/octet-stream', content: exe }]))
    t.equal(both.statusCode, 415)
    t.ok(both.json().fields.fiscalCode && both.json().fields.attachments)
    t.same(await rowCounts(host), before)
  })

  t.test('a script in the description is stored sanitized, everywhere', async (t) => {
    const res = await post(
      complaint({ fiscalCode: marioCf, description: 'Il cassonetto è pieno<script>alert("x")</script> <img src=x onerror=alert(2)> da giorni <b>davvero</b>' })
    )
    t.equal(res.statusCode, 201, res.body)
    const id = res.json().workOrderId
    const wo = await host.knex('ordini_lavoro').first('descrizione').where('id_odl', id)
    const [message] = (await host.app.inject({ url: `${API}/work-orders/${id}/messages`, headers: auth('demo-viewer') })).json().items
    for (const [where, value] of [
      ['host description', wo.descrizione],
      ['message html', message.html],
      ['message text', message.text]
    ]) {
      t.notMatch(value, /<script|alert|onerror/i, `${where} has no script`)
    }
    t.match(message.html, /<b>davvero<\/b>/, 'harmless formatting survives')
    t.match(wo.descrizione, /Il cassonetto è pieno/)
  })

  t.test('bots: honeypot, too fast, no or forged or expired token', async (t) => {
    const before = await rowCounts(host)
    const honeypot = await post(complaint({ fiscalCode: marioCf, website: 'http://spam.example' }))
    t.equal(honeypot.statusCode, 400)
    t.match(honeypot.json(), { error: 'intakeSpam', message: /Lascia vuoto questo campo/ })
    const fast = await post(complaint({ fiscalCode: marioCf, formToken: issueFormToken(TEST_SECRET) }))
    t.equal(fast.statusCode, 400)
    t.match(fast.json(), { error: 'intakeTooFast', message: /Invio troppo rapido: il modulo è stato inviato 0 secondi dopo/ })
    const none = await post(complaint({ fiscalCode: marioCf, formToken: '' }))
    t.match(none.json(), { statusCode: 400, error: 'intakeFormToken' })
    const forged = await post(
      complaint({ fiscalCode: marioCf, formToken: issueFormToken('another-secret-another-secret-another-secret', new Date(Date.now() - 60_000)) })
    )
    t.match(forged.json(), { statusCode: 400, error: 'intakeFormToken' })
    const expired = await post(complaint({ fiscalCode: marioCf, formToken: formToken(25 * 3600) }))
    t.match(expired.json(), { statusCode: 400, error: 'intakeFormExpired', message: /più di 24 ore fa/ })
    t.same(await rowCounts(host), before)
  })

  t.test('at most perEmailPerHour submissions per address', async (t) => {
    for (let i = 0; i < 3; i++) t.equal((await post(complaint({ fiscalCode: marioCf, email: 'insistente@example.test' }))).statusCode, 201)
    const before = await rowCounts(host)
    const fourth = await post(complaint({ fiscalCode: marioCf, email: 'INSISTENTE@example.test' }))
    t.equal(fourth.statusCode, 429)
    t.match(fourth.json(), { error: 'intakeEmailRateLimited', fields: { email: /insistente@example\.test nell'ultima ora/ } })
    t.same(await rowCounts(host), before)
  })

  t.test('without JavaScript: errors come back in the page, next to the fields; success is a page too', async (t) => {
    const html = { accept: 'text/html,application/xhtml+xml' }
    const bad = await post(form(complaint({ fiscalCode: 'RSSMRA80A01H501X' })), html)
    t.equal(bad.statusCode, 400)
    t.match(bad.headers['content-type'], /text\/html/)
    t.match(bad.body, /id="trc-error-summary"[^>]*role="alert"(?![^>]*hidden)/)
    t.match(bad.body, /<a href="#field-fiscalCode">Codice fiscale non valido: controlla le 16 lettere e cifre<\/a>/)
    t.match(bad.body, /id="field-fiscalCode"[^>]*aria-invalid="true"[^>]*aria-describedby="field-fiscalCode-hint field-fiscalCode-error"/)
    t.match(bad.body, /value="Raccolta non effettuata in via Libertà"/, 'what the citizen typed is kept')
    const ok = await post(form(complaint({ fiscalCode: marioCf, email: 'senza.js@example.test' })), html)
    t.equal(ok.statusCode, 201)
    t.match(ok.body, /Richiesta inviata/)
    t.match(ok.body, /<strong id="trc-reference">RC-\d{4}-\d{6}<\/strong>/)
    t.match(ok.body, /riceverai una risposta motivata entro il <strong id="trc-due-date">\d{1,2} \w+ \d{4}<\/strong>/)
  })

  t.test('status for the citizen, public notes from the operator', async (t) => {
    const submitted = await post(complaint({ fiscalCode: marioCf, email: 'stato.richiesta@example.test' }))
    t.equal(submitted.statusCode, 201, submitted.body)
    const { workOrderId: complaintWorkOrder, statusToken } = submitted.json() as { workOrderId: number; statusToken: string }
    const status = await host.app.inject({ url: `${API}/intake/status/${statusToken}` })
    t.equal(status.statusCode, 200)
    t.match(status.json(), {
      status: 'open',
      statusLabel: 'Aperta',
      type: 'reclamo_scritto',
      typeLabel: 'Reclamo scritto',
      service: 'raccolta_trasporto',
      channel: 'web',
      notes: []
    })
    t.equal((await host.app.inject({ url: `${API}/intake/status/${'0'.repeat(32)}` })).statusCode, 404)
    t.equal((await host.app.inject({ url: `${API}/intake/status/../../x` })).statusCode, 404)

    const notePath = `${API}/work-orders/${complaintWorkOrder}/public-notes`
    t.equal((await host.app.inject({ method: 'POST', url: notePath, payload: { text: 'x' } })).statusCode, 401)
    t.equal((await host.app.inject({ method: 'POST', url: notePath, headers: auth('demo-viewer'), payload: { text: 'x' } })).statusCode, 403)
    t.equal((await host.app.inject({ method: 'POST', url: notePath, headers: auth('demo-operator'), payload: { text: '  ' } })).statusCode, 400)
    t.equal(
      (await host.app.inject({ method: 'POST', url: `${API}/work-orders/99999999/public-notes`, headers: auth('demo-operator'), payload: { text: 'x' } }))
        .statusCode,
      404
    )

    const state = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${complaintWorkOrder}/state`,
      headers: auth('demo-operator'),
      payload: { state: 'in_progress' }
    })
    t.equal(state.statusCode, 200, state.body)
    const outboxBefore = Number((await host.knex('trc_outbox').count({ n: '*' }).first())?.n)
    const note = await host.app.inject({
      method: 'POST',
      url: notePath,
      headers: auth('demo-operator'),
      payload: { html: '<p>Abbiamo programmato il recupero per <b>giovedì</b>.</p><script>x()</script>', notify: true }
    })
    t.equal(note.statusCode, 201, note.body)
    t.match(note.json(), { note: { channel: 'note', meta: { public: true } }, notification: { to: 'stato.richiesta@example.test' } })
    t.notMatch(note.json().note.html, /script/)
    const queued = await host.knex('trc_outbox').where('id', note.json().notification.outboxId).first()
    t.equal(queued.kind, 'status')
    t.equal(Number((await host.knex('trc_outbox').count({ n: '*' }).first())?.n), outboxBefore + 1)
    const mail = JSON.parse(queued.payload_json)
    const { reference } = (await host.app.inject({ url: `${API}/work-orders/${complaintWorkOrder}`, headers: auth('demo-viewer') })).json()
    t.equal(mail.subject, `Re: Aggiornamento sulla sua richiesta ${reference} [OdL #${complaintWorkOrder}]`)
    t.match(mail.text, /giovedì/)
    t.match(mail.text, /In lavorazione/)

    const after = (await host.app.inject({ url: `${API}/intake/status/${statusToken}` })).json()
    t.match(after, { status: 'in_progress', statusLabel: 'In lavorazione' })
    t.same(
      after.history.map((h: { status: string }) => h.status),
      ['open', 'in_progress']
    )
    t.equal(after.notes.length, 1)
    t.match(after.notes[0].text, /Abbiamo programmato il recupero per giovedì/)
    const page = await host.app.inject({ url: `${API}/intake/status/${statusToken}`, headers: { accept: 'text/html' } })
    t.match(page.body, /Stato della richiesta/)
    t.match(page.body, /<b>giovedì<\/b>/)

    // a work order with no citizen address cannot notify
    const [legacy] = await host
      .knex('ordini_lavoro')
      .select('id_odl')
      .whereNotIn('id_odl', host.knex('trc_messages').select('work_order_id').whereNotNull('work_order_id'))
      .limit(1)
    const refused = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${legacy.id_odl}/public-notes`,
      headers: auth('demo-operator'),
      payload: { text: 'Aggiornamento', notify: true }
    })
    t.equal(refused.statusCode, 409)
    t.match(refused.json().message, /non ha un indirizzo email del cittadino/)
  })

  t.test('a failure half-way stores nothing', async (t) => {
    // A trigger makes the last write of the transaction (the confirmation in the outbox) fail.
    if (isPostgres) {
      await host.knex.raw(`CREATE FUNCTION trc_test_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$ LANGUAGE plpgsql`)
      await host.knex.raw('CREATE TRIGGER trc_test_fail BEFORE INSERT ON trc_outbox FOR EACH ROW EXECUTE FUNCTION trc_test_fail()')
    } else {
      await host.knex.raw(`CREATE TRIGGER trc_test_fail BEFORE INSERT ON trc_outbox BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END`)
    }
    t.teardown(async () => {
      await host.knex.raw('DROP TRIGGER IF EXISTS trc_test_fail' + (isPostgres ? ' ON trc_outbox' : ''))
      if (isPostgres) await host.knex.raw('DROP FUNCTION IF EXISTS trc_test_fail()')
    })
    const before = await rowCounts(host)
    const res = await post(
      form(complaint({ fiscalCode: marioCf, email: 'guasto@example.test' }), [{ name: 'foto.png', type: 'image/png', content: pngBytes() }])
    )
    t.equal(res.statusCode, 500)
    t.match(res.json(), { error: 'internalError', message: /riprova più tardi/ })
    t.same(await rowCounts(host), before, 'no work order, message, attachment, metadata or intake row')
  })
})

t.test('limits and options: per-IP rate limit, configurable types', async (t) => {
  const host = await startTestHost({
    mail: { from: MAIL_FROM, startWorkers: false },
    intake: { perIpLimit: 2, minFillSeconds: 0, types: ['segnalazione_disservizio', { type: 'altro', label: 'Altre richieste' }] }
  })
  t.teardown(() => host.close())
  const page = await host.app.inject({ url: `${API}/intake/form` })
  t.match(page.body, />Altre richieste<\/option>/)
  t.notMatch(page.body, />Reclamo scritto<\/option>/)
  const payload = (type: string) => ({
    formToken: formToken(),
    type,
    service: 'spazzamento_lavaggio',
    subject: 'Strada sporca',
    description: 'Foglie e rifiuti sul marciapiede',
    address: 'Piazza Garibaldi',
    firstName: 'Luca',
    lastName: 'Verdi',
    email: 'luca.verdi@example.test',
    privacy: 'on'
  })
  const refused = await host.app.inject({ method: 'POST', url: `${API}/intake/web`, payload: payload('reclamo_scritto') })
  t.equal(refused.statusCode, 400)
  t.match(refused.json().fields.type, /non disponibile/)
  const other = await host.app.inject({ method: 'POST', url: `${API}/intake/web`, payload: { ...payload('altro'), formToken: formToken() } })
  t.equal(other.statusCode, 201)
  const limited = await host.app.inject({ method: 'POST', url: `${API}/intake/web`, payload: payload('altro') })
  t.equal(limited.statusCode, 429)
  t.match(limited.json(), { statusCode: 429, error: 'intakeRateLimited', message: /Troppi invii dalla tua rete/ })
  t.ok(limited.headers['retry-after'])
})
