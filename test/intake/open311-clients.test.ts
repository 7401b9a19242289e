// Open311 that real clients can live with (issue 15): updated_datetime moves on every public change, every id
// asked for comes back (and a refused request still gets an <errors> body), limits per api_key shared by JSON and
// XML, service definitions that tell the truth, servicerequestupdates both ways, moderated publication.
import t from 'tap'
import { buildHostApp } from '../../example-host/app.js'
import { auth, startTestHost, TEST_SECRET, type TestHost } from '../helpers/host.js'
import { freePort } from '../helpers/free-port.js'
import { API } from './fixtures.js'

const O = `${API}/open311/v2`
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const encode = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const REPORT = {
  api_key: 'demo-app-key',
  service_code: 'segnalazione_disservizio',
  lat: '45.738412',
  long: '9.125530',
  address_string: 'Via Roma 1, Cantù',
  description: 'Sacchi abbandonati davanti al civico di Mario Rossi.',
  first_name: 'Mario',
  last_name: 'Rossi'
}

async function post(host: TestHost, fields: Record<string, string>, format = 'json', path = 'requests') {
  return host.app.inject({ method: 'POST', url: `${O}/${path}.${format}`, headers: FORM, payload: encode(fields) })
}
async function workOrderOf(host: TestHost, reference: string): Promise<number> {
  return Number((await host.knex('trc_intake_requests').first('work_order_id').where('reference', reference)).work_order_id)
}

t.test('an operator closes a request: the next GET shows closed with a newer updated_datetime', async (t) => {
  const host = await startTestHost({ mail: { startWorkers: false } })
  t.teardown(() => host.close())
  const created = await post(host, REPORT)
  t.equal(created.statusCode, 201, created.body)
  const id = created.json()[0].service_request_id as string
  const before = (await host.app.inject({ url: `${O}/requests.xml?service_request_id=${id}` })).body
  const beforeAt = /<updated_datetime>([^<]+)</.exec(before)?.[1] ?? ''
  t.match(before, /<status>open<\/status>/)
  await new Promise((resolve) => setTimeout(resolve, 20))
  const state = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${await workOrderOf(host, id)}/state`,
    headers: auth('demo-operator'),
    payload: { state: 'closed' }
  })
  t.equal(state.statusCode, 200, state.body)
  const after = (await host.app.inject({ url: `${O}/requests.xml?service_request_id=${id}` })).body
  t.match(after, /<status>closed<\/status>/)
  const afterAt = /<updated_datetime>([^<]+)</.exec(after)?.[1] ?? ''
  t.ok(Date.parse(afterAt) > Date.parse(beforeAt), `updated_datetime moved: ${beforeAt} → ${afterAt}`)
  const json = (await host.app.inject({ url: `${O}/requests/${id}.json` })).json()[0]
  t.match(json, { status: 'closed', updated_datetime: afterAt }, 'JSON says the same')
})

t.test('2,000 ids come back complete; over the host header limit an Open311 <errors> body', async (t) => {
  const host = await startTestHost({ mail: { startWorkers: false } })
  t.teardown(() => host.close())
  const now = new Date()
  const rows = Array.from({ length: 2000 }, (_, i) => ({
    work_order_id: 900_000 + i,
    reference: `RC-2026-${String(500_000 + i).padStart(6, '0')}`,
    channel: 'app',
    service_code: 'segnalazione_disservizio',
    to_json: undefined,
    submitted_at: now,
    updated_at: now
  })).map(({ to_json: _x, ...r }) => r)
  await host.knex.batchInsert('trc_intake_requests', rows, 50)
  const ids = rows.map((r) => r.reference)
  const json = await host.app.inject({ url: `${O}/requests.json?service_request_id=${ids.join(',')}` })
  t.equal(json.statusCode, 200)
  t.same(
    json
      .json()
      .map((r: { service_request_id: string }) => r.service_request_id)
      .sort(),
    ids,
    'every one of the 2,000'
  )
  const xml = await host.app.inject({ url: `${O}/requests.xml?service_request_id=${ids.join(',')}` })
  t.equal((xml.body.match(/<request>/g) ?? []).length, 2000)

  // Over real HTTP, through the example host's 64 KB header limit and its client-error handler.
  const served = await buildHostApp({ knex: host.knex, module: { secret: TEST_SECRET, mail: { startWorkers: false }, migrate: false } })
  const port = await freePort()
  await served.app.listen({ host: '127.0.0.1', port })
  t.teardown(() => served.app.close())
  const base = `http://127.0.0.1:${port}${O}`
  const ok = await fetch(`${base}/requests.xml?service_request_id=${ids.join(',')}`)
  t.equal(ok.status, 200)
  t.equal(((await ok.text()).match(/<request>/g) ?? []).length, 2000, '2,000 ids (about 30 KB of URL) over HTTP')
  const many = Array.from({ length: 6000 }, (_, i) => `RC-2026-${String(i).padStart(6, '0')}`).join(',')
  const refused = await fetch(`${base}/requests.xml?service_request_id=${many}`)
  t.equal(refused.status, 431)
  t.match(refused.headers.get('content-type'), /text\/xml/)
  t.match(await refused.text(), /^<\?xml version="1.0" encoding="utf-8"\?>\n<errors><error><code>431<\/code><description>Richiesta troppo lunga/)
  const refusedJson = await fetch(`${base}/requests.json?service_request_id=${many}`)
  t.same(await refusedJson.json(), [
    { code: 431, description: "Richiesta troppo lunga: l'indirizzo o le intestazioni superano il limite del server. Chiedi meno service_request_id per volta." }
  ])
})

