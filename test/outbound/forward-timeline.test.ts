// Forwarding to third parties, internal notes and state changes, through the routes, with a real SMTP server.
import t from 'tap'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { startSmtpServer } from '../helpers/smtp.js'
import { HOST_MAPPING } from '../../example-host/app.js'

const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const API = '/api/communications'

interface Item {
  id: number
  channel: string
  direction: string
  html: string | null
  text: string | null
  deliveryStatus: string | null
  operator: { id: string; name: string | null } | null
  attachments: Array<{ id: number; filename: string }>
  meta: Record<string, unknown>
}

async function conversation(host: TestHost, id: number): Promise<Item[]> {
  return (await host.app.inject({ url: `${API}/work-orders/${id}/messages`, headers: auth('demo-viewer') })).json().items
}

async function twoMessageWorkOrder(host: TestHost): Promise<number> {
  const first = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    cc: 'vicino@example.test',
    subject: 'Cassonetto rotto in via Verdi',
    messageId: '<fw1@example.test>',
    html: '<p>Il cassonetto è <b>rotto</b> da giorni.</p><img src="cid:foto" alt="foto cassonetto">',
    attachments: [
      { filename: 'cassonetto.jpg', content: Buffer.from('jpeg-cassonetto'), contentType: 'image/jpeg', cid: 'foto' },
      { filename: 'segnalazione.pdf', content: Buffer.from('%PDF segnalazione'), contentType: 'application/pdf' }
    ]
  })
  const { workOrderId } = (await host.app.communications.mail.ingest(first, { receivedAt: new Date('2026-03-10T08:15:00Z') })) as { workOrderId: number }
  const second = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject: `Re: Cassonetto rotto in via Verdi [OdL #${workOrderId}]`,
    messageId: '<fw2@example.test>',
    inReplyTo: '<fw1@example.test>',
    text: 'Aggiungo: ora perde anche liquido.'
  })
  await host.app.communications.mail.ingest(second, { receivedAt: new Date('2026-03-11T16:40:00Z') })
  return workOrderId
}

