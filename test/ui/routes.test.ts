// The tab's server side: the bundle route (ETag, versioned immutable URL, clear 503 without a build), GET /me,
// and the conversation's ETag that the tab polls with.
import t from 'tap'
import { buildUi } from '../../ui-extension/build.mjs'
import { uiScriptUrl } from '../../src/plugin.js'
import { buildMail } from '../helpers/mail.js'
import { auth, startTestHost } from '../helpers/host.js'

t.before(async () => {
  await buildUi({ quiet: true })
})

t.test('the bundle is served with an ETag, a versioned URL cached for a year, and a bare URL that revalidates', async (t) => {
  const host = await startTestHost()
  t.teardown(() => host.close())
  const url = uiScriptUrl('/api/communications')
  t.match(url, /^\/api\/communications\/ui\/trc-communications\.js\?v=[\w-]{16}$/)

  const versioned = await host.app.inject({ method: 'GET', url })
  t.equal(versioned.statusCode, 200)
  t.match(versioned.headers['content-type'], /^text\/javascript/)
  t.equal(versioned.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.ok(versioned.headers.etag)
  t.match(versioned.body, /trc-communications/)

  const bare = await host.app.inject({ method: 'GET', url: '/api/communications/ui/trc-communications.js' })
  t.equal(bare.statusCode, 200)
  t.equal(bare.headers['cache-control'], 'public, max-age=0, must-revalidate')
  const again = await host.app.inject({
    method: 'GET',
    url: '/api/communications/ui/trc-communications.js',
    headers: { 'if-none-match': String(bare.headers.etag) }
  })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')

  // the host page loads the versioned URL
  const page = await host.app.inject({ method: 'GET', url: '/work-orders/1', headers: { cookie: 'garbage_session=demo-viewer' } })
  t.equal(page.statusCode, 200)
  t.ok(page.body.includes(`src="${url}"`), 'the work-order page points at the versioned bundle')
})

t.test('GET /me tells the UI who the operator is and what they may do', async (t) => {
  const host = await startTestHost()
  t.teardown(() => host.close())
  const viewer = await host.app.inject({ method: 'GET', url: '/api/communications/me', headers: auth('demo-viewer') })
  t.equal(viewer.statusCode, 200)
  t.same(viewer.json(), { id: 'demo-viewer', name: 'Consultatore Demo', email: 'consultazione@garbage.example.test', permissions: ['read'] })
  const operator = await host.app.inject({ method: 'GET', url: '/api/communications/me', headers: { cookie: 'garbage_session=demo-operator' } })
  t.same(operator.json().permissions, ['read', 'write', 'documents'])
  const anonymous = await host.app.inject({ method: 'GET', url: '/api/communications/me' })
  t.equal(anonymous.statusCode, 401)
  t.match(anonymous.json().message, /Autenticazione richiesta/)
})

t.test('GET /contributors?ids= names the candidates of an ambiguous sender', async (t) => {
  const host = await startTestHost()
  t.teardown(() => host.close())
  const [a, b] = host.contributors.bianchi
  const res = await host.app.inject({ method: 'GET', url: `/api/communications/contributors?ids=${a},${b},999999`, headers: auth('demo-viewer') })
  t.equal(res.statusCode, 200)
  const items = res.json().items as Array<{ id: number; displayName: string; emails: string[] }>
  t.same(
    items.map((c) => c.id),
    [a, b],
    'in the order asked, unknown ids left out'
  )
  t.ok(items.every((c) => /Bianchi/i.test(c.displayName) && c.emails.includes('famiglia.bianchi@example.test')))
  const bad = await host.app.inject({ method: 'GET', url: '/api/communications/contributors?ids=abc', headers: auth('demo-viewer') })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /numeri interi positivi/)
  const anonymous = await host.app.inject({ method: 'GET', url: `/api/communications/contributors?ids=${a}` })
  t.equal(anonymous.statusCode, 401)
})

t.test('the conversation answers 304 to an unchanged ETag and a new one after a new message', async (t) => {
  const host = await startTestHost()
  t.teardown(() => host.close())
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'tari@garbage.example.test',
    subject: 'Mancata raccolta',
    text: 'Il bidone non è stato svuotato.'
  })
  const result = await host.app.communications.mail.ingest(raw)
  const workOrderId = (result as { workOrderId: number }).workOrderId
  const url = `/api/communications/work-orders/${workOrderId}/messages`
  const first = await host.app.inject({ method: 'GET', url, headers: auth('demo-viewer') })
  t.equal(first.statusCode, 200)
  const etag = String(first.headers.etag)
  t.match(etag, /^"[\w-]+"$/)
  t.ok(first.json().items.length >= 1)
  const unchanged = await host.app.inject({ method: 'GET', url, headers: { ...auth('demo-viewer'), 'if-none-match': etag } })
  t.equal(unchanged.statusCode, 304)

  const reply = await buildMail({
    from: 'mario.rossi@example.test',
    to: 'tari@garbage.example.test',
    subject: `Re: Mancata raccolta [OdL #${workOrderId}]`,
    text: 'Ancora niente.'
  })
  await host.app.communications.mail.ingest(reply)
  const changed = await host.app.inject({ method: 'GET', url, headers: { ...auth('demo-viewer'), 'if-none-match': etag } })
  t.equal(changed.statusCode, 200)
  t.not(changed.headers.etag, etag)
})