t.test('rate limits per api_key: 50 POSTs from one IP pass with a limit of 100; JSON and XML share one bucket', async (t) => {
  const host = await startTestHost({
    mail: { startWorkers: false },
    intake: {
      apiKeys: [
        { key: 'demo-app-key', name: 'FixMyStreet' },
        { key: 'small-app-key', name: 'Piccola', limit: 3 }
      ]
    }
  })
  t.teardown(() => host.close())
  for (let i = 0; i < 50; i++) {
    const res = await post(host, { ...REPORT, description: `Segnalazione ${i}` }, i % 2 ? 'xml' : 'json')
    if (res.statusCode !== 201) t.fail(`POST ${i}: ${res.statusCode} ${res.body}`)
  }
  t.equal(
    Number((await host.knex('trc_intake_requests').count({ n: '*' }).first())?.n),
    50,
    '50 requests from one IP, the per-IP limit (10) does not apply to keyed clients'
  )
  const small = { ...REPORT, api_key: 'small-app-key' }
  t.equal((await post(host, small, 'json')).statusCode, 201)
  t.equal((await post(host, small, 'xml')).statusCode, 201)
  const third = await post(host, small, 'json')
  t.equal(third.statusCode, 201)
  t.equal(third.headers['x-ratelimit-remaining'], '0')
  const xml = await post(host, small, 'xml')
  t.equal(xml.statusCode, 429, 'the fourth, in XML, is over the shared limit')
  t.match(
    xml.body,
    /<errors><error><code>429<\/code><description>Troppe richieste con questa api_key \(3 per finestra\): riprova tra 15 minuti\.<\/description>/
  )
  t.ok(Number(xml.headers['retry-after']) > 0)
  const en = await host.app.inject({ method: 'POST', url: `${O}/requests.json?lang=en`, headers: FORM, payload: encode(small) })
  t.same(en.json(), [{ code: 429, description: 'Too many requests with this api_key (3 per window): try again in 15 minutes.' }])
  t.equal((await post(host, { ...REPORT, description: 'Ancora una' })).statusCode, 201, 'another key has its own bucket')
  t.equal((await post(host, { ...small, api_key: 'wrong-key-wrong' })).statusCode, 403)
})

