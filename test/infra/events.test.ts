// GET /events: changes committed through one instance reach the Server-Sent Events streams of another instance
// on the same database, exactly ({ workOrderId, kind }), in sequence order; a reconnect with Last-Event-ID gets
// exactly what it missed; a rolled-back transaction emits nothing; only operators with `read` may listen, and only
// administrators hear mailbox-level changes; the stream ends when its instance closes.
import t, { type Test } from 'tap'
import type { AddressInfo } from 'node:net'
import { internalsOf } from '../../src/internals.js'
import type { Operator } from '../../src/types.js'
import { operatorFromRequest } from '../../example-host/auth.js'
import { isPostgres } from '../helpers/db.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { openSse, type SseClient } from '../helpers/sse.js'
import { waitFor } from '../helpers/wait.js'

const API = '/api/communications'
const live = { pollMs: 50, heartbeatMs: 200, gapWaitMs: 300 }
const NO_PERMISSIONS: Operator = { id: 'nobody', name: 'Senza permessi', permissions: [] }

/** Instance A (where changes are made) and instance B (listening on 127.0.0.1), one database. */
async function twoInstances(t: Test): Promise<{ a: TestHost; b: TestHost; url: string; revoked: Set<string> }> {
  const revoked = new Set<string>()
  const authorize = (request: Parameters<typeof operatorFromRequest>[0]) => {
    if (revoked.has(String(request.headers.authorization))) return null
    return request.headers.authorization === 'Bearer no-permissions' ? NO_PERMISSIONS : operatorFromRequest(request)
  }
  const a = await startTestHost({ live, instanceId: 'instance-a' })
  const b = await startTestHost({ live, instanceId: 'instance-b', authorize }, { ...a.db, knex: a.db.connectAgain(), destroy: async () => {} })
  // B first: A owns the database and drops it
  t.teardown(async () => {
    await b.close()
    await a.close()
  })
  await b.app.listen({ host: '127.0.0.1', port: 0 })
  return { a, b, revoked, url: `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}${API}/events` }
}

async function workOrders(host: TestHost, n: number): Promise<number[]> {
  const rows = await host.knex('ordini_lavoro').select('id_odl').where('stato', 'APERTO').orderBy('id_odl').limit(n)
  return rows.map((r: { id_odl: unknown }) => Number(r.id_odl))
}

