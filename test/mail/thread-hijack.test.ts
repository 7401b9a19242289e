// A stranger who knows a Message-ID of a citizen's conversation (a Cc of the citizen's mail, a forward of our answer)
// must neither join that conversation through a stored Message-ID nor become the person our reply goes to by
// default. Real database, real ingest pipeline, real SMTP sink for what was actually sent.
import t, { type Test } from 'tap'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { startSmtpServer } from '../helpers/smtp.js'

const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const TO = 'reclami@garbage.example.test'
const API = '/api/communications'
const STRANGER = 'vicino.di.casa@elsewhere.test'

interface Item {
  id: number
  direction: string
  from: string | null
  to: string[]
  messageId: string
  meta: Record<string, unknown>
}

async function conversation(host: TestHost, workOrderId: number): Promise<Item[]> {
  const res = await host.app.inject({ url: `${API}/work-orders/${workOrderId}/messages`, headers: auth('demo-viewer') })
  return res.json().items as Item[]
}

async function relations(host: TestHost, workOrderId: number) {
  const res = await host.app.inject({ url: `${API}/work-orders/${workOrderId}/relations`, headers: auth('demo-viewer') })
  const body = res.json() as { links: Array<{ workOrderId: number }>; possiblyRelated: Array<{ workOrderId: number }> }
  return { links: body.links.map((l) => l.workOrderId), possiblyRelated: body.possiblyRelated.map((l) => l.workOrderId) }
}

/** Mario Rossi (registered with mario.rossi@example.test and the PEC mario.rossi@pec.example.test) opens a work order. */
async function marioWrites(t: Test, host: TestHost) {
  const messageId = `<mario.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test>`
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: TO,
    cc: STRANGER,
    subject: 'Vetro non raccolto in via Roma',
    messageId,
    text: 'Il vetro non viene raccolto da due settimane.'
  })
  const result = await host.app.communications.mail.ingest(raw, { receivedAt: new Date('2026-03-02T09:00:00Z') })
  t.equal(result.outcome, 'created')
  const workOrderId = result.workOrderId as number
  const confirmation = (await conversation(host, workOrderId)).find((m) => m.direction === 'outbound')
  return { workOrderId, messageId, confirmationId: `<${String(confirmation?.messageId)}>` }
}

const strangerMail = (headers: { inReplyTo?: string; references?: string[] }, text = 'Anche sotto casa mia il vetro è ancora lì.') =>
  buildMail({
    from: `Vicino <${STRANGER}>`,
    to: TO,
    subject: 'Re: Vetro non raccolto in via Roma',
    messageId: `<vicino.${Date.now()}.${Math.random()}@elsewhere.test>`,
    text,
    ...headers
  })

async function strangerGetsOwnWorkOrder(t: Test, host: TestHost, headers: { inReplyTo?: string; references?: string[] }, original: number) {
  const before = await conversation(host, original)
  const result = await host.app.communications.mail.ingest(await strangerMail(headers))
  t.equal(result.outcome, 'created', 'a new work order, not a thread')
  t.not(result.workOrderId, original)
  const own = result.workOrderId as number
  t.same(await conversation(host, original), before, 'the original conversation is unchanged')
  const wo = await host.knex('ordini_lavoro').first('id_contribuente').where('id_odl', own)
  t.equal(Number(wo.id_contribuente), host.genericContributorId, 'the stranger is nobody we know')
  const items = await conversation(host, own)
  t.same(
    items.map((m) => [m.direction, m.from, m.to]),
    [
      ['inbound', STRANGER, [TO]],
      ['outbound', MAIL_FROM, [STRANGER]]
    ],
    'their mail and their own confirmation'
  )
  t.equal(items[0]?.meta.possiblyRelatedTo, original)
  t.equal(items[0]?.meta.threadedVia, undefined)
  t.same(await relations(host, own), { links: [], possiblyRelated: [original] })
  t.same(await relations(host, original), { links: [], possiblyRelated: [own] })
  const audit = await host.knex('trc_audit_log').select('work_order_id', 'actor_type').where('action', 'workOrder.possiblyRelated').orderBy('id')
  t.same(
    audit.map((a) => [Number(a.work_order_id), a.actor_type]),
    [
      [own, 'system'],
      [original, 'system']
    ]
  )
  return own
}

async function contributorThreads(t: Test, host: TestHost, from: string, headers: { inReplyTo?: string; references?: string[] }, workOrderId: number) {
  const raw = await buildMail({
    from,
    to: TO,
    subject: 'Re: Vetro non raccolto',
    messageId: `<again.${Date.now()}.${Math.random()}@example.test>`,
    text: 'Sollecito: ancora nulla.',
    ...headers
  })
  const result = await host.app.communications.mail.ingest(raw)
  t.equal(result.outcome, 'threaded', from)
  t.equal(result.workOrderId, workOrderId)
  const last = (await conversation(host, workOrderId)).find((m) => m.id === result.messageId)
  t.equal(last?.meta.threadedVia, 'references')
}

