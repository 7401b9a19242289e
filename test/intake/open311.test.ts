// Open311 GeoReport v2 conformance for the SottoControllo app: every endpoint's fields in JSON and XML, the
// error shape, api_key (403), unknown service_code (400), unknown request (404); and that a request opens a work
// order like the web form does, with media stored and media_url recorded but never fetched.
import t from 'tap'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { auth, startTestHost } from '../helpers/host.js'
import { API, blob, pngBytes, rowCounts } from './fixtures.js'

const O = `${API}/open311/v2`
const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const encode = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

const REQUEST_FIELDS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url'
].sort()

t.test('Open311 GeoReport v2', async (t) => {
  const host = await startTestHost({
    mail: { from: MAIL_FROM, startWorkers: false },
    intake: { apiKeys: ['demo-app-key', { key: 'other-app-key', name: 'Altra app' }], perIpLimit: 1000, maxFileBytes: 200_000 }
  })
  t.teardown(() => host.close())
  // A web server that counts hits: media_url must be recorded, never fetched.
  let hits = 0
  const media = createServer((_req, res) => {
    hits++
    res.end('x')
  })
  media.listen(0, '127.0.0.1')
  await once(media, 'listening')
  t.teardown(() => new Promise<void>((resolve) => media.close(() => resolve())))
  const mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/foto/cassonetto.jpg`
  const create = (fields: Record<string, string>, format = 'json') =>
    host.app.inject({ method: 'POST', url: `${O}/requests.${format}`, headers: FORM, payload: encode(fields) })
  const report = {
    api_key: 'demo-app-key',
    service_code: 'segnalazione_disservizio',
    lat: '45.738412',
    long: '9.125530',
    address_string: 'Via Roma 1, Cantù',
    description: 'Sacchi abbandonati accanto al cassonetto, già da tre giorni.',
    email: 'mario.rossi@example.test',
    first_name: 'Mario',
    last_name: 'Rossi',
    phone: '+39 031 123456',
    media_url: mediaUrl
  }

  t.test('GET services: the request types with their GeoReport fields', async (t) => {
    const res = await host.app.inject({ url: `${O}/services.json` })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /application\/json; charset=utf-8/)
    const services = res.json()
    t.equal(services.length, 7)
    for (const s of services) {
      t.same(Object.keys(s).sort(), ['description', 'group', 'keywords', 'metadata', 'service_code', 'service_name', 'type'])
      t.equal(s.metadata, true)
      t.equal(s.type, 'realtime')
    }
    t.match(services[0], { service_code: 'segnalazione_disservizio', service_name: 'Segnalazione di disservizio', group: 'Igiene urbana' })
    const xml = await host.app.inject({ url: `${O}/services.xml` })
    t.match(xml.headers['content-type'], /text\/xml/)
    t.match(
      xml.body,
      /^<\?xml version="1.0" encoding="utf-8"\?>\n<services><service><service_code>segnalazione_disservizio<\/service_code><service_name>Segnalazione di disservizio<\/service_name>/
    )
    t.match((await host.app.inject({ url: `${O}/services.json?lang=en` })).json()[0].service_name, 'Service-failure report')
  })

  t.test('GET a service definition: attributes, with the complaint form for complaints', async (t) => {
    const def = (await host.app.inject({ url: `${O}/services/reclamo_scritto.json` })).json()
    t.equal(def.service_code, 'reclamo_scritto')
    for (const a of def.attributes) {
      t.same(
        Object.keys(a)
          .filter((k) => k !== 'values')
          .sort(),
        ['code', 'datatype', 'datatype_description', 'description', 'order', 'required', 'variable']
      )
    }
    const byCode = Object.fromEntries(def.attributes.map((a: { code: string }) => [a.code, a]))
    t.match(byCode.servizio, {
      datatype: 'singlevaluelist',
      required: true,
      values: [{ key: 'raccolta_trasporto', name: 'Raccolta e trasporto' }, { key: 'spazzamento_lavaggio' }, { key: 'tariffe_rapporto_utenti' }]
    })
    t.match(byCode.codice_fiscale, { datatype: 'string', required: true })
    t.ok(byCode.iban && byCode.codice_utente && byCode.ragione_sociale, 'the ARERA complaint-form fields')
    const report = (await host.app.inject({ url: `${O}/services/segnalazione_disservizio.json` })).json()
    t.notOk(
      report.attributes.some((a: { code: string }) => a.code === 'iban'),
      'no complaint fields for a report'
    )
    t.notOk(report.attributes.some((a: { required: boolean }) => a.required))
    const xml = await host.app.inject({ url: `${O}/services/reclamo_scritto.xml` })
    t.match(
      xml.body,
      /<service_definition><service_code>reclamo_scritto<\/service_code><attributes><attribute><variable>true<\/variable><code>servizio<\/code>.*<values><value><key>raccolta_trasporto<\/key>/
    )
    const unknown = await host.app.inject({ url: `${O}/services/potholes.json` })
    t.equal(unknown.statusCode, 404)
    t.same(unknown.json(), [{ code: 404, description: 'Servizio "potholes" non trovato.' }])
    t.equal((await host.app.inject({ url: `${O}/services/reclamo_scritto.txt` })).statusCode, 404)
  })

  t.test('POST requests: api_key 403, service_code 400, bad fields 400, in the error shape, nothing stored', async (t) => {
    const before = await rowCounts(host)
    const { api_key: _key, ...withoutKey } = report
    const missing = await create(withoutKey)
    t.equal(missing.statusCode, 403)
    t.same(missing.json(), [{ code: 403, description: "api_key mancante: per inviare una segnalazione serve la chiave dell'app." }])
    const wrong = await create({ ...report, api_key: 'not-a-key-at-all' })
    t.equal(wrong.statusCode, 403)
    t.same(wrong.json(), [{ code: 403, description: 'api_key non valida.' }])
    const xml = await create(withoutKey, 'xml')
    t.equal(xml.statusCode, 403)
    t.match(xml.body, /<errors><error><code>403<\/code><description>api_key mancante/)
    const unknown = await create({ ...report, service_code: 'potholes' })
    t.equal(unknown.statusCode, 400)
    t.match(unknown.json(), [{ code: 400, description: /service_code "potholes" sconosciuto/ }])
    const noCode = await create({ ...report, service_code: '' })
    t.match(noCode.json(), [{ code: 400, description: /service_code mancante/ }])
    const noPlace = await create({ ...report, lat: '', long: '', address_string: '' })
    t.equal(noPlace.statusCode, 400)
    t.match(noPlace.json()[0].description, /address_string: Indica l'indirizzo oppure il punto sulla mappa/)
    const badComplaint = await create({
      ...report,
      service_code: 'reclamo_scritto',
      'attribute[servizio]': 'raccolta_trasporto',
      'attribute[codice_fiscale]': 'RSSMRA80A01H501X',
      'attribute[iban]': 'IT00X0000000000000000000000'
    })
    t.equal(badComplaint.statusCode, 400)
    t.match(badComplaint.json()[0].description, /attribute\[codice_fiscale\]: Codice fiscale non valido.*attribute\[iban\]: IBAN non valido/)
    const badMedia = await create({ ...report, media_url: 'javascript:alert(1)' })
    t.match(badMedia.json()[0].description, /media_url: Link non valido/)
    t.same(await rowCounts(host), before)
  })

  // Each subtest that reads a report creates its own, from an address of its own (submissions are capped per address).
  const newReport = async (email: string) => {
    const res = await create({ ...report, email })
    if (res.statusCode !== 201) throw new Error(`report not created: ${res.body}`)
    const [created] = res.json() as Array<{ service_request_id: string; token: string }>
    const row = await host.knex('trc_intake_requests').first('work_order_id').where('reference', created?.service_request_id)
    return { reportId: String(created?.service_request_id), reportToken: String(created?.token), workOrderId: Number(row.work_order_id) }
  }
  /** The Bianchi family's complaint: a fiscal code picks one of the two contributors sharing the address. */
  const complaintFields = async () => ({
    ...report,
    service_code: 'reclamo_scritto',
    'attribute[servizio]': 'raccolta_trasporto',
    'attribute[codice_fiscale]': String(
      (await host.knex('contribuenti').first('codice_fiscale').where('id_contribuente', host.contributors.bianchi[0])).codice_fiscale
    ),
    'attribute[iban]': 'IT60X0542811101000000123456',
    email: 'famiglia.bianchi@example.test',
    account_id: 'acc-7'
  })
  /** The operator's public note on a report, then the report closed. */
  const closeWithNote = async (workOrderId: number) => {
    const note = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/public-notes`,
      headers: auth('demo-operator'),
      payload: { text: 'Rifiuti rimossi il giorno stesso.' }
    })
    const state = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/state`,
      headers: auth('demo-operator'),
      payload: { state: 'closed' }
    })
    return { note, state }
  }

  t.test('POST requests: a report from the app opens a work order with a confirmation', async (t) => {
    const before = await rowCounts(host)
    const res = await create(report)
    t.equal(res.statusCode, 201, res.body)
    const [created] = res.json()
    t.same(Object.keys(created).sort(), ['account_id', 'service_notice', 'service_request_id', 'token'])
    t.match(created, {
      service_request_id: /^RC-\d{4}-\d{6}$/,
      token: /^[a-f0-9]{32}$/,
      account_id: null,
      service_notice: /^Risposta entro 5 giorni lavorativi \(ARERA TQRIF\), cioè entro il \d{1,2} \p{L}+ \d{4}\.$/u
    })
    const reportId = created.service_request_id
    const after = await rowCounts(host)
    t.equal(after.ordini_lavoro, before.ordini_lavoro + 1)
    t.equal(after.trc_outbox, before.trc_outbox + 1, 'confirmation queued')
    const intake = await host.knex('trc_intake_requests').first('*').where('reference', reportId)
    const workOrderId = Number(intake.work_order_id)
    const wo = await host.knex('ordini_lavoro').first('*').where('id_odl', workOrderId)
    t.equal(Number(wo.id_contribuente), host.contributors.marioRossi, 'matched by email')
    t.equal(wo.tipo_odl, 'DISSERVIZIO')
    const items = (await host.app.inject({ url: `${API}/work-orders/${workOrderId}/messages`, headers: auth('demo-viewer') })).json().items
    t.match(items[0], { channel: 'app', direction: 'inbound', from: 'mario.rossi@example.test' })
    t.match(items[0].html, new RegExp(`<a href="${mediaUrl}"`), 'media_url recorded as a link')
    t.match(items[0].text, /App SottoControllo \(app 1\)/)
    t.match(items[1], { channel: 'email', direction: 'outbound', to: ['mario.rossi@example.test'] })
    t.match(items[1].text, /App SottoControllo/)
    t.equal(hits, 0, 'media_url was never fetched')

    const complaint = await create(await complaintFields(), 'xml')
    t.equal(complaint.statusCode, 201, complaint.body)
    t.match(
      complaint.body,
      /<service_requests><request><service_request_id>RC-\d{4}-\d{6}<\/service_request_id><token>[a-f0-9]{32}<\/token><service_notice>Risposta entro 30 giorni lavorativi \(ARERA TQRIF\), cioè entro il .*<\/service_notice><account_id>acc-7<\/account_id><\/request><\/service_requests>/
    )
    const ref = /<service_request_id>(RC-[^<]+)</.exec(complaint.body)?.[1]
    const row = await host.knex('trc_intake_requests').first('work_order_id').where('reference', ref)
    const wo2 = await host.knex('ordini_lavoro').first('*').where('id_odl', row.work_order_id)
    t.equal(Number(wo2.id_contribuente), host.contributors.bianchi[0], 'the fiscal code picks one of the family sharing the address')
    t.equal(wo2.tipo_odl, 'RECLAMO')
  })

  t.test('POST requests: an uploaded photo (multipart media) is stored; a bad one is refused', async (t) => {
    const data = new FormData()
    for (const [k, v] of Object.entries({ ...report, media_url: '' })) data.append(k, v)
    const photo = pngBytes(20, 20)
    data.append('media', blob(photo, 'image/png'), 'foto.png')
    const res = await host.app.inject({ method: 'POST', url: `${O}/requests.json`, payload: data })
    t.equal(res.statusCode, 201, res.body)
    const row = await host.knex('trc_intake_requests').first('work_order_id').where('reference', res.json()[0].service_request_id)
    const [message] = (await host.app.inject({ url: `${API}/work-orders/${row.work_order_id}/messages`, headers: auth('demo-viewer') })).json().items
    t.match(message.attachments, [{ filename: 'foto.png', contentType: 'image/png', size: photo.length }])

    const before = await rowCounts(host)
    const bad = new FormData()
    for (const [k, v] of Object.entries(report)) bad.append(k, v)
    bad.append('media', blob(Buffer.from('<html><script>alert(1)</script></html>'), 'image/jpeg'), 'foto.jpg')
    const refused = await host.app.inject({ method: 'POST', url: `${O}/requests.json`, payload: bad })
    t.equal(refused.statusCode, 415)
    t.match(refused.json(), [{ code: 415, description: /«foto\.jpg» non è di un tipo accettato/ }])
    const big = new FormData()
    for (const [k, v] of Object.entries(report)) big.append(k, v)
    big.append('media', blob(Buffer.concat([pngBytes(), Buffer.alloc(300_000)]), 'image/png'), 'grande.png')
    const tooBig = await host.app.inject({ method: 'POST', url: `${O}/requests.json`, payload: big })
    t.equal(tooBig.statusCode, 413)
    t.match(tooBig.json(), [{ code: 413, description: /«grande\.png» supera il limite/ }])
    // a wrong key sent before the photo: refused without reading the photo
    const early = new FormData()
    for (const [k, v] of Object.entries({ ...report, api_key: 'wrong-key-wrong' })) early.append(k, v)
    early.append('media', blob(pngBytes(64, 64), 'image/png'), 'foto.png')
    const refusedEarly = await host.app.inject({ method: 'POST', url: `${O}/requests.json`, payload: early })
    t.equal(refusedEarly.statusCode, 403)
    t.same(refusedEarly.json(), [{ code: 403, description: 'api_key non valida.' }])
    t.same(await rowCounts(host), before)
  })

  t.test('GET requests and GET a request: GeoReport fields, filters, 404', async (t) => {
    const { reportId, workOrderId } = await newReport('segnalazioni.app@example.test')
    t.equal((await create(await complaintFields())).statusCode, 201, 'a complaint to list too')
    const one = await host.app.inject({ url: `${O}/requests/${reportId}.json` })
    t.equal(one.statusCode, 200)
    const [request] = one.json()
    t.same(Object.keys(request).sort(), REQUEST_FIELDS)
    t.match(
      request,
      {
        service_request_id: reportId,
        status: 'open',
        status_notes: null,
        service_code: 'segnalazione_disservizio',
        service_name: 'Segnalazione di disservizio',
        description: null,
        address: null,
        lat: 45.738,
        long: 9.126,
        media_url: null,
        agency_responsible: 'Garbage Servizi Ambientali S.p.A.'
      },
      'by default a report shows its category, status and a coarse location only'
    )
    t.match(request.requested_datetime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/)

    const all = (await host.app.inject({ url: `${O}/requests.json` })).json()
    t.ok(all.length >= 2 && all.some((r: { service_request_id: string }) => r.service_request_id === reportId), 'the report is listed')
    t.ok(all.every((r: Record<string, unknown>) => Object.keys(r).sort().join() === REQUEST_FIELDS.join()))
    const complaint = all.find((r: { service_code: string }) => r.service_code === 'reclamo_scritto')
    t.match(
      complaint,
      { description: null, address: null, lat: null, media_url: null, expected_datetime: /T23:59:59\+0[12]:00$/ },
      'a complaint shows its status, not its content'
    )
    const filtered = (await host.app.inject({ url: `${O}/requests.json?service_code=reclamo_scritto` })).json()
    t.ok(filtered.length >= 1 && filtered.every((r: { service_code: string }) => r.service_code === 'reclamo_scritto'))
    const future = (await host.app.inject({ url: `${O}/requests.json?start_date=2099-01-01T00:00:00Z` })).json()
    t.same(future, [])
    const past = (await host.app.inject({ url: `${O}/requests.json?end_date=2000-01-01T00:00:00Z` })).json()
    t.same(past, [])
    const byIds = (await host.app.inject({ url: `${O}/requests.json?service_request_id=${reportId},RC-0000-000000&service_code=reclamo_scritto` })).json()
    t.same(
      byIds.map((r: { service_request_id: string }) => r.service_request_id),
      [reportId],
      'service_request_id overrides the other filters'
    )

    // Close the report: status filters and the status field follow the host's work order.
    const { note, state } = await closeWithNote(workOrderId)
    t.equal(note.statusCode, 201)
    t.equal(state.statusCode, 200, state.body)
    const closed = (await host.app.inject({ url: `${O}/requests.json?status=closed` })).json()
    t.same(
      closed.map((r: { service_request_id: string }) => r.service_request_id),
      [reportId]
    )
    t.match(closed[0], { status: 'closed', status_notes: 'Rifiuti rimossi il giorno stesso.' })
    t.notOk(
      (await host.app.inject({ url: `${O}/requests.json?status=open` })).json().some((r: { service_request_id: string }) => r.service_request_id === reportId)
    )
    const xml = await host.app.inject({ url: `${O}/requests/${reportId}.xml` })
    t.match(
      xml.body,
      /<service_requests><request><service_request_id>RC-[^<]+<\/service_request_id><status>closed<\/status><status_notes>Rifiuti rimossi il giorno stesso.<\/status_notes>/
    )

    const badStatus = await host.app.inject({ url: `${O}/requests.json?status=pending` })
    t.equal(badStatus.statusCode, 400)
    t.match(badStatus.json(), [{ code: 400, description: /status/ }])
    const badDate = await host.app.inject({ url: `${O}/requests.json?start_date=yesterday` })
    t.match(badDate.json(), [{ code: 400, description: /start_date: data non valida/ }])
    const missing = await host.app.inject({ url: `${O}/requests/RC-1999-000001.json` })
    t.equal(missing.statusCode, 404)
    t.same(missing.json(), [{ code: 404, description: 'Richiesta "RC-1999-000001" non trovata.' }])
    const missingXml = await host.app.inject({ url: `${O}/requests/RC-1999-000001.xml` })
    t.match(missingXml.body, /<errors><error><code>404<\/code>/)
    // email work orders are not published
    const [emailWo] = await host.knex('ordini_lavoro').select('id_odl').whereNotIn('id_odl', host.knex('trc_intake_requests').select('work_order_id')).limit(1)
    t.equal((await host.app.inject({ url: `${O}/requests/${emailWo.id_odl}.json` })).statusCode, 404)
    const route = await host.app.inject({ url: `${O}/nothing-here.json` })
    t.equal(route.statusCode, 404)
    t.match(route.json(), [{ code: 404, description: /Risorsa non trovata/ }])
  })

  t.test('GET tokens, and the citizen status endpoint the app polls', async (t) => {
    const { reportId, reportToken, workOrderId } = await newReport('stato.app@example.test')
    const { state } = await closeWithNote(workOrderId)
    t.equal(state.statusCode, 200, state.body)
    const tokens = await host.app.inject({ url: `${O}/tokens/${reportToken}.json` })
    t.same(tokens.json(), [{ service_request_id: reportId, token: reportToken }])
    t.equal((await host.app.inject({ url: `${O}/tokens/${'a'.repeat(32)}.json` })).statusCode, 404)
    const status = (await host.app.inject({ url: `${API}/intake/status/${reportToken}` })).json()
    t.match(status, { reference: reportId, status: 'closed', statusLabel: 'Chiusa', channel: 'app', notes: [{ text: 'Rifiuti rimossi il giorno stesso.' }] })
    t.same(
      status.history.map((h: { status: string }) => h.status),
      ['open', 'closed']
    )
  })
})
