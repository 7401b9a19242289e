// Merge two work orders and undo it: what moves, the pointer on the merged one, the earliest-receipt rule for the
// ARERA clock, and that undo leaves both conversations, host rows and clocks exactly as they were. Links too.
import t from 'tap'
import { createOutboundMessageId, subjectReference } from '../../src/mail/threading-token.js'
import { auth, startTestHost, TEST_SECRET, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'

const API = '/api/communications'

async function openWorkOrder(host: TestHost, subject: string, receivedAt: string, file: string) {
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject,
    messageId: `<m.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test>`,
    text: `${subject}: il bidone non è stato svuotato.`,
    attachments: [{ filename: file, content: Buffer.from(`bytes of ${file}`), contentType: 'application/pdf' }]
  })
  return (await host.app.communications.mail.ingest(raw, { receivedAt: new Date(receivedAt) })).workOrderId as number
}

async function snapshot(host: TestHost, id: number) {
  const conversation = (await host.app.inject({ url: `${API}/work-orders/${id}/messages`, headers: auth('demo-viewer') })).json()
  const hostRow = await host.knex('ordini_lavoro').first('*').where('id_odl', id)
  const { updated_at: _u, ...meta } = await host.knex('trc_work_order_meta').first('*').where('work_order_id', id)
  const audit = (
    await host
      .knex('trc_audit_log')
      .select('id')
      .where('work_order_id', id)
      .whereNotIn('action', ['workOrder.merged', 'workOrder.mergedInto', 'workOrder.unmerged'])
      .orderBy('id')
  ).map((r: { id: number }) => Number(r.id))
  const view = (await host.app.inject({ url: `${API}/work-orders/${id}`, headers: auth('demo-viewer') })).json()
  return { conversation, hostRow, meta, audit, dueDate: view.dueDate, receivedAt: view.receivedAt }
}