t.test('forward', async (t) => {
  const smtp = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url } } })
  t.teardown(() => host.close())
  const workOrderId = await twoMessageWorkOrder(host)
  await host.app.communications.workOrders.addNote(workOrderId, { html: '<p>Nota riservata: non inoltrare</p>' }, { id: 'op', name: 'Op', email: null })
  await host.app.communications.outbox.runOnce()
  smtp.reset()

  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/forward`,
    headers: auth('demo-operator'),
    payload: {
      to: ['manutenzione@appaltatore.example.test'],
      cc: 'capoturno@garbage.example.test',
      note: '<p>Per favore <b>intervenite</b> entro domani.</p><script>x()</script>'
    }
  })
  t.equal(res.statusCode, 201, res.body)
  const fwd = res.json()
  t.match(fwd, { direction: 'outbound', to: ['manutenzione@appaltatore.example.test'], cc: ['capoturno@garbage.example.test'], deliveryStatus: 'queued' })
  t.equal(fwd.subject, `I: Cassonetto rotto in via Verdi [OdL #${workOrderId}]`)
  t.equal(fwd.inReplyTo, null, 'a forward starts a new thread with the third party')
  t.notMatch(fwd.html, /script|x\(\)/)
  t.notMatch(fwd.html, /Nota riservata/, 'internal notes are never forwarded')

  await host.app.communications.outbox.runOnce()
  const [mail] = await smtp.waitFor(1)
  const text = String(mail?.parsed.text)
  t.match(text, /Per favore intervenite entro domani\./)
  const blocks = text.split('---------- Messaggio inoltrato ----------')
  t.ok(blocks.length >= 3, 'one header block per forwarded message')
  t.match(
    text,
    /Da: Mario Rossi <mario\.rossi@example\.test>\nData: martedì 10 marzo 2026, 09:15\nA: reclami@garbage\.example\.test\nCc: vicino@example\.test\nOggetto: Cassonetto rotto in via Verdi/
  )
  t.match(text, /Data: mercoledì 11 marzo 2026, 17:40/)
  t.match(text, /ora perde anche liquido/)
  t.same(mail?.parsed.attachments.map((a) => a.filename).sort(), ['cassonetto.jpg', 'segnalazione.pdf'], 'the original attachments travel along')
  const image = mail?.parsed.attachments.find((a) => a.filename === 'cassonetto.jpg')
  // mailparser resolves cid: links to data: URLs, so finding the photo's bytes there proves the link is right
  t.match(
    String(mail?.parsed.html),
    `src="data:image/jpeg;base64,${Buffer.from('jpeg-cassonetto').toString('base64')}"`,
    'the inline image points at its attachment'
  )
  t.match(mail?.raw.toString(), /src=(?:3D)?"cid:trc-att-\d+@trc"/, 'as a cid: link in what was sent')
  t.equal(image?.content.toString(), 'jpeg-cassonetto')

  t.test('only the chosen messages, without attachments', async (t) => {
    const items = await conversation(host, workOrderId)
    const second = items.find((m) => m.direction === 'inbound' && /liquido/.test(String(m.text)))
    const note = items.find((m) => m.channel === 'note')
    const res = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/forward`,
      headers: auth('demo-operator'),
      payload: { to: 'ufficio@example.test', messageIds: [second?.id], includeAttachments: false }
    })
    t.equal(res.statusCode, 201, res.body)
    t.equal(res.json().subject, `I: Cassonetto rotto in via Verdi [OdL #${workOrderId}]`)
    t.equal((res.json().html.match(/Messaggio inoltrato/g) ?? []).length, 1)
    smtp.reset()
    await host.app.communications.outbox.runOnce()
    const [m] = await smtp.waitFor(1)
    t.same(m?.parsed.attachments, [])

    const refused = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/forward`,
      headers: auth('demo-operator'),
      payload: { to: 'ufficio@example.test', messageIds: [note?.id] }
    })
    t.equal(refused.statusCode, 400)
    t.match(refused.json().message, /è una nota interna: le note interne non si inoltrano/)
    const foreign = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/forward`,
      headers: auth('demo-operator'),
      payload: { to: 'ufficio@example.test', messageIds: [999999] }
    })
    t.equal(foreign.statusCode, 400)
    t.match(foreign.json().message, /Il messaggio 999999 non appartiene alla conversazione/)
    const noTo = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/forward`,
      headers: auth('demo-operator'),
      payload: { note: '<p>x</p>' }
    })
    t.equal(noTo.statusCode, 400)
    t.match(noTo.json().message, /Nessun destinatario/)
    const viewer = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${workOrderId}/forward`,
      headers: auth('demo-viewer'),
      payload: { to: 'ufficio@example.test' }
    })
    t.equal(viewer.statusCode, 403)
  })
})

