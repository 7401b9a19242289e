// Notifications: who follows a work order (whoever answered it, whoever clicked "segui"), what they are told (the
// citizen's reply, a failed delivery, a request due tomorrow) in the app, and the email some of them asked for:
// one mail per operator per pass, each work order at most once a quarter-hour, through a real SMTP server.
import t from 'tap'
import { subjectReference } from '../../src/mail/threading-token.js'
import { DEMO_OPERATORS } from '../../example-host/auth.js'
import type { Operator } from '../../src/types.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { startSmtpServer } from '../helpers/smtp.js'

const API = '/api/communications'
const FROM = 'tari@garbage.example.test'
type Token = 'demo-admin' | 'demo-operator' | 'demo-viewer'

async function openWorkOrder(host: TestHost, subject: string, receivedAt = '2026-03-02T09:00:00Z') {
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject,
    messageId: `<n.${Math.random().toString(36).slice(2)}@example.test>`,
    text: 'Il bidone non è stato svuotato.'
  })
  return (await host.app.communications.mail.ingest(raw, { receivedAt: new Date(receivedAt) })).workOrderId as number
}

/** Mario answers on the work order (the subject reference threads it: he is its contributor). */
async function citizenAnswers(host: TestHost, workOrderId: number, subject: string) {
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject: `Re: ${subjectReference(workOrderId)} ${subject}`,
    messageId: `<a.${Math.random().toString(36).slice(2)}@example.test>`,
    text: 'Ancora nulla.'
  })
  const result = await host.app.communications.mail.ingest(raw, { receivedAt: new Date('2026-03-03T09:00:00Z') })
  t.equal(result.workOrderId, workOrderId, 'the answer joins the work order')
}

const api = (host: TestHost, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: Token, payload?: unknown, lang = 'it') =>
  host.app.inject({ method, url: `${API}${url}`, payload: payload as object, headers: { ...auth(token), 'accept-language': lang } })

const reference = async (host: TestHost, id: number) =>
  (await host.knex('trc_work_order_meta').first('reference').where('work_order_id', id)).reference as string

t.test('whoever answered or follows is told of the citizen’s reply; whoever unfollows is not', async (t) => {
  const host = await startTestHost({ mail: { from: FROM, startWorkers: false } })
  t.teardown(() => host.close())
  const id = await openWorkOrder(host, 'Bidone non svuotato')
  t.equal((await api(host, 'POST', `/work-orders/${id}/reply`, 'demo-operator', { html: '<p>Verifichiamo.</p>' })).statusCode, 201)
  const followed = await api(host, 'POST', `/work-orders/${id}/follow`, 'demo-admin')
  t.equal(followed.statusCode, 200)
  t.same(
    followed.json().followers.map((f: { operatorId: string; operatorName: string; reason: string }) => [f.operatorId, f.operatorName, f.reason]),
    [
      ['demo-operator', 'Operatore Demo', 'replied'],
      ['demo-admin', 'Amministratore Demo', 'followed']
    ]
  )
  t.equal(followed.json().following, true)
  t.equal((await api(host, 'GET', `/work-orders/${id}/followers`, 'demo-viewer')).json().following, false)

  await citizenAnswers(host, id, 'Bidone non svuotato')
  const list = (await api(host, 'GET', '/notifications', 'demo-operator')).json()
  t.equal(list.unread, 1)
  t.same(
    list.items.map((n: Record<string, unknown>) => [n.workOrderId, n.reference, n.kind, n.label, n.detail, n.readAt]),
    [[id, await reference(host, id), 'citizen_reply', 'Il cittadino ha risposto', `Re: [OdL #${id}] Bidone non svuotato`, null]]
  )
  t.equal((await api(host, 'GET', '/notifications', 'demo-admin', undefined, 'en')).json().items[0].label, 'The citizen replied')
  t.same((await api(host, 'GET', '/notifications', 'demo-viewer')).json(), { items: [], unread: 0 }, 'who does not follow is not told')

  const read = await api(host, 'POST', '/notifications/read', 'demo-operator', {})
  t.same(read.json(), { marked: 1, unread: 0 })
  t.same((await api(host, 'GET', '/notifications?unread=true', 'demo-operator')).json(), { items: [], unread: 0 })

  t.equal((await api(host, 'DELETE', `/work-orders/${id}/follow`, 'demo-admin')).json().following, false)
  await citizenAnswers(host, id, 'Bidone non svuotato')
  t.equal((await api(host, 'GET', '/notifications', 'demo-operator')).json().unread, 1, 'the one who answered hears again')
  t.equal((await api(host, 'GET', '/notifications', 'demo-admin')).json().items.length, 1, 'the one who unfollowed does not')
  t.equal((await api(host, 'POST', '/work-orders/987654/follow', 'demo-admin')).statusCode, 404)
})

t.test('a reply that cannot be delivered tells its followers, with the server’s reason', async (t) => {
  const smtp = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: FROM, startWorkers: false, smtp: { url: smtp.url } } })
  t.teardown(() => host.close())
  const id = await openWorkOrder(host, 'Sacchi non ritirati')
  await host.app.communications.outbox.runOnce() // the confirmation
  smtp.failWith(550, '5.1.1 <mario.rossi@example.test>: Recipient address rejected: User unknown', { on: 'RCPT' })
  t.equal((await api(host, 'POST', `/work-orders/${id}/reply`, 'demo-operator', { html: '<p>Ritireremo domani.</p>' })).statusCode, 201)
  await host.app.communications.outbox.runOnce()
  const failed = (await api(host, 'GET', `/work-orders/${id}/messages`, 'demo-viewer'))
    .json()
    .items.findLast((m: { direction: string }) => m.direction === 'outbound')
  t.equal(failed.deliveryStatus, 'failed')
  const [n] = (await api(host, 'GET', '/notifications', 'demo-operator')).json().items
  t.equal(n.kind, 'delivery_failed')
  t.equal(n.label, 'Recapito non riuscito')
  t.equal(n.detail, `mario.rossi@example.test: ${failed.deliveryError}`)
})