async function addNote(host: TestHost, workOrderId: number, text: string): Promise<void> {
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/notes`,
    headers: auth('demo-operator'),
    payload: { html: `<p>${text}</p>` }
  })
  if (res.statusCode !== 201) throw new Error(`note: ${res.statusCode} ${res.body}`)
}

async function setState(host: TestHost, workOrderId: number, state: string): Promise<void> {
  const res = await host.app.inject({ method: 'POST', url: `${API}/work-orders/${workOrderId}/state`, headers: auth('demo-operator'), payload: { state } })
  if (res.statusCode !== 200) throw new Error(`state: ${res.statusCode} ${res.body}`)
}

const changeCount = async (host: TestHost) => Number((await host.knex('trc_changes').count({ n: '*' }).first())?.n ?? 0)

async function stream(t: Test, url: string, headers: Record<string, string>): Promise<SseClient> {
  const client = await openSse(url, headers)
  t.teardown(() => client.close())
  return client
}

t.test('a change committed through instance A reaches a stream of instance B, exactly', async (t) => {
  const { a, url } = await twoInstances(t)
  const [first, second] = await workOrders(a, 2)
  const viewer = await stream(t, url, auth('demo-viewer'))
  t.equal(viewer.status, 200)
  t.match(viewer.headers['content-type'], /^text\/event-stream/)
  t.equal(viewer.headers['cache-control'], 'no-store')
  const filtered = await stream(t, `${url}?workOrderId=${second}`, auth('demo-viewer'))

  await addNote(a, first as number, 'Nota interna')
  await setState(a, second as number, 'in_progress')
  const events = await viewer.waitForEvents(2)
  t.same(
    events.map((e) => e.data),
    [
      { workOrderId: first, kind: 'note' },
      { workOrderId: second, kind: 'state' }
    ]
  )
  const ids = events.map((e) => Number(e.id))
  t.equal(ids[1], (ids[0] as number) + 1, 'ids are the consecutive sequence numbers')
  const only = await filtered.waitForEvents(1)
  t.same(only[0]?.data, { workOrderId: second, kind: 'state' }, '?workOrderId= keeps only that work order')
  t.equal(only[0]?.id, events[1]?.id)
  await waitFor(
    async () => viewer.comments.filter((c) => c === 'heartbeat').length,
    (n) => n >= 2,
    5000,
    'two heartbeats'
  )
  t.equal(viewer.events.length, 2, 'nothing else')
})

t.test('merge, its undo and a split are changes of both work orders', async (t) => {
  const { a, url } = await twoInstances(t)
  const [first, second] = (await workOrders(a, 2)) as [number, number]
  const client = await stream(t, url, auth('demo-viewer'))
  const post = async (path: string, payload: Record<string, unknown>, status: number) => {
    const res = await a.app.inject({ method: 'POST', url: `${API}${path}`, headers: auth('demo-operator'), payload })
    t.equal(res.statusCode, status, `${path}: ${res.body.slice(0, 200)}`)
    return res.json()
  }
  await post(`/work-orders/${first}/merge`, { into: second }, 200)
  await post(`/work-orders/${first}/unmerge`, {}, 200)
  await addNote(a, second, 'Resta')
  await addNote(a, second, 'Da separare')
  const moved = await a.knex('trc_messages').first('id').where({ work_order_id: second }).andWhere('text', 'like', '%Da separare%')
  const split = await post(`/work-orders/${second}/split`, { messageIds: [Number(moved.id)] }, 201)
  t.same(
    (await client.waitForEvents(8)).map((e) => e.data),
    [
      { workOrderId: first, kind: 'merge' },
      { workOrderId: second, kind: 'merge' },
      { workOrderId: first, kind: 'merge' },
      { workOrderId: second, kind: 'merge' },
      { workOrderId: second, kind: 'note' },
      { workOrderId: second, kind: 'note' },
      { workOrderId: second, kind: 'link' },
      { workOrderId: split.workOrderId, kind: 'link' }
    ]
  )
})

t.test('new mail is a message; its request type and ARERA clock changing are state changes', async (t) => {
  const { a, url } = await twoInstances(t)
  const client = await stream(t, url, auth('demo-viewer'))
  const raw = await buildMail({ from: 'mario.rossi@example.test', to: 'reclami@garbage.example.test', subject: 'Cestini pieni', text: 'Cestini pieni.' })
  const { workOrderId } = await a.app.communications.mail.ingest(raw)
  const classify = await a.app.inject({
    method: 'PUT',
    url: `${API}/work-orders/${workOrderId}/classification`,
    headers: auth('demo-operator'),
    payload: { type: 'richiesta_informazioni' }
  })
  t.equal(classify.statusCode, 200, classify.body.slice(0, 200))
  const suspend = await a.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/clock`,
    headers: auth('demo-operator'),
    payload: { action: 'suspend', reason: 'In attesa dei documenti' }
  })
  t.equal(suspend.statusCode, 200, suspend.body.slice(0, 200))
  t.same(
    (await client.waitForEvents(3)).map((e) => e.data),
    [
      { workOrderId, kind: 'message' },
      { workOrderId, kind: 'state' },
      { workOrderId, kind: 'state' }
    ]
  )
})

t.test('a reconnect with Last-Event-ID gets exactly the changes it missed, then live ones', async (t) => {
  const { a, url } = await twoInstances(t)
  const [first, second] = await workOrders(a, 2)
  const before = await stream(t, url, auth('demo-viewer'))
  await addNote(a, first as number, 'Prima')
  const [seen] = await before.waitForEvents(1)
  before.close()

  const base = await changeCount(a)
  await addNote(a, second as number, 'Mentre era disconnesso')
  await setState(a, first as number, 'waiting')
  await addNote(a, first as number, 'Ancora')
  await waitFor(
    () => changeCount(a),
    (n) => n === base + 3,
    5000,
    'three changes committed'
  )

  const after = await stream(t, url, { ...auth('demo-viewer'), 'last-event-id': String(seen?.id) })
  const missed = await after.waitForEvents(3)
  t.same(
    missed.map((e) => e.data),
    [
      { workOrderId: second, kind: 'note' },
      { workOrderId: first, kind: 'state' },
      { workOrderId: first, kind: 'note' }
    ]
  )
  t.same(
    missed.map((e) => Number(e.id)),
    [1, 2, 3].map((i) => Number(seen?.id) + i),
    'the ids that follow the last one seen'
  )
  await addNote(a, second as number, 'Dopo la riconnessione')
  const all = await after.waitForEvents(4)
  t.same(all[3]?.data, { workOrderId: second, kind: 'note' })
  t.equal(Number(all[3]?.id), Number(seen?.id) + 4)
  await new Promise((r) => setTimeout(r, 300))
  t.equal(after.events.length, 4, 'no change twice')
})

