// Templates and signatures through the API: who keeps which, what is refused at save time, the preview for a work
// order (the seeded ARERA reasoned reply), and that replies and forwards carry signatures and never `{{…}}`.
import t from 'tap'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { internalsOf } from '../../src/internals.js'

const API = '/api/communications'
const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'

async function openWorkOrder(host: TestHost, mailboxId: number | null = null) {
  const raw = await buildMail({
    from: 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject: 'Reclamo: bidone <rotto>',
    messageId: `<c.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test>`,
    text: 'Il bidone è rotto.'
  })
  const result = await host.app.communications.mail.ingest(raw, { receivedAt: new Date('2026-03-02T09:00:00Z'), mailboxId })
  return result.workOrderId as number
}

t.test('templates and signatures', async (t) => {
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false } })
  t.teardown(() => host.close())
  const api = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    token: 'demo-admin' | 'demo-operator' | 'demo-viewer' = 'demo-operator',
    lang = 'it'
  ) => host.app.inject({ method, url: `${API}${url}`, payload: payload as object, headers: { ...auth(token), 'accept-language': lang } })

  t.test('the ARERA reasoned reply is a seeded shared template in both languages', async (t) => {
    const list = (await api('GET', '/templates?lang=it')).json().items as Array<{
      name: string
      systemKey: string
      reasonedReply: boolean
      scope: string
      fields: Array<{ name: string; required: boolean }>
    }>
    const seeded = list.filter((x) => x.systemKey === 'arera_reasoned_reply')
    t.same(
      seeded.map((x) => [x.name, x.scope, x.reasonedReply]),
      [['Risposta motivata ARERA', 'shared', true]]
    )
    t.same(
      seeded[0]?.fields.map((f) => [f.name, f.required]),
      [
        ['esito', true],
        ['motivazione', true],
        ['riferimenti', false],
        ['azioni', true]
      ]
    )
    const en = (await api('GET', '/templates?lang=en')).json().items as Array<{ name: string; systemKey: string }>
    t.same(
      en.filter((x) => x.systemKey === 'arera_reasoned_reply').map((x) => x.name),
      ['ARERA reasoned reply']
    )
  })

  t.test('rendering for a work order: values escaped, required fields reported until filled', async (t) => {
    const workOrderId = await openWorkOrder(host)
    const ref = (await api('GET', `/work-orders/${workOrderId}`)).json().reference as string
    const id = ((await api('GET', '/templates?lang=it')).json().items as Array<{ id: number; systemKey: string }>).find(
      (x) => x.systemKey === 'arera_reasoned_reply'
    )?.id
    const empty = await api('POST', `/templates/${id}/render`, { workOrderId })
    t.equal(empty.statusCode, 200)
    const body = empty.json()
    t.same(
      body.missing.map((f: { name: string }) => f.name),
      ['esito', 'motivazione', 'azioni']
    )
    t.equal(body.reasonedReply, true)
    t.match(body.html, '<p>Gentile Rossi Mario,</p>')
    t.match(body.html, `rif. ${ref}</strong> (Reclamo scritto)`)
    t.match(body.html, 'pervenuta il 2 marzo 2026 tramite Email, avente oggetto «Reclamo: bidone &lt;rotto&gt;»')
    t.match(body.html, 'risulta {{campo.esito}} per i seguenti motivi: {{campo.motivazione}}')
    t.match(body.html, '<p>Riferimenti: </p>', 'an optional field left empty is empty')
    t.match(body.html, 'Operatore Demo (operatore@garbage.example.test)')
    t.match(body.html, '<p>Nessun documento allegato.</p>')
    const filled = (
      await api('POST', `/templates/${id}/render`, {
        workOrderId,
        fields: { esito: 'fondata', motivazione: 'il bidone <era> rotto', azioni: 'sostituzione\nentro 5 giorni' },
        attachmentNames: ['verbale.pdf']
      })
    ).json()
    t.same(filled.missing, [])
    t.match(filled.html, 'risulta fondata per i seguenti motivi: il bidone &lt;era&gt; rotto')
    t.match(filled.html, '<p>sostituzione<br>entro 5 giorni</p>')
    t.match(filled.html, '<ul><li>verbale.pdf</li></ul>')
    t.same((await api('POST', `/templates/${id}/render`, { workOrderId: 987654 })).json().message, 'Ordine di lavoro 987654 non trovato.')
  })

  t.test('an operator keeps personal templates; shared ones need an administrator', async (t) => {
    const body = {
      scope: 'personal',
      name: 'Ritiro riprogrammato',
      lang: 'it',
      html: '<p>Gentile {{contribuente.nome}}, il ritiro è il {{campo.data}}.</p>',
      fields: [{ name: 'data', label: 'Data del ritiro', required: true }]
    }
    const created = await api('POST', '/templates', body)
    t.equal(created.statusCode, 201)
    const mine = created.json()
    t.equal(mine.ownerId, 'demo-operator')
    t.equal(mine.updatedBy, 'Operatore Demo')
    const seenByAdmin = (await api('GET', '/templates', undefined, 'demo-admin')).json().items.map((x: { id: number }) => x.id)
    t.notOk(seenByAdmin.includes(mine.id), "a personal template is its owner's only")
    t.equal((await api('GET', `/templates/${mine.id}`, undefined, 'demo-admin')).statusCode, 404)
    const shared = await api('POST', '/templates', { ...body, scope: 'shared' })
    t.equal(shared.statusCode, 403)
    t.equal(shared.json().message, 'Non hai il permesso di eseguire questa operazione (admin).')
    t.equal((await api('POST', '/templates', { ...body, scope: 'shared' }, 'demo-viewer')).statusCode, 403)
    const admin = await api('POST', '/templates', { ...body, scope: 'shared', name: 'Condiviso' }, 'demo-admin')
    t.equal(admin.statusCode, 201)
    t.equal(
      (await api('PUT', `/templates/${admin.json().id}`, { ...body, scope: 'shared', name: 'Cambiato' })).statusCode,
      403,
      'an operator cannot change a shared one'
    )
    const renamed = await api('PUT', `/templates/${mine.id}`, { ...body, name: 'Ritiro spostato' })
    t.equal(renamed.json().name, 'Ritiro spostato')
    t.equal((await api('DELETE', `/templates/${mine.id}`)).statusCode, 204)
    t.equal((await api('GET', `/templates/${mine.id}`)).statusCode, 404)
    const audit = await host
      .knex('trc_audit_log')
      .whereIn('action', ['template.created', 'template.updated', 'template.deleted'])
      .where('actor_id', 'demo-operator')
      .orderBy('id')
    t.same(
      audit.map((a: { action: string }) => a.action),
      ['template.created', 'template.updated', 'template.deleted']
    )
  })

  t.test("an unknown placeholder or an undeclared field is a 400 at save time, in the caller's language", async (t) => {
    const before = Number((await host.knex('trc_templates').count({ n: '*' }).first())?.n)
    const unknown = await api('POST', '/templates', { scope: 'personal', name: 'X', lang: 'it', html: '<p>{{contribuente.cognome}} {{campo.data}}</p>' })
    t.equal(unknown.statusCode, 400)
    t.equal(unknown.json().error, 'templateUnknownPlaceholder')
    t.match(unknown.json().message, /^Il modello contiene segnaposto sconosciuti: \{\{contribuente\.cognome\}\}, \{\{campo\.data\}\}\./)
    const en = await api('POST', '/templates', { scope: 'personal', name: 'X', lang: 'it', html: '<p>{{oops</p>' }, 'demo-operator', 'en')
    t.equal(en.statusCode, 400)
    t.equal(en.json().message, 'Invalid template: parentesi graffe doppie non chiuse ("{{" senza "}}" o viceversa).')
    const schema = await api('POST', '/templates', { scope: 'team', name: 'X', lang: 'it', html: '<p>x</p>' })
    t.equal(schema.statusCode, 400)
    t.match(schema.json().message, /^Richiesta non valida: il campo "scope" deve valere uno tra: shared/)
    t.equal(Number((await host.knex('trc_templates').count({ n: '*' }).first())?.n), before, 'nothing stored')
  })

  t.test('the placeholder list says what each stands for', async (t) => {
    const items = (await api('GET', '/templates/placeholders?lang=en')).json().items as Array<{ name: string; description: string; signature: boolean }>
    t.same(
      items.find((p) => p.name === 'scadenza'),
      { name: 'scadenza', description: 'ARERA reply deadline', signature: false }
    )
    t.same(
      items.find((p) => p.name === 'operatore.nome'),
      { name: 'operatore.nome', description: 'Name of the operator writing', signature: true }
    )
  })

  t.test('a reply or forward still containing {{…}} is refused and stores nothing', async (t) => {
    const workOrderId = await openWorkOrder(host)
    const before = (await host.knex('trc_messages').where('work_order_id', workOrderId)).length
    const reply = await api('POST', `/work-orders/${workOrderId}/reply`, { html: '<p>Esito: {{campo.esito}}</p>' })
    t.equal(reply.statusCode, 400)
    t.equal(reply.json().message, 'Il testo contiene ancora segnaposto da compilare: {{campo.esito}}. Completali o eliminali prima di inviare.')
    const forward = await api(
      'POST',
      `/work-orders/${workOrderId}/forward`,
      { to: 'ufficio@example.test', note: '<p>Vedi {{riferimento}}</p>' },
      'demo-operator',
      'en'
    )
    t.equal(forward.statusCode, 400)
    t.equal(forward.json().message, 'The text still contains placeholders to fill in: {{riferimento}}. Complete or remove them before sending.')
    t.equal((await host.knex('trc_messages').where('work_order_id', workOrderId)).length, before)
  })

  t.test("signatures: the operator's then the mailbox's, on replies and forwards; left out on request", async (t) => {
    const mailboxId = await internalsOf(host.app.communications).repositories.mailboxes.insert({
      name: 'Reclami',
      host: '127.0.0.1',
      port: 1,
      secure: false,
      username: `sig${Date.now()}`,
      passwordEncrypted: 'x',
      folder: 'INBOX',
      fromAddress: 'reclami@garbage.example.test',
      fromName: 'Ufficio Reclami',
      enabled: false,
      moveToFolder: null,
      maxMessageBytes: null,
      source: 'api'
    })
    const workOrderId = await openWorkOrder(host, mailboxId)
    t.equal(
      (await api('PUT', `/mailboxes/${mailboxId}/signature`, { html: '<p>{{casella.nome}} – {{ente.nome}}</p>' })).statusCode,
      403,
      'mailbox signatures are for administrators'
    )
    const bad = await api('PUT', '/signatures/me', { html: '<p>{{scadenza}}</p>' })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().error, 'templateUnknownPlaceholder')
    t.equal((await api('PUT', `/mailboxes/${mailboxId}/signature`, { html: '<p>{{casella.nome}} – {{casella.indirizzo}}</p>' }, 'demo-admin')).statusCode, 200)
    const own = await api('PUT', '/signatures/me', { html: '<p>{{operatore.nome}}<br>Servizio clienti</p><script>x</script>' })
    t.equal(own.json().signature.html, '<p>{{operatore.nome}}<br />Servizio clienti</p>')
    t.equal((await api('GET', `/mailboxes/${mailboxId}/signature`)).json().signature.html, '<p>{{casella.nome}} – {{casella.indirizzo}}</p>')

    const sent = await api('POST', `/work-orders/${workOrderId}/reply`, { html: '<p>Risolto.</p>' })
    t.equal(sent.statusCode, 201)
    t.equal(
      sent.json().html,
      '<p>Risolto.</p>\n<div><p>Operatore Demo<br />Servizio clienti</p></div>\n<div><p>Ufficio Reclami – reclami@garbage.example.test</p></div>'
    )
    const payload = JSON.parse((await host.knex('trc_outbox').where('message_id', sent.json().id).first()).payload_json)
    t.match(payload.text, /Risolto\.\s+Operatore Demo\s+Servizio clienti\s+Ufficio Reclami – reclami@garbage\.example\.test/)
    const plain = await api('POST', `/work-orders/${workOrderId}/reply`, { html: '<p>Senza firma.</p>', signature: false })
    t.equal(plain.json().html, '<p>Senza firma.</p>')
    const forward = await api('POST', `/work-orders/${workOrderId}/forward`, { to: 'ufficio@example.test', note: '<p>Per competenza.</p>' })
    t.match(
      forward.json().html,
      /^<p>Per competenza\.<\/p>\n<div><p>Operatore Demo<br \/>Servizio clienti<\/p><\/div>\n<div><p>Ufficio Reclami – reclami@garbage\.example\.test<\/p><\/div>\n<br>\n<p>---------- Messaggio inoltrato/
    )
    t.same((await api('DELETE', '/signatures/me')).json(), { signature: null })
    t.same((await api('GET', '/signatures/me')).json(), { signature: null })
  })
})