t.test('internal notes are stored, never sent', async (t) => {
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false } })
  t.teardown(() => host.close())
  const workOrderId = await twoMessageWorkOrder(host)
  const outboxBefore = Number((await host.knex('trc_outbox').count({ n: '*' }).first())?.n)
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/notes`,
    headers: auth('demo-operator'),
    payload: { html: '<p>Chiamato il cittadino: <i>richiama lunedì</i>.</p><img src=x onerror=alert(1)>' }
  })
  t.equal(res.statusCode, 201, res.body)
  t.match(res.json(), {
    channel: 'note',
    direction: 'outbound',
    deliveryStatus: null,
    to: [],
    operator: { id: 'demo-operator', name: 'Operatore Demo' },
    meta: { kind: 'note' }
  })
  t.equal(res.json().html, '<p>Chiamato il cittadino: <i>richiama lunedì</i>.</p>')
  t.equal(Number((await host.knex('trc_outbox').count({ n: '*' }).first())?.n), outboxBefore, 'no outbox row')
  t.equal((await conversation(host, workOrderId)).at(-1)?.id, res.json().id, 'the note is on the timeline')
  const audit = await host.knex('trc_audit_log').where({ action: 'note.added', work_order_id: workOrderId })
  t.equal(audit.length, 1)

  const empty = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/notes`,
    headers: auth('demo-operator'),
    payload: { html: '<p>   </p>' }
  })
  t.equal(empty.statusCode, 400)
  t.match(empty.json().message, /Il testo è vuoto/)
  const viewer = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/notes`,
    headers: auth('demo-viewer'),
    payload: { html: '<p>x</p>' }
  })
  t.equal(viewer.statusCode, 403)
})

t.test('state changes go to the host table, the audit log and the timeline', async (t) => {
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false } })
  t.teardown(() => host.close())
  const workOrderId = await twoMessageWorkOrder(host)
  const url = `${API}/work-orders/${workOrderId}/state`

  const res = await host.app.inject({
    method: 'POST',
    url,
    headers: auth('demo-operator'),
    payload: { state: 'in_progress', note: '<p>Assegnato alla squadra 3</p>' }
  })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { changed: true, workOrder: { id: workOrderId, status: 'in_progress', hostStatus: 'IN_LAVORAZIONE' } })
  t.match(res.json().message, { channel: 'note', meta: { kind: 'state', from: 'open', to: 'in_progress' } })
  t.match(res.json().message.html, /Stato cambiato da <strong>Aperto<\/strong> a <strong>In lavorazione<\/strong>\.<\/p><p>Assegnato alla squadra 3<\/p>/)
  t.equal((await host.knex('ordini_lavoro').first('stato').where('id_odl', workOrderId)).stato, 'IN_LAVORAZIONE')
  const audit = await host.knex('trc_audit_log').where({ action: 'workOrder.state', work_order_id: workOrderId })
  t.equal(audit.length, 1)
  t.match(JSON.parse(audit[0].details_json), { from: 'open', to: 'in_progress', hostFrom: 'APERTO' })
  t.equal(audit[0].actor_id, 'demo-operator')

  const again = await host.app.inject({ method: 'POST', url, headers: auth('demo-operator'), payload: { state: 'in_progress' } })
  t.match(again.json(), { changed: false, message: null }, 'the same state again changes nothing')

  const closed = await host.app.inject({ method: 'POST', url, headers: auth('demo-operator'), payload: { state: 'closed' } })
  t.equal(closed.json().workOrder.hostStatus, 'CHIUSO')

  const bad = await host.app.inject({ method: 'POST', url, headers: auth('demo-operator'), payload: { state: 'archiviato' } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /Stato "archiviato" non valido/)
  const viewer = await host.app.inject({ method: 'POST', url, headers: auth('demo-viewer'), payload: { state: 'open' } })
  t.equal(viewer.statusCode, 403)
  const missing = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/99999999/state`,
    headers: auth('demo-operator'),
    payload: { state: 'open' }
  })
  t.equal(missing.statusCode, 404)
})

t.test('a state the host mapping lacks is refused with 400, nothing changed', async (t) => {
  const statuses = { open: 'APERTO', in_progress: 'IN_LAVORAZIONE', closed: 'CHIUSO' }
  const host = await startTestHost({ mail: { startWorkers: false }, mapping: { ...HOST_MAPPING, workOrders: { ...HOST_MAPPING.workOrders, statuses } } })
  t.teardown(() => host.close())
  const wo = await host.knex('ordini_lavoro').first('id_odl', 'stato').orderBy('id_odl')
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${wo.id_odl}/state`,
    headers: auth('demo-operator'),
    payload: { state: 'waiting' }
  })
  t.equal(res.statusCode, 400)
  t.match(res.json().message, /Lo stato "waiting" non è configurato per questo gestionale/)
  t.equal((await host.knex('ordini_lavoro').first('stato').where('id_odl', wo.id_odl)).stato, wo.stato)
  t.equal((await host.knex('trc_audit_log').where({ action: 'workOrder.state' })).length, 0)
})