t.test('merge and undo', async (t) => {
  const host = await startTestHost()
  t.teardown(() => host.close())
  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, token: 'demo-operator' | 'demo-viewer' = 'demo-operator', lang = 'it') =>
    host.app.inject({ method, url: `${API}${url}`, payload: payload as object, headers: { ...auth(token), 'accept-language': lang } })

  t.test('messages, attachments and audit move; the merged one is closed with a pointer; undo restores both exactly', async (t) => {
    const first = await openWorkOrder(host, 'Bidone non svuotato', '2026-03-02T09:00:00Z', 'prima.pdf')
    const second = await openWorkOrder(host, 'Ancora il bidone', '2026-03-05T09:00:00Z', 'seconda.pdf')
    await host.knex('ordini_lavoro').where('id_odl', first).update({ stato: 'IN_LAVORAZIONE' })
    const before = { first: await snapshot(host, first), second: await snapshot(host, second) }
    t.equal(before.first.conversation.items.length, 1)
    t.equal(before.second.receivedAt, '2026-03-05T09:00:00.000Z')

    const merged = await api('POST', `/work-orders/${first}/merge`, { into: second })
    t.equal(merged.statusCode, 200)
    const body = merged.json()
    t.same(
      body.movedMessageIds,
      before.first.conversation.items.map((m: { id: number }) => m.id)
    )
    t.same(body.movedAuditIds, before.first.audit)
    t.equal(body.receivedAt, '2026-03-02T09:00:00.000Z', 'the clock follows the earliest receipt')
    t.equal(before.second.dueDate, '2026-04-17')
    t.equal(body.dueDate, '2026-04-14', "the target's standard counted from the earlier receipt (30 working days, Easter Monday excluded)")

    const target = (await api('GET', `/work-orders/${second}/messages`)).json().items as Array<{ id: number; attachments: Array<{ filename: string }> }>
    t.same(
      target
        .map((m) => m.attachments.map((a) => a.filename))
        .flat()
        .sort(),
      ['prima.pdf', 'seconda.pdf']
    )
    t.same((await api('GET', `/work-orders/${first}/messages`)).json().items, [])
    t.equal((await host.knex('ordini_lavoro').first('stato').where('id_odl', first)).stato, 'CHIUSO')
    const view = (await api('GET', `/work-orders/${second}`)).json()
    t.equal(view.receivedAt, '2026-03-02T09:00:00.000Z')
    t.equal(view.dueDate, '2026-04-14')
    const pointer = (await api('GET', `/work-orders/${first}/relations`)).json()
    t.equal(pointer.mergedInto.workOrderId, second)
    t.equal(Number((await host.knex('trc_work_order_meta').first('merged_into_work_order_id').where('work_order_id', first)).merged_into_work_order_id), second)
    t.same(
      (await api('GET', `/work-orders/${second}/relations`)).json().mergedFrom.map((r: { workOrderId: number }) => r.workOrderId),
      [first]
    )
    const deadlines = (await api('GET', '/deadlines')).json()
    const listed = (deadlines.items ?? deadlines).map((d: { workOrderId: number }) => d.workOrderId)
    t.notOk(listed.includes(first), 'the merged request has no clock of its own')
    const register = (await api('GET', '/register?from=2026-03-01&to=2026-03-31')).json().items.map((r: { workOrderId: number }) => r.workOrderId)
    t.ok(register.includes(second) && !register.includes(first), 'the register counts the merged request once')

    const again = await api('POST', `/work-orders/${first}/merge`, { into: second })
    t.equal(again.statusCode, 409)
    t.equal(again.json().message, `L'ordine di lavoro ${first} è già unito all'ordine ${second}: annulla prima quell'unione.`)

    const undone = await api('POST', `/work-orders/${first}/unmerge`)
    t.equal(undone.statusCode, 200)
    t.same(undone.json(), { sourceWorkOrderId: first, targetWorkOrderId: second, restoredMessageIds: body.movedMessageIds })
    const after = { first: await snapshot(host, first), second: await snapshot(host, second) }
    t.same(after, before, 'both conversations, host rows, metadata, audit and clocks as before')
    t.equal(after.first.hostRow.stato, 'IN_LAVORAZIONE', 'the exact host status is back')
    const actions = (
      await host
        .knex('trc_audit_log')
        .select('action')
        .where('work_order_id', second)
        .whereIn('action', ['workOrder.merged', 'workOrder.unmerged'])
        .orderBy('id')
    ).map((r: { action: string }) => r.action)
    t.same(actions, ['workOrder.merged', 'workOrder.unmerged'], 'the merge and its undo are audited')

    const nothing = await api('POST', `/work-orders/${first}/unmerge`, undefined, 'demo-operator', 'en')
    t.equal(nothing.statusCode, 409)
    t.equal(nothing.json().message, `Work order ${first} is not merged into another: there is nothing to undo.`)
  })

  t.test('mail naming the merged work order (our Message-ID, or its subject reference) joins the one it was merged into', async (t) => {
    const first = await openWorkOrder(host, 'Sacchi non ritirati', '2026-03-02T09:00:00Z', 'a.pdf')
    const second = await openWorkOrder(host, 'Sacchi ancora lì', '2026-03-03T09:00:00Z', 'b.pdf')
    const third = await openWorkOrder(host, 'Sacchi, terza volta', '2026-03-04T09:00:00Z', 'c.pdf')
    t.equal((await api('POST', `/work-orders/${first}/merge`, { into: second })).statusCode, 200)
    t.equal((await api('POST', `/work-orders/${second}/merge`, { into: third })).statusCode, 200)
    const ingest = async (extra: { subject: string; inReplyTo?: string }) =>
      host.app.communications.mail.ingest(
        await buildMail({
          from: 'Mario Rossi <mario.rossi@example.test>',
          to: 'reclami@garbage.example.test',
          messageId: `<r.${Math.random().toString(36).slice(2)}@example.test>`,
          text: 'Nessuna novità.',
          ...extra
        }),
        { receivedAt: new Date('2026-03-06T09:00:00Z') }
      )
    const byToken = await ingest({
      subject: 'Re: Sacchi non ritirati',
      inReplyTo: createOutboundMessageId({ workOrderId: first, messageId: 1, domain: 'garbage.example.test', secret: TEST_SECRET })
    })
    t.match(byToken, { outcome: 'threaded', workOrderId: third }, 'our signed id for the first work order leads to the last one it was merged into')
    const bySubject = await ingest({ subject: `Re: ${subjectReference(first)} Sacchi non ritirati` })
    t.match(bySubject, { outcome: 'threaded', workOrderId: third }, 'so does the subject reference')
    t.same((await api('GET', `/work-orders/${first}/messages`)).json().items, [], 'nothing lands in the closed one')
  })

  t.test('refused merges store nothing', async (t) => {
    const a = await openWorkOrder(host, 'Richiesta A', '2026-03-02T09:00:00Z', 'a.pdf')
    const self = await api('POST', `/work-orders/${a}/merge`, { into: a })
    t.equal(self.statusCode, 400)
    t.equal(self.json().message, 'Un ordine di lavoro non si può unire a se stesso.')
    const missing = await api('POST', `/work-orders/${a}/merge`, { into: 987654 })
    t.equal(missing.statusCode, 404)
    t.equal(missing.json().message, 'Ordine di lavoro 987654 non trovato.')
    t.equal((await api('POST', `/work-orders/${a}/merge`, { into: 1 }, 'demo-viewer')).statusCode, 403)
    t.equal((await api('POST', `/work-orders/${a}/merge`, {})).statusCode, 400)
    t.equal((await host.knex('trc_merges').where('source_work_order_id', a)).length, 0)
    t.equal((await api('GET', `/work-orders/${a}/messages`)).json().items.length, 1)
  })

  t.test('links are shown on both work orders and removed from either', async (t) => {
    const a = await openWorkOrder(host, 'Richiesta collegata A', '2026-03-02T09:00:00Z', 'a.pdf')
    const b = await openWorkOrder(host, 'Richiesta collegata B', '2026-03-03T09:00:00Z', 'b.pdf')
    const linked = await api('POST', `/work-orders/${b}/links`, { workOrderId: a })
    t.equal(linked.statusCode, 200)
    t.same(
      linked.json().links.map((l: { workOrderId: number; subject: string }) => [l.workOrderId, l.subject]),
      [[a, 'Richiesta collegata A']]
    )
    t.same(
      (await api('GET', `/work-orders/${a}/relations`)).json().links.map((l: { workOrderId: number }) => l.workOrderId),
      [b]
    )
    t.equal((await api('POST', `/work-orders/${a}/links`, { workOrderId: b })).json().links.length, 1, 'linking twice keeps one link')
    t.equal((await api('POST', `/work-orders/${a}/links`, { workOrderId: a })).statusCode, 400)
    t.same((await api('DELETE', `/work-orders/${a}/links/${b}`)).json().links, [])
    t.same((await api('GET', `/work-orders/${b}/relations`)).json().links, [])
  })
})