t.test('a reconnect whose missed changes were pruned is told to reload (resync)', async (t) => {
  const { a, b, url } = await twoInstances(t)
  const [workOrderId] = await workOrders(a, 1)
  const before = await stream(t, url, auth('demo-viewer'))
  const colleague = await stream(t, url, auth('demo-viewer')) // stays connected: instance B follows the feed throughout
  await addNote(a, workOrderId as number, 'Vecchia')
  const [seen] = await before.waitForEvents(1)
  before.close()
  await addNote(a, workOrderId as number, 'Persa')
  await addNote(a, workOrderId as number, 'Tenuta')
  await colleague.waitForEvents(3)
  // a day goes by for the first two changes: the pruning removes them
  const [, lost] = (await a.knex('trc_changes').select('seq').orderBy('seq')).map((r: { seq: unknown }) => Number(r.seq))
  await a
    .knex('trc_changes')
    .where('seq', '<=', lost as number)
    .update({ created_at: new Date(Date.now() - 2 * 86_400_000) })
  await b.app.communications.changes.prune()
  t.equal(await changeCount(a), 1)
  const after = await stream(t, url, { ...auth('demo-viewer'), 'last-event-id': String(seen?.id) })
  const [event] = await after.waitForEvents(1)
  t.same(event?.data, { workOrderId: null, kind: 'resync' })
  t.equal(Number(event?.id), Number(seen?.id) + 2, 'its id is where the stream stands')
  await addNote(a, workOrderId as number, 'Nuova')
  const events = await after.waitForEvents(2)
  t.same(events[1]?.data, { workOrderId, kind: 'note' }, 'then the live changes')
})

t.test('a rolled-back transaction emits nothing', async (t) => {
  const { a, b, url } = await twoInstances(t)
  const [workOrderId] = await workOrders(a, 1)
  const client = await stream(t, url, auth('demo-viewer'))
  const repos = internalsOf(b.app.communications).repositories
  await t.rejects(
    repos.transaction(async (tx) => {
      await tx.changes.append(workOrderId as number, 'note')
      throw new Error('rolled back')
    }),
    /rolled back/
  )
  const bad = await a.app.inject({ method: 'POST', url: `${API}/work-orders/${workOrderId}/notes`, headers: auth('demo-operator'), payload: { html: '' } })
  t.equal(bad.statusCode, 400)
  await addNote(a, workOrderId as number, 'Dopo il rollback')
  const [event] = await client.waitForEvents(1)
  t.same(event?.data, { workOrderId, kind: 'note' })
  await new Promise((r) => setTimeout(r, 500))
  t.equal(client.events.length, 1, 'only the committed change')
  t.equal(await changeCount(a), 1, 'the rolled-back row was never stored')
})

t.test(
  'a change committed before an earlier-numbered one waits for it: events stay in sequence order',
  { skip: isPostgres ? false : 'SQLite has one writer at a time: needs PostgreSQL (set DATABASE_URL)' },
  async (t) => {
    const { a, b, url } = await twoInstances(t)
    const [first, second] = await workOrders(a, 2)
    const client = await stream(t, url, auth('demo-viewer'))
    const repos = internalsOf(b.app.communications).repositories
    let commit: () => void = () => undefined
    const held = new Promise<void>((resolve) => (commit = resolve))
    const slow = repos.transaction(async (tx) => {
      await tx.changes.append(first as number, 'state')
      await held
    })
    await waitFor(
      () => changeCount(a),
      (n) => n === 0,
      2000,
      'the slow change still uncommitted'
    )
    await addNote(a, second as number, 'Più veloce')
    await new Promise((r) => setTimeout(r, 150)) // under gapWaitMs: the later change is held back
    t.equal(client.events.length, 0, 'nothing passed on over the hole')
    commit()
    await slow
    const events = await client.waitForEvents(2)
    t.same(
      events.map((e) => e.data),
      [
        { workOrderId: first, kind: 'state' },
        { workOrderId: second, kind: 'note' }
      ]
    )
    t.ok(Number(events[0]?.id) < Number(events[1]?.id), 'in sequence order')
  }
)