t.test('the day before a reply is due, its followers are told once', async (t) => {
  const host = await startTestHost({ mail: { from: FROM, startWorkers: false } })
  t.teardown(() => host.close())
  const id = await openWorkOrder(host, 'Bidone rotto', '2026-03-02T09:00:00Z')
  t.equal((await api(host, 'GET', `/work-orders/${id}`, 'demo-viewer')).json().dueDate, '2026-04-14')
  await api(host, 'POST', `/work-orders/${id}/follow`, 'demo-operator')
  const service = host.app.communications.notifications
  t.same(await service.runOnce(new Date('2026-04-12T20:00:00Z')), { dueTomorrow: 0, emails: 0 }, 'two days before: nothing')
  t.same(await service.runOnce(new Date('2026-04-13T07:00:00Z')), { dueTomorrow: 1, emails: 0 }, 'the day before (Rome)')
  t.same(await service.runOnce(new Date('2026-04-13T15:00:00Z')), { dueTomorrow: 0, emails: 0 }, 'not twice')
  const [n] = (await api(host, 'GET', '/notifications', 'demo-operator')).json().items
  t.same([n.workOrderId, n.kind, n.label, n.detail], [id, 'due_tomorrow', 'Scade domani', '2026-04-14'])
})

t.test('email: one mail per operator per pass, each work order at most once a quarter-hour, only for who asked', async (t) => {
  const smtp = await startSmtpServer({ t })
  const noEmail: Operator = { id: 'senza-email', name: 'Senza Email', email: null, permissions: ['read', 'write'] }
  const host = await startTestHost({
    mail: { from: FROM, startWorkers: false, smtp: { url: smtp.url } },
    authorize: (request) => (request.headers.authorization === 'Bearer no-email' ? noEmail : DEMO_OPERATORS[String(request.headers.authorization).slice(7)])
  })
  t.teardown(() => host.close())
  const missing = await host.app.inject({
    method: 'PUT',
    url: `${API}/notifications/settings`,
    payload: { emailNotifications: true },
    headers: { authorization: 'Bearer no-email' }
  })
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().message, 'Non risulta un indirizzo email per il tuo utente: le notifiche via email non si possono attivare.')

  const on = await api(host, 'PUT', '/notifications/settings', 'demo-operator', { emailNotifications: true })
  t.same(on.json(), { emailNotifications: true, email: 'operatore@garbage.example.test', locale: 'it' })
  const a = await openWorkOrder(host, 'Primo reclamo')
  const b = await openWorkOrder(host, 'Secondo reclamo')
  for (const id of [a, b]) {
    await api(host, 'POST', `/work-orders/${id}/follow`, 'demo-operator')
    await api(host, 'POST', `/work-orders/${id}/follow`, 'demo-admin') // follows, but never asked for email
  }
  await host.app.communications.outbox.runOnce() // the confirmations
  smtp.reset()
  await citizenAnswers(host, a, 'Primo reclamo')
  await citizenAnswers(host, a, 'Primo reclamo')
  await citizenAnswers(host, b, 'Secondo reclamo')

  const service = host.app.communications.notifications
  const t0 = new Date('2026-03-03T10:00:00Z')
  t.same(await service.runOnce(t0), { dueTomorrow: 0, emails: 1 })
  await host.app.communications.outbox.runOnce()
  t.equal(smtp.messages.length, 1)
  const mail = smtp.messages[0]
  t.same(mail?.envelope.to, ['operatore@garbage.example.test'])
  const [refA, refB] = [await reference(host, a), await reference(host, b)]
  t.equal(mail?.parsed.subject, `Ticket Reclami: 2 ordini di lavoro da guardare (${refA}, ${refB})`)
  t.match(mail?.parsed.text, `- ${refA} – Primo reclamo: Il cittadino ha risposto (Re: [OdL #${a}] Primo reclamo · Re: [OdL #${a}] Primo reclamo)`)
  t.match(mail?.parsed.text, `- ${refB} – Secondo reclamo: Il cittadino ha risposto (Re: [OdL #${b}] Secondo reclamo)`)

  smtp.reset()
  await citizenAnswers(host, a, 'Primo reclamo')
  t.same(await service.runOnce(new Date(t0.getTime() + 5 * 60_000)), { dueTomorrow: 0, emails: 0 }, 'work order A was mailed about 5 minutes ago')
  t.same(await service.runOnce(new Date(t0.getTime() + 16 * 60_000)), { dueTomorrow: 0, emails: 1 }, 'after the quarter-hour it goes')
  await host.app.communications.outbox.runOnce()
  t.equal(smtp.messages.length, 1)
  t.equal(smtp.messages[0]?.parsed.subject, `Ticket Reclami: 1 ordine di lavoro da guardare (${refA})`)
  t.equal((await api(host, 'GET', '/notifications', 'demo-admin')).json().unread, 4, 'in the app for the one who did not ask for email')
})