t.test('a stranger quoting a stored inbound Message-ID in References opens their own work order, linked as possibly related', async (t) => {
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false } })
  t.teardown(() => host.close())
  const { workOrderId, messageId } = await marioWrites(t, host)
  const own = await strangerGetsOwnWorkOrder(t, host, { references: [messageId] }, workOrderId)

  // an operator confirms the suggestion by linking the pair, or dismisses it by removing the link
  const linked = await host.app.inject({ method: 'POST', url: `${API}/work-orders/${own}/links`, headers: auth('demo-operator'), payload: { workOrderId } })
  t.equal(linked.statusCode, 200, linked.body)
  t.same(await relations(host, own), { links: [workOrderId], possiblyRelated: [] })
  const removed = await host.app.inject({ method: 'DELETE', url: `${API}/work-orders/${own}/links/${workOrderId}`, headers: auth('demo-operator') })
  t.equal(removed.statusCode, 200, removed.body)
  t.same(await relations(host, own), { links: [], possiblyRelated: [] })
})

t.test('the contributor, from the same or another registered address, threads with the same References', async (t) => {
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false } })
  t.teardown(() => host.close())
  const { workOrderId, messageId } = await marioWrites(t, host)
  await contributorThreads(t, host, 'mario.rossi@example.test', { references: [messageId] }, workOrderId)
  await contributorThreads(t, host, 'Mario Rossi <Mario.Rossi@PEC.example.test>', { references: [messageId] }, workOrderId)
  t.same(await relations(host, workOrderId), { links: [], possiblyRelated: [] })

  // an address the operator wrote to is in the conversation too
  const reply = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/reply`,
    headers: auth('demo-operator'),
    payload: { html: '<p>Ci scriva il suo amministratore.</p>', to: STRANGER }
  })
  t.equal(reply.statusCode, 201, reply.body)
  t.same(reply.json().to, [STRANGER])
  const invited = await host.app.communications.mail.ingest(await strangerMail({ references: [messageId] }, "Sono l'amministratore del condominio."))
  t.equal(invited.outcome, 'threaded')
  t.equal(invited.workOrderId, workOrderId)
})

t.test('after a stranger threads through our signed Message-ID, a reply without `to` goes to the citizen', async (t) => {
  const smtp = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url } } })
  t.teardown(() => host.close())
  const { workOrderId, messageId, confirmationId } = await marioWrites(t, host)
  await host.app.communications.outbox.runOnce() // the confirmation
  smtp.reset()

  // the citizen forwarded our confirmation to a neighbour, who answers it: evidence about this work order
  const threaded = await host.app.communications.mail.ingest(await strangerMail({ inReplyTo: confirmationId, references: [messageId, confirmationId] }))
  t.equal(threaded.outcome, 'threaded')
  t.equal(threaded.workOrderId, workOrderId)
  t.equal((await conversation(host, workOrderId)).find((m) => m.id === threaded.messageId)?.meta.threadedVia, 'token')

  const view = await host.app.inject({ url: `${API}/work-orders/${workOrderId}`, headers: auth('demo-viewer') })
  t.equal(view.json().replyRecipient, 'mario.rossi@example.test', 'what the compose form shows as the default')
  const res = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/reply`,
    headers: auth('demo-operator'),
    payload: { html: '<p>Il ritiro è programmato per giovedì.</p>' }
  })
  t.equal(res.statusCode, 201, res.body)
  t.same(res.json().to, ['mario.rossi@example.test'])
  t.equal(res.json().inReplyTo, messageId.replace(/[<>]/g, ''), "it answers the citizen's mail, not the stranger's")
  t.equal((await host.app.communications.outbox.runOnce()).sent, 1)
  const [mail] = await smtp.waitFor(1)
  t.same(mail?.envelope.to, ['mario.rossi@example.test'], 'RCPT TO is the citizen only')

  // a public note's notification follows the same rule
  const note = await host.app.inject({
    method: 'POST',
    url: `${API}/work-orders/${workOrderId}/public-notes`,
    headers: auth('demo-operator'),
    payload: { text: 'Aggiornamento sulla pratica.', notify: true }
  })
  t.equal(note.statusCode, 201, note.body)
  t.equal(note.json().notification.to, 'mario.rossi@example.test')
})

t.test('In-Reply-To alone: a stranger gets their own work order, the contributor threads', async (t) => {
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false } })
  t.teardown(() => host.close())
  const { workOrderId, messageId } = await marioWrites(t, host)
  await strangerGetsOwnWorkOrder(t, host, { inReplyTo: messageId }, workOrderId)
  await contributorThreads(t, host, 'mario.rossi@pec.example.test', { inReplyTo: messageId }, workOrderId)
})
