// Bad input on real routes of the example host: a parameter given twice, a day that does not exist, a year out of
// range, text that is not UTF-8. Each is a 400 naming the parameter in the caller's language (the Open311 routes in
// their own JSON or XML error shape), never a 500, never a silent choice of one value, and nothing is stored.
import t from 'tap'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { multipartBody } from '../helpers/multipart.js'
import { API, formToken, rowCounts } from '../intake/fixtures.js'

const O = `${API}/open311/v2`
const dupIt = (name: string) => `Il parametro "${name}" è indicato più volte: indicalo una volta sola (un solo valore).`
const dupEn = (name: string) => `Parameter "${name}" is given more than once: give it once (a single value).`
const encIt = (name: string) => `Il parametro "${name}" non è testo UTF-8 valido (contiene byte non validi o il carattere nullo): correggilo e invia di nuovo.`
const encEn = (name: string) => `Parameter "${name}" is not valid UTF-8 text (it contains invalid bytes or the null character): correct it and send again.`
const errorOf = (code: string, name: string, message: string) => ({
  statusCode: 400,
  code,
  error: code,
  message,
  params: { name },
  fields: { [name]: message }
})

const FORM = 'application/x-www-form-urlencoded'
const report = (email: string) =>
  `service_code=segnalazione_disservizio&address_string=Via%20Roma%201%2C%20Cant%C3%B9&description=Sacchi%20abbandonati%20accanto%20al%20cassonetto&email=${encodeURIComponent(email)}`
const webFields = (email: string): Record<string, string> => ({
  formToken: formToken(),
  type: 'segnalazione_disservizio',
  service: 'raccolta_trasporto',
  subject: 'Cassonetto rotto in via Roma',
  description: 'Il cassonetto è rotto da giorni e i rifiuti restano per strada.',
  address: 'Via Roma 1, Cantù',
  firstName: 'Mario',
  lastName: 'Rossi',
  email,
  privacy: 'true'
})
const urlencoded = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
/** The JSON of `value` with one raw byte in place of `marker`: bytes no UTF-8 encoder would write. */
const withByte = (value: unknown, marker: string, byte: number) => {
  const [head, tail] = JSON.stringify(value).split(marker) as [string, string]
  return Buffer.concat([Buffer.from(head), Buffer.from([byte]), Buffer.from(tail)])
}

async function counts(host: TestHost) {
  return { ...(await rowCounts(host)), trc_templates: Number((await host.knex('trc_templates').count({ n: '*' }).first())?.n) }
}