t.test('service definitions tell the truth: a non-domestic complaint without ragione_sociale is accepted and flagged', async (t) => {
  const host = await startTestHost({ mail: { startWorkers: false } })
  t.teardown(() => host.close())
  const def = (await host.app.inject({ url: `${O}/services/reclamo_scritto.json` })).json()
  const company = def.attributes.find((a: { code: string }) => a.code === 'ragione_sociale')
  t.match(company, { required: false, datatype_description: /se manca la richiesta è accettata e l'operatore la chiede al cittadino/ })
  const res = await post(
    host,
    {
      api_key: 'demo-app-key',
      service_code: 'reclamo_scritto',
      address_string: 'Via Roma 1',
      description: 'Bolletta sbagliata.',
      'attribute[servizio]': 'tariffe_rapporto_utenti',
      'attribute[codice_fiscale]': 'RSSMRA80A01H501U',
      'attribute[utenza_non_domestica]': 'si'
    },
    'xml'
  )
  t.equal(res.statusCode, 201, res.body)
  const id = /<service_request_id>([^<]+)</.exec(res.body)?.[1] ?? ''
  const [first] = (await host.app.inject({ url: `${API}/work-orders/${await workOrderOf(host, id)}/messages`, headers: auth('demo-viewer') })).json().items
  t.match(first.text, /Dati da completare\s*Nome, Cognome, email o indirizzo postale, Ragione sociale/)
  t.same(first.meta.intake.missing, ['firstName', 'lastName', 'email', 'companyName'])
})

t.test('servicerequestupdates: public changes out, a citizen comment in', async (t) => {
  const host = await startTestHost({ mail: { startWorkers: false } })
  t.teardown(() => host.close())
  const start = new Date(Date.now() - 1000).toISOString()
  const id = (await post(host, REPORT)).json()[0].service_request_id as string
  const wo = await workOrderOf(host, id)
  await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${wo}/notes`,
    headers: auth('demo-operator'),
    payload: { html: '<p>Interna: chiamare la ditta</p>' }
  })
  t.equal(
    (
      await host.app.inject({
        method: 'POST',
        url: `${API}/work-orders/${wo}/state`,
        headers: auth('demo-operator'),
        payload: { state: 'in_progress', note: 'riservato' }
      })
    ).statusCode,
    200
  )
  t.equal(
    (
      await host.app.inject({
        method: 'POST',
        url: `${API}/work-orders/${wo}/public-notes`,
        headers: auth('demo-operator'),
        payload: { text: 'Squadra inviata.' }
      })
    ).statusCode,
    201
  )
  t.equal(
    (await host.app.inject({ method: 'POST', url: `${API}/work-orders/${wo}/state`, headers: auth('demo-operator'), payload: { state: 'closed' } })).statusCode,
    200
  )

  const updates = (await host.app.inject({ url: `${O}/servicerequestupdates.json?start_date=${start}` })).json()
  t.same(
    updates.map((u: Record<string, string>) => [u.service_request_id, u.status, u.description]),
    [
      [id, 'IN_PROGRESS', 'Stato della richiesta: In lavorazione.'],
      [id, 'IN_PROGRESS', 'Squadra inviata.'],
      [id, 'CLOSED', 'Stato della richiesta: Chiusa.']
    ],
    "state changes and public notes, oldest first; internal notes and operators' remarks stay private"
  )
  t.same(Object.keys(updates[0]).sort(), ['description', 'media_url', 'service_request_id', 'status', 'update_id', 'updated_datetime'])
  const xml = (await host.app.inject({ url: `${O}/servicerequestupdates.xml?start_date=${start}&lang=en` })).body
  t.match(
    xml,
    /^<\?xml version="1.0" encoding="utf-8"\?>\n<service_request_updates><request_update><update_id>\d+<\/update_id><service_request_id>RC-[^<]+<\/service_request_id><status>IN_PROGRESS<\/status>.*<description>Request status: Closed.<\/description>/s
  )
  t.same((await host.app.inject({ url: `${O}/servicerequestupdates.json?start_date=2099-01-01T00:00:00Z` })).json(), [])
  t.match((await host.app.inject({ url: `${O}/servicerequestupdates.json?start_date=ieri` })).json(), [
    { code: 400, description: /start_date: data non valida/ }
  ])

  const comment = {
    api_key: 'demo-app-key',
    service_request_id: id,
    description: 'Grazie, ma il cassonetto è ancora rotto.',
    email: 'mario.rossi@example.test',
    first_name: 'Mario',
    last_name: 'Rossi',
    update_id_ext: 'fms-77',
    status: 'OPEN'
  }
  t.same((await post(host, { ...comment, api_key: '' }, 'json', 'servicerequestupdates')).json(), [
    { code: 403, description: "api_key mancante: per inviare una segnalazione serve la chiave dell'app." }
  ])
  t.equal((await post(host, { ...comment, service_request_id: 'RC-1999-000001' }, 'json', 'servicerequestupdates')).statusCode, 404)
  t.match((await post(host, { ...comment, description: '' }, 'json', 'servicerequestupdates')).json(), [
    { code: 400, description: /description: Descrivi la tua richiesta/ }
  ])
  const added = await post(host, comment, 'xml', 'servicerequestupdates')
  t.equal(added.statusCode, 201, added.body)
  t.match(added.body, /<service_request_updates><request_update><update_id>comment-\d+<\/update_id><\/request_update><\/service_request_updates>/)
  const again = await post(host, comment, 'json', 'servicerequestupdates')
  t.equal(again.statusCode, 200, 'the same update_id_ext twice is stored once')
  const items = (await host.app.inject({ url: `${API}/work-orders/${wo}/messages`, headers: auth('demo-viewer') })).json().items
  const inbound = items.filter((m: { channel: string; direction: string }) => m.channel === 'app' && m.direction === 'inbound')
  t.equal(inbound.length, 2, 'the report and one comment')
  t.match(inbound[1], { from: 'mario.rossi@example.test', fromName: 'Mario Rossi', text: /ancora rotto/ })
  t.match((await host.app.inject({ url: `${O}/requests/${id}.json` })).json()[0], { status: 'closed' }, 'a comment does not change the state')
})

t.test('publication: category, status and coarse place by default; the rest once an operator approves', async (t) => {
  const host = await startTestHost({ mail: { startWorkers: false } })
  t.teardown(() => host.close())
  const id = (await post(host, REPORT)).json()[0].service_request_id as string
  const wo = await workOrderOf(host, id)
  const shown = async () => (await host.app.inject({ url: `${O}/requests/${id}.json` })).json()[0]
  t.match(await shown(), { description: null, address: null, media_url: null, lat: 45.738, long: 9.126 })
  const put = (payload: unknown, who: 'demo-operator' | 'demo-viewer' = 'demo-operator', target = wo) =>
    host.app.inject({ method: 'PUT', url: `${API}/work-orders/${target}/publication`, headers: auth(who), payload: payload as Record<string, unknown> })
  t.equal((await put({ approved: true }, 'demo-viewer')).statusCode, 403)
  t.equal((await put({ approved: 'yes' })).statusCode, 400)
  const approved = await put({ approved: true, description: 'Sacchi abbandonati davanti a un civico di Via Roma.' })
  t.equal(approved.statusCode, 200, approved.body)
  t.match(approved.json(), { workOrderId: wo, reference: id, approved: true, approvedBy: 'Operatore Demo' })
  t.match(await shown(), { description: 'Sacchi abbandonati davanti a un civico di Via Roma.', address: 'Via Roma 1, Cantù', lat: 45.738412 })
  const audit = await host.knex('trc_audit_log').first('*').where({ action: 'intake.publication', work_order_id: wo })
  t.ok(audit, 'audited')
  t.equal((await put({ approved: false })).statusCode, 200)
  t.match(await shown(), { description: null, address: null }, 'withdrawn')

  const complaint = await post(host, {
    api_key: 'demo-app-key',
    service_code: 'reclamo_scritto',
    address_string: 'Via Roma 1',
    first_name: 'Mario',
    last_name: 'Rossi',
    email: 'mario.rossi@example.test',
    'attribute[servizio]': 'raccolta_trasporto',
    'attribute[codice_fiscale]': 'RSSMRA80A01H501U'
  })
  const refused = await put({ approved: true }, 'demo-operator', await workOrderOf(host, complaint.json()[0].service_request_id))
  t.equal(refused.statusCode, 409)
  t.match(refused.json().message, /Si possono pubblicare solo le segnalazioni di disservizio/)
  const [emailWo] = await host.knex('ordini_lavoro').select('id_odl').whereNotIn('id_odl', host.knex('trc_intake_requests').select('work_order_id')).limit(1)
  t.equal((await put({ approved: true }, 'demo-operator', Number(emailWo.id_odl))).statusCode, 404)

  const form = (await host.app.inject({ url: `${API}/intake/form` })).body
  t.match(form, /<h2 id="trc-public-title">Cosa sarà pubblico<\/h2><p id="trc-public-text">Le segnalazioni di disservizio compaiono nell&#39;elenco pubblico/)
})

t.test('public pages are Italian unless the citizen picks English, and the choice is remembered', async (t) => {
  const host = await startTestHost({ mail: { startWorkers: false } })
  t.teardown(() => host.close())
  const english = { 'accept-language': 'en-GB,en;q=0.9' }
  const plain = await host.app.inject({ url: `${API}/intake/form`, headers: english })
  t.match(plain.body, /<html lang="it">/, 'an English browser still gets Italian')
  t.match(plain.body, /<a href="\/api\/communications\/intake\/form\?lang=en" hreflang="en" lang="en">English<\/a>/, 'a visible switch')
  const picked = await host.app.inject({ url: `${API}/intake/form?lang=en`, headers: english })
  t.match(picked.body, /<html lang="en">/)
  t.match(picked.headers['set-cookie'], /^trc_lang=en; Path=\/api\/communications\/intake; Max-Age=31536000; SameSite=Lax; HttpOnly$/)
  t.match((await host.app.inject({ url: `${API}/intake/form`, headers: { cookie: 'trc_lang=en' } })).body, /<html lang="en">/, 'remembered')
  const token = (await post(host, REPORT)).json()[0].token as string
  const status = await host.app.inject({ url: `${API}/intake/status/${token}`, headers: { ...english, accept: 'text/html' } })
  t.match(status.body, /<html lang="it">.*Stato della richiesta/s)
  t.match(status.body, new RegExp(`href="/api/communications/intake/status/${token}\\?lang=en"`), 'the switch stays on the status page')
  t.match(
    (await host.app.inject({ url: `${API}/intake/status/${token}`, headers: { accept: 'text/html', cookie: 'trc_lang=en' } })).body,
    /<html lang="en">.*Request status/s
  )
})
