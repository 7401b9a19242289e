// Splitting a message out of a conversation into a new work order: the citizen raised a second matter in a
// reply. What moves (the message and its attachments), the link on both, the new request's clock (from the moved
// message's receipt), the audit, and the refusals that store nothing.
import t from 'tap'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'

const API = '/api/communications'

async function conversationWithSecondMatter(host: TestHost) {
  const first = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject: 'Bidone non svuotato',
    messageId: `<s1.${Math.random().toString(36).slice(2)}@example.test>`,
    text: 'Il bidone non è stato svuotato.'
  })
  const opened = await host.app.communications.mail.ingest(first, { receivedAt: new Date('2026-03-02T09:00:00Z') })
  const firstId = /^Message-ID: (.*)$/im.exec(first.toString())?.[1]?.trim() ?? ''
  const reply = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject: 'Re: Bidone non svuotato',
    inReplyTo: firstId,
    messageId: `<s2.${Math.random().toString(36).slice(2)}@example.test>`,
    text: 'Inoltre chiedo la rettifica della bolletta TARI di febbraio: mi avete addebitato due volte la stessa rata.',
    attachments: [{ filename: 'bolletta.pdf', content: Buffer.from('%PDF-1.4 bolletta'), contentType: 'application/pdf' }]
  })
  const threaded = await host.app.communications.mail.ingest(reply, { receivedAt: new Date('2026-03-09T10:30:00Z') })
  return { workOrderId: opened.workOrderId as number, firstMessageId: opened.messageId as number, replyMessageId: threaded.messageId as number, threaded }
}

t.test('split', async (t) => {
  const host = await startTestHost()
  t.teardown(() => host.close())
  const api = (method: 'GET' | 'POST', url: string, payload?: unknown, token: 'demo-operator' | 'demo-viewer' = 'demo-operator', lang = 'it') =>
    host.app.inject({ method, url: `${API}${url}`, payload: payload as object, headers: { ...auth(token), 'accept-language': lang } })

  t.test('the message and its attachment move to a new linked work order whose clock counts from that message', async (t) => {
    const c = await conversationWithSecondMatter(host)
    t.match(c.threaded, { outcome: 'threaded', workOrderId: c.workOrderId })
    const res = await api('POST', `/work-orders/${c.workOrderId}/split`, { messageIds: [c.replyMessageId] })
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.equal(body.sourceWorkOrderId, c.workOrderId)
    t.same(body.movedMessageIds, [c.replyMessageId])
    t.equal(body.receivedAt, '2026-03-09T10:30:00.000Z')
    const created = body.workOrderId as number
    t.not(created, c.workOrderId)

    const moved = (await api('GET', `/work-orders/${created}/messages`)).json().items
    t.same(
      moved.map((m: { id: number; attachments: Array<{ filename: string }> }) => [m.id, m.attachments.map((a) => a.filename)]),
      [[c.replyMessageId, ['bolletta.pdf']]]
    )
    t.same(
      (await api('GET', `/work-orders/${c.workOrderId}/messages`)).json().items.map((m: { id: number }) => m.id),
      [c.firstMessageId],
      'the first request stays'
    )
    const view = (await api('GET', `/work-orders/${created}`)).json()
    t.equal(view.contributorId, (await api('GET', `/work-orders/${c.workOrderId}`)).json().contributorId, 'same contributor')
    t.equal(view.receivedAt, '2026-03-09T10:30:00.000Z')
    t.equal(view.type, 'rettifica_importi', 'the moved text suggests its own request type')
    t.equal(body.dueDate, view.dueDate)
    t.equal(view.dueDate, '2026-06-04', 'a billing correction: 60 working days from 9 March 2026 (Easter Monday, 1 May and 2 June excluded)')
    const host1 = await host.knex('ordini_lavoro').first('oggetto').where('id_odl', created)
    t.equal(host1.oggetto, 'Re: Bidone non svuotato')
    const links = (await api('GET', `/work-orders/${c.workOrderId}/relations`)).json().links.map((l: { workOrderId: number }) => l.workOrderId)
    t.same(links, [created], 'linked on the old one')
    t.same(
      (await api('GET', `/work-orders/${created}/relations`)).json().links.map((l: { workOrderId: number }) => l.workOrderId),
      [c.workOrderId],
      'and on the new one'
    )
    const audit = await host
      .knex('trc_audit_log')
      .select('action', 'work_order_id')
      .whereIn('action', ['workOrder.splitOut', 'workOrder.splitFrom'])
      .orderBy('id')
    t.same(
      audit.map((a: { action: string; work_order_id: number }) => [a.action, Number(a.work_order_id)]),
      [
        ['workOrder.splitOut', c.workOrderId],
        ['workOrder.splitFrom', created]
      ]
    )
  })

  t.test('refusals: Italian and English messages, nothing moves', async (t) => {
    const c = await conversationWithSecondMatter(host)
    const other = await conversationWithSecondMatter(host)
    const count = async () => Number((await host.knex('ordini_lavoro').count({ n: '*' }).first())?.n)
    const before = await count()

    const foreign = await api('POST', `/work-orders/${c.workOrderId}/split`, { messageIds: [c.replyMessageId, other.replyMessageId] })
    t.equal(foreign.statusCode, 409)
    t.equal(foreign.json().message, `Questi messaggi non fanno parte dell'ordine di lavoro ${c.workOrderId}: ${other.replyMessageId}.`)

    const everything = await api('POST', `/work-orders/${c.workOrderId}/split`, { messageIds: [c.firstMessageId, c.replyMessageId] }, 'demo-operator', 'en')
    t.equal(everything.statusCode, 409)
    t.equal(
      everything.json().message,
      `Not every message of work order ${c.workOrderId} can be split out: it would be left empty. To move them all, merge the work orders.`
    )

    const empty = await api('POST', `/work-orders/${c.workOrderId}/split`, { messageIds: [] })
    t.equal(empty.statusCode, 400)
    t.equal((await api('POST', `/work-orders/${c.workOrderId}/split`, { messageIds: [c.replyMessageId] }, 'demo-viewer')).statusCode, 403)
    const missing = await api('POST', '/work-orders/987654/split', { messageIds: [c.replyMessageId] })
    t.equal(missing.statusCode, 404)
    t.equal(missing.json().message, 'Ordine di lavoro 987654 non trovato.')

    t.equal((await api('POST', `/work-orders/${other.workOrderId}/merge`, { into: c.workOrderId })).statusCode, 200)
    const merged = await api('POST', `/work-orders/${other.workOrderId}/split`, { messageIds: [other.replyMessageId] })
    t.equal(merged.statusCode, 409)
    t.equal(merged.json().message, `L'ordine di lavoro ${other.workOrderId} è unito all'ordine ${c.workOrderId}: i messaggi si separano da quest'ultimo.`)

    t.equal(await count(), before, 'no work order was opened')
    t.same(
      (await api('GET', `/work-orders/${c.workOrderId}/messages`)).json().items.map((m: { id: number }) => m.id),
      [c.firstMessageId, c.replyMessageId, other.firstMessageId, other.replyMessageId].sort((a, b) => a - b),
      'the conversation is whole (with what the merge brought)'
    )
  })
})