t.test('bad input on real routes', async (t) => {
  const host = await startTestHost({ intake: { minFillSeconds: 2, perIpLimit: 1000, perEmailPerHour: 100 } })
  t.teardown(() => host.close())
  const get = (url: string, headers: Record<string, string> = {}) => host.app.inject({ url: `${API}${url}`, headers: { ...auth('demo-admin'), ...headers } })

  t.test('a query parameter given twice is a 400 naming it, in Italian and in English', async (t) => {
    const cases: Array<[string, string]> = [
      ['/register?from=2026-01-01&from=2026-02-01&to=2026-03-01', 'from'],
      ['/register.csv?from=2026-01-01&to=2026-02-01&to=2026-03-01', 'to'],
      ['/indicators?year=2025&year=2026', 'year'],
      ['/arera/yearly-communication?year=2025&year=2026', 'year'],
      ['/deadlines?type=reclamo_scritto&type=altro', 'type'],
      ['/deadlines?overdue=true&maxDaysLeft=3&overdue=false', 'overdue'],
      ['/messages?from=a%40example.test&from=b%40example.test', 'from'],
      ['/spam?limit=5&limit=6', 'limit'],
      ['/spam?lang=en&lang=it', 'lang']
    ]
    for (const [url, name] of cases) {
      const it = await get(url)
      t.equal(it.statusCode, 400, url)
      t.same(it.json(), errorOf('duplicateParameter', name, dupIt(name)), url)
      const en = await get(url, { 'accept-language': 'en' })
      t.same(en.json(), errorOf('duplicateParameter', name, dupEn(name)), `${url} (en)`)
    }
    // the same parameters once each are answered
    t.equal((await get('/register?from=2026-01-01&to=2026-03-01')).statusCode, 200)
    t.equal((await get('/deadlines?type=reclamo_scritto')).statusCode, 200)
  })

  t.test('a day that does not exist or a year out of range is a 400 naming it, never a 500', async (t) => {
    const day = (name: string, value: string) =>
      `Il parametro "${name}" non è una data valida: "${value}". Usa un giorno che esiste, dal 2000 al 2100, nel formato AAAA-MM-GG (per esempio 2026-01-31).`
    const dates: Array<[string, string, string]> = [
      ['/register?from=2026-02-30&to=2026-03-31', 'from', '2026-02-30'],
      ['/register?from=2026-01-01&to=10000-01-01', 'to', '10000-01-01'],
      ['/register.xlsx?from=2026-01-01&to=9999-12-31', 'to', '9999-12-31']
    ]
    for (const [url, name, value] of dates) {
      const res = await get(url)
      t.equal(res.statusCode, 400, url)
      t.same(
        res.json(),
        { statusCode: 400, code: 'dateParamInvalid', error: 'dateParamInvalid', message: day(name, value), params: { name, value, min: 2000, max: 2100 } },
        url
      )
    }
    const en = await get('/register?from=2026-02-30&to=2026-03-31', { 'accept-language': 'en' })
    t.equal(
      en.json().message,
      'Parameter "from" is not a valid date: "2026-02-30". Use a day that exists, from 2000 to 2100, as YYYY-MM-DD (for example 2026-01-31).'
    )
    for (const url of [
      '/indicators?year=9999',
      '/indicators.csv?year=10000',
      '/indicators?year=1999',
      '/arera/yearly-communication?year=9999',
      '/arera/yearly-communication.pdf?year=9999'
    ]) {
      const value = /year=(\d+)/.exec(url)?.[1] as string
      const res = await get(url)
      t.equal(res.statusCode, 400, url)
      t.same(
        res.json(),
        {
          statusCode: 400,
          code: 'yearParamInvalid',
          error: 'yearParamInvalid',
          message: `Anno non valido: "${value}". Indica un anno dal 2000 al 2100, per esempio 2026.`,
          params: { value, min: 2000, max: 2100 }
        },
        url
      )
    }
    t.equal(
      (await get('/indicators?year=9999', { 'accept-language': 'en' })).json().message,
      'Invalid year: "9999". Give a year from 2000 to 2100, for example 2026.'
    )
    t.equal((await get('/indicators?year=2026')).statusCode, 200)
    // Open311: a day that does not exist is refused, not rolled over to 2 March
    const open311 = await host.app.inject({ url: `${O}/requests.json?start_date=2026-02-30` })
    t.equal(open311.statusCode, 400)
    t.same(open311.json(), [{ code: 400, description: 'start_date: data non valida "2026-02-30" (ISO 8601, ad esempio 2026-03-01T00:00:00Z)' }])
    t.equal((await host.app.inject({ url: `${O}/requests.json?start_date=2026-02-28T00:00:00Z` })).statusCode, 200)
  })

  t.test('text that is not UTF-8 (or holds NUL) in the query is a 400 naming the parameter', async (t) => {
    const cases: Array<[string, string]> = [
      ['/messages?from=%FF', 'from'],
      ['/messages?from=%C3%28', 'from'],
      ['/messages?from=a%00b%40example.test', 'from'],
      ['/register?from=2026-01-01&to=2026-03-01&%FF=1', '%FF'],
      ['/deadlines?type=reclamo%ED%A0%80', 'type']
    ]
    for (const [url, name] of cases) {
      const res = await get(url)
      t.equal(res.statusCode, 400, url)
      t.same(res.json(), errorOf('invalidEncoding', name, encIt(name)), url)
    }
    t.same((await get('/messages?from=%FF', { 'accept-language': 'en' })).json(), errorOf('invalidEncoding', 'from', encEn('from')))
    const xml = await host.app.inject({ url: `${O}/requests.xml?service_code=%FF` })
    t.equal(xml.statusCode, 400)
    t.match(xml.headers['content-type'], /text\/xml/)
    t.equal(
      xml.body,
      `<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>400</code><description>${encIt('service_code').replace(/"/g, '&quot;')}</description></error></errors>`
    )
    t.equal((await get('/messages?from=citt%C3%A0%40example.test')).statusCode, 200, 'UTF-8 percent-encoded is fine')
  })

  t.test('Open311: api_key twice, in the query or the form, is a 400 in the Open311 shape and stores nothing', async (t) => {
    const before = await counts(host)
    const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
      host.app.inject({ method: 'POST', url, payload, headers: { 'content-type': FORM, ...headers } })
    const query = await post(`${O}/requests.json?api_key=demo-app-key&api_key=bad`, report('dup.query@example.test'))
    t.equal(query.statusCode, 400)
    t.same(query.json(), [{ code: 400, description: dupIt('api_key') }])
    const body = await post(`${O}/requests.json`, `api_key=demo-app-key&api_key=bad&${report('dup.body@example.test')}`, { 'accept-language': 'en' })
    t.same(body.json(), [{ code: 400, description: dupEn('api_key') }])
    const xml = await post(`${O}/requests.xml`, `api_key=bad&api_key=demo-app-key&${report('dup.xml@example.test')}`)
    t.equal(xml.statusCode, 400)
    t.equal(
      xml.body,
      `<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>400</code><description>${dupIt('api_key').replace(/"/g, '&quot;')}</description></error></errors>`
    )
    const bytes = await post(`${O}/requests.json`, `api_key=demo-app-key&${report('bytes@example.test').replace('Sacchi%20', 'Sacchi%FF')}`)
    t.same(bytes.json(), [{ code: 400, description: encIt('description') }])
    const ids = await host.app.inject({ url: `${O}/requests.json?service_request_id=RC-2026-000001&service_request_id=RC-2026-000002` })
    t.same(ids.json(), [{ code: 400, description: dupIt('service_request_id') }])
    t.same(await counts(host), before, 'nothing stored')
    // the documented ways still work: one key, and ids as a comma list
    const ok = await post(`${O}/requests.json`, `api_key=demo-app-key&${report('one.key@example.test')}`)
    t.equal(ok.statusCode, 201, ok.body)
    t.equal((await host.app.inject({ url: `${O}/requests.json?service_request_id=RC-2026-000001,RC-2026-000002` })).statusCode, 200)
  })

  t.test('the web form: a field twice or bytes that are not UTF-8 are 400s naming the field, and nothing is stored', async (t) => {
    const before = await counts(host)
    const post = (payload: string | Buffer | FormData, type?: string, headers: Record<string, string> = {}) =>
      host.app.inject({
        method: 'POST',
        url: `${API}/intake/web`,
        payload: payload as string,
        headers: { ...(type ? { 'content-type': type } : {}), ...headers }
      })
    const twice = await post(`${urlencoded(webFields('twice@example.test'))}&type=reclamo_scritto`, FORM)
    t.equal(twice.statusCode, 400)
    t.same(twice.json(), errorOf('duplicateParameter', 'type', dupIt('type')))
    const multipart = new FormData()
    for (const [k, v] of Object.entries(webFields('multipart@example.test'))) multipart.append(k, v)
    multipart.append('email', 'altro@example.test')
    const en = await post(multipart, undefined, { 'accept-language': 'en' })
    t.equal(en.statusCode, 400)
    t.same(en.json(), errorOf('duplicateParameter', 'email', dupEn('email')))
    const raw = Buffer.concat([Buffer.from(`${urlencoded(webFields('raw@example.test'))}&phone=031`), Buffer.from([0xff]), Buffer.from('12')])
    t.same((await post(raw, FORM)).json(), errorOf('invalidEncoding', 'phone', encIt('phone')))
    t.same(
      (await post(`${urlencoded(webFields('pct@example.test'))}&lastName=Ross%C3%28`, FORM)).json(),
      errorOf('invalidEncoding', 'lastName', encIt('lastName'))
    )
    const jsonBytes = withByte({ ...webFields('json@example.test'), subject: 'Cassonetto @@ rotto' }, '@@', 0xff)
    t.same((await post(jsonBytes, 'application/json')).json(), errorOf('invalidEncoding', 'subject', encIt('subject')))
    t.same(
      (await post(JSON.stringify({ ...webFields('nul@example.test'), firstName: 'Ma\u0000rio' }), 'application/json')).json(),
      errorOf('invalidEncoding', 'firstName', encIt('firstName'))
    )
    const parts = multipartBody({ ...webFields('parts@example.test'), address: 'Via Roma @@ 1' })
    const at = parts.payload.indexOf('@@')
    const partBytes = Buffer.concat([parts.payload.subarray(0, at), Buffer.from([0xff]), parts.payload.subarray(at + 2)])
    t.same((await post(partBytes, parts.headers['content-type'])).json(), errorOf('invalidEncoding', 'address', encIt('address')))
    t.same(await counts(host), before, 'nothing stored')
    // the one field a form may repeat: links to photos
    const links = await post(
      `${urlencoded(webFields('links@example.test'))}&mediaUrl=https%3A%2F%2Fexample.test%2Fa.jpg&mediaUrl=https%3A%2F%2Fexample.test%2Fb.jpg`,
      FORM
    )
    t.equal(links.statusCode, 201, links.body)
  })

  t.test("an operator's reply form with its text twice is a 400; its addresses, a list, may repeat", async (t) => {
    const before = await counts(host)
    const wo = await host.knex('ordini_lavoro').first('id_odl').orderBy('id_odl')
    const reply = (fields: Record<string, string | string[]>) => {
      const { payload, headers } = multipartBody(fields)
      return host.app.inject({ method: 'POST', url: `${API}/work-orders/${wo.id_odl}/reply`, payload, headers: { ...auth('demo-operator'), ...headers } })
    }
    const twice = await reply({ html: ['<p>Prima versione</p>', '<p>Seconda versione</p>'], to: 'mario.rossi@example.test' })
    t.equal(twice.statusCode, 400)
    t.same(twice.json(), errorOf('duplicateParameter', 'html', dupIt('html')))
    // `to` given twice is a list: the request goes past the reader and is refused for its own reason: the second is not an address
    const list = await reply({ html: '<p>Risposta</p>', to: ['mario.rossi@example.test', 'Not an address'] })
    t.equal(list.statusCode, 400)
    t.equal(list.json().code, 'invalidAddress')
    t.same(await counts(host), before, 'nothing stored')
  })

  t.test("an operator's JSON body with bytes that are not UTF-8 or NUL is a 400 naming the field, not a 500", async (t) => {
    const before = await counts(host)
    const post = (payload: string | Buffer) =>
      host.app.inject({ method: 'POST', url: `${API}/templates`, payload, headers: { ...auth('demo-admin'), 'content-type': 'application/json' } })
    const nul = await post(JSON.stringify({ scope: 'shared', name: 'Risposta\u0000', lang: 'it', html: '<p>Gentile utente</p>' }))
    t.equal(nul.statusCode, 400)
    t.same(nul.json(), errorOf('invalidEncoding', 'name', encIt('name')))
    const bytes = withByte({ scope: 'shared', name: 'Risposta', lang: 'it', html: '<p>Gentile @@utente</p>' }, '@@', 0xc3)
    t.same((await post(bytes)).json(), errorOf('invalidEncoding', 'html', encIt('html')))
    t.same(await counts(host), before, 'nothing stored')
  })
})
