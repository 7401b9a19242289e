// Contract read routes on the example host: JSON shapes, authentication (401), permissions (403), bad input (400/404).
import t from 'tap'
import { auth, startTestHost } from '../helpers/host.js'
import { internalsOf } from '../../src/internals.js'

t.test('contract read routes', async (t) => {
  const host = await startTestHost()
  t.teardown(() => host.close())
  const { app } = host

  t.test('GET /work-orders/:id answers the work order with its contributor', async (t) => {
    const wo = await host.knex('ordini_lavoro').first('*').orderBy('id_odl')
    const res = await app.inject({ url: `/api/communications/work-orders/${wo.id_odl}`, headers: auth('demo-viewer') })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /application\/json/)
    const body = res.json()
    t.equal(body.id, Number(wo.id_odl))
    t.equal(body.contributorId, Number(wo.id_contribuente))
    t.equal(body.subject, wo.oggetto)
    t.equal(body.hostStatus, wo.stato)
    const expectedState = { APERTO: 'open', IN_LAVORAZIONE: 'in_progress', SOSPESO: 'waiting', CHIUSO: 'closed' }[wo.stato as string]
    t.equal(body.status, expectedState, 'host status mapped to the module state')
    t.equal(body.contributor.id, Number(wo.id_contribuente))
    t.ok(body.contributor.displayName.length > 3)
    t.ok(Object.hasOwn(body, 'dueDate') && Object.hasOwn(body, 'type'), 'regulatory fields present')
  })

  t.test('without a token: 401 with an Italian message', async (t) => {
    const res = await app.inject({ url: '/api/communications/work-orders/1' })
    t.equal(res.statusCode, 401)
    t.match(res.json().message, /Autenticazione richiesta/)
  })

  t.test('an unknown token is not an operator', async (t) => {
    const res = await app.inject({ url: '/api/communications/work-orders/1', headers: { authorization: 'Bearer nope' } })
    t.equal(res.statusCode, 401)
  })

  t.test('English on request', async (t) => {
    const res = await app.inject({ url: '/api/communications/work-orders/1', headers: { 'accept-language': 'en-GB,en;q=0.9' } })
    t.equal(res.statusCode, 401)
    t.match(res.json().message, /Authentication required/)
  })

  t.test('viewer on a write route: 403, and nothing changes', async (t) => {
    const before = await app.inject({ url: '/api/communications/settings', headers: auth('demo-admin') })
    const res = await app.inject({
      method: 'PUT',
      url: '/api/communications/settings',
      headers: auth('demo-viewer'),
      payload: { genericContributorId: host.contributors.marioRossi }
    })
    t.equal(res.statusCode, 403)
    t.match(res.json().message, /permesso/)
    const after = await app.inject({ url: '/api/communications/settings', headers: auth('demo-admin') })
    t.same(after.json(), before.json())
  })

  t.test('admin changes the generic contributor; a missing contributor is refused', async (t) => {
    const missing = await app.inject({
      method: 'PUT',
      url: '/api/communications/settings',
      headers: auth('demo-admin'),
      payload: { genericContributorId: 999999 }
    })
    t.equal(missing.statusCode, 404)
    t.match(missing.json().message, /Contribuente 999999 non trovato/)
    const bad = await app.inject({ method: 'PUT', url: '/api/communications/settings', headers: auth('demo-admin'), payload: { genericContributorId: 'abc' } })
    t.equal(bad.statusCode, 400)
    const ok = await app.inject({
      method: 'PUT',
      url: '/api/communications/settings',
      headers: auth('demo-admin'),
      payload: { genericContributorId: host.contributors.marioRossi }
    })
    t.equal(ok.statusCode, 200)
    t.equal(await app.communications.settings.genericContributorId(), host.contributors.marioRossi)
    const audit = await host.knex('trc_audit_log').where({ action: 'settings.genericContributor' })
    t.equal(audit.length, 1, 'the change is audited')
    t.equal(audit[0].actor_id, 'demo-admin')
    await app.inject({
      method: 'PUT',
      url: '/api/communications/settings',
      headers: auth('demo-admin'),
      payload: { genericContributorId: host.genericContributorId }
    })
  })

  t.test('bad ids and unknown work orders', async (t) => {
    const bad = await app.inject({ url: '/api/communications/work-orders/abc', headers: auth('demo-viewer') })
    t.equal(bad.statusCode, 400)
    t.match(bad.json().message, /Identificativo non valido/)
    const missing = await app.inject({ url: '/api/communications/work-orders/987654', headers: auth('demo-viewer') })
    t.equal(missing.statusCode, 404)
    t.match(missing.json().message, /987654/)
    const messages = await app.inject({ url: '/api/communications/work-orders/987654/messages', headers: auth('demo-viewer') })
    t.equal(messages.statusCode, 404)
    const route = await app.inject({ url: '/api/communications/nothing-here', headers: auth('demo-viewer') })
    t.equal(route.statusCode, 404)
    t.match(route.json().message, /Risorsa non trovata/)
  })

  t.test('a recorded message shows in the conversation and in the search', async (t) => {
    const wo = await host.knex('ordini_lavoro').first('*').orderBy('id_odl')
    const service = app.communications
    const id = await internalsOf(service).repositories.messages.insert({
      workOrderId: Number(wo.id_odl),
      contributorId: Number(wo.id_contribuente),
      direction: 'inbound',
      channel: 'email',
      messageId: '<Abc.123@Mail.Example.test>',
      dedupeKey: (await import('../../src/mail/message-id.js')).messageIdKey('<Abc.123@Mail.Example.test>'),
      from: 'mario.rossi@example.test',
      to: ['tari@garbage.example.test'],
      cc: [],
      subject: 'Mancata raccolta – via Roma',
      html: '<p>Il bidone non è stato svuotato.</p>',
      text: 'Il bidone non è stato svuotato.',
      createdAt: new Date('2026-03-02T09:15:00Z'),
      receivedAt: new Date('2026-03-02T09:15:00Z')
    })
    const conv = await app.inject({ url: `/api/communications/work-orders/${wo.id_odl}/messages`, headers: auth('demo-viewer') })
    t.equal(conv.statusCode, 200)
    const items = conv.json().items
    t.equal(items.length, 1)
    t.match(items[0], {
      id,
      workOrderId: Number(wo.id_odl),
      direction: 'inbound',
      channel: 'email',
      from: 'mario.rossi@example.test',
      to: ['tari@garbage.example.test'],
      cc: [],
      subject: 'Mancata raccolta – via Roma',
      attachments: [],
      createdAt: '2026-03-02T09:15:00.000Z',
      deliveryStatus: null
    })
    // Message-ID lookups ignore angle brackets and the domain's case
    const byId = await app.inject({
      url: '/api/communications/messages?messageId=' + encodeURIComponent('Abc.123@mail.example.test'),
      headers: auth('demo-viewer')
    })
    t.equal(byId.json().items.length, 1)
    t.equal(byId.json().items[0].id, id)
    const byFrom = await app.inject({ url: '/api/communications/messages?from=MARIO.ROSSI@example.test', headers: auth('demo-viewer') })
    t.equal(byFrom.json().items.length, 1)
    const none = await app.inject({ url: '/api/communications/messages', headers: auth('demo-viewer') })
    t.equal(none.statusCode, 400)
  })

  t.test('health: public liveness and per-mailbox state for operators', async (t) => {
    const live = await app.inject({ url: '/api/communications/health/live' })
    t.same(live.json(), { status: 'ok' })
    const denied = await app.inject({ url: '/api/communications/health' })
    t.equal(denied.statusCode, 401)
    const res = await app.inject({ url: '/api/communications/health', headers: auth('demo-viewer') })
    t.equal(res.statusCode, 200)
    t.same(res.json().mailboxes, [])
    const byStatus = async () =>
      Object.fromEntries(
        (await host.knex('trc_outbox').select('status').count({ n: '*' }).groupBy('status')).map((r: { status?: unknown; n?: unknown }) => [
          String(r.status),
          Number(r.n)
        ])
      )
    t.same(res.json().outbox, await byStatus(), 'outbox counts per status, as stored')
    // one more queued and one failed mail show up in the counts
    const outbox = internalsOf(app.communications).repositories.outbox
    const payload = (to: string) => ({
      from: 'tari@garbage.example.test',
      to: [to],
      cc: [],
      subject: 's',
      html: '<p>t</p>',
      text: 't',
      messageId: `<${to}>`,
      attachmentIds: []
    })
    await outbox.enqueue({ messageId: null, kind: 'confirmation', payload: payload('a@example.test') })
    await outbox.markFailed(await outbox.enqueue({ messageId: null, kind: 'confirmation', payload: payload('b@example.test') }), null, 'x')
    const after = (await app.inject({ url: '/api/communications/health', headers: auth('demo-viewer') })).json().outbox
    t.same(
      after,
      { ...res.json().outbox, queued: (res.json().outbox.queued ?? 0) + 1, failed: (res.json().outbox.failed ?? 0) + 1 },
      'one more queued, one more failed'
    )
    t.same(after, await byStatus())
  })
})