t.test('only operators with read may listen, in their language; mailbox-level changes only for administrators', async (t) => {
  const { a, b, url } = await twoInstances(t)
  const anonymous = await stream(t, url, {})
  t.equal(anonymous.status, 401)
  t.same(JSON.parse(await anonymous.body()).message, 'Autenticazione richiesta: accedi per continuare.')
  const english = await stream(t, url, { 'accept-language': 'en' })
  t.equal(english.status, 401)
  t.same(JSON.parse(await english.body()).message, 'Authentication required: please sign in.')
  const none = await stream(t, url, { authorization: 'Bearer no-permissions' })
  t.equal(none.status, 403)
  t.same(JSON.parse(await none.body()).message, 'Non hai il permesso di eseguire questa operazione (read).')
  const badFilter = await stream(t, `${url}?workOrderId=abc`, auth('demo-viewer'))
  t.equal(badFilter.status, 400)

  const viewer = await stream(t, url, auth('demo-viewer'))
  const admin = await stream(t, url, auth('demo-admin'))
  const [workOrderId] = await workOrders(a, 1)
  // spam opens no work order: a change of the mailbox's spam list, not of a work order
  const spam =
    'From: promo@spam.example.test\r\nTo: tari@garbage.example.test\r\nSubject: Offerta imperdibile\r\nX-Spam-Flag: YES\r\n' +
    'Message-ID: <promo-1@spam.example.test>\r\n\r\nCompra ora.\r\n'
  t.equal((await a.app.communications.mail.ingest(Buffer.from(spam))).outcome, 'spam')
  await addNote(a, workOrderId as number, 'Per tutti')
  t.same(
    (await admin.waitForEvents(2)).map((e) => e.data),
    [
      { workOrderId: null, kind: 'spam' },
      { workOrderId, kind: 'note' }
    ]
  )
  t.same(
    (await viewer.waitForEvents(1)).map((e) => e.data),
    [{ workOrderId, kind: 'note' }]
  )
  await new Promise((r) => setTimeout(r, 200))
  t.equal(viewer.events.length, 1, 'the viewer never hears of the spam list')
  void b
})

t.test('a stream ends at the first heartbeat after its session is revoked', async (t) => {
  const { url, revoked } = await twoInstances(t)
  const viewer = await stream(t, url, auth('demo-viewer'))
  const admin = await stream(t, url, auth('demo-admin'))
  await waitFor(
    async () => viewer.comments.filter((c) => c === 'heartbeat').length,
    (n) => n >= 1,
    5000,
    'a heartbeat'
  )
  revoked.add(auth('demo-viewer').authorization)
  await viewer.ended
  t.pass('the revoked stream ended')
  const beats = admin.comments.filter((c) => c === 'heartbeat').length
  await waitFor(
    async () => admin.comments.filter((c) => c === 'heartbeat').length,
    (n) => n > beats,
    5000,
    'the other stream goes on'
  )
  const again = await stream(t, url, auth('demo-viewer'))
  t.equal(again.status, 401, 'reconnecting is refused')
})

t.test('open streams end when the instance closes, and closing does not wait for them', async (t) => {
  const { b, url } = await twoInstances(t)
  const clients = await Promise.all([1, 2, 3].map(() => openSse(url, auth('demo-viewer'))))
  await waitFor(
    async () => clients.every((c) => c.comments.includes('connected')),
    (ok) => ok,
    2000,
    'streams open'
  )
  await b.app.close()
  await Promise.all(clients.map((c) => c.ended))
  t.pass('every stream ended')
})
