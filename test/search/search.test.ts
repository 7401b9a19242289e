// Search across every conversation on the real database engine (SQLite FTS5 or PostgreSQL tsvector): messages come
// in through the real ingest path and the operators' reply and note routes; each case writes its own words (a
// marker no other case uses), so every case runs alone and expects exact ids.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { internalsOf } from '../../src/internals.js'
import { parseSearchQuery } from '../../src/domain/search-text.js'
import * as searchMigration from '../../migrations/20261201014501_search.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { isPostgres } from '../helpers/db.js'
import { buildMail } from '../helpers/mail.js'
import { multipartBody } from '../helpers/multipart.js'
import { operatorFromRequest } from '../../example-host/auth.js'

const API = '/api/communications'
const OPERATOR = { id: 'demo-operator', name: 'Operatore Demo', email: null, permissions: ['read', 'write'] as const }

/** A word no other case (and no seeded row) contains: letters only, so every engine keeps it one token. */
const marker = () => 'qz' + [...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')

interface Mail {
  from?: string
  subject: string
  text?: string
  html?: string
  files?: string[]
  inReplyTo?: string
  messageId?: string
  receivedAt?: Date
}

/** Delivers one mail through the ingest pipeline; its stored message id and work order. */
async function deliver(host: TestHost, mail: Mail): Promise<{ id: number; workOrderId: number }> {
  const messageId = mail.messageId ?? `<search.${Date.now()}.${marker()}@example.test>`
  const raw = await buildMail({
    from: mail.from ?? 'Mario Rossi <mario.rossi@example.test>',
    to: 'reclami@garbage.example.test',
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    inReplyTo: mail.inReplyTo,
    messageId,
    attachments: (mail.files ?? []).map((filename) => ({ filename, content: Buffer.from(`%PDF ${filename}`), contentType: 'application/pdf' }))
  })
  const result = await host.app.communications.mail.ingest(raw, { receivedAt: mail.receivedAt ?? null })
  if (result.messageId === null || result.workOrderId === null) throw new Error(`not stored: ${result.outcome}`)
  return { id: result.messageId, workOrderId: result.workOrderId }
}

const get = (host: TestHost, params: Record<string, string>, headers: Record<string, string> = auth('demo-viewer')) =>
  host.app.inject({ url: `${API}/search?${new URLSearchParams(params)}`, headers })

async function search(host: TestHost, params: Record<string, string>) {
  const res = await get(host, params)
  t.equal(res.statusCode, 200, res.body)
  return res.json() as { items: Array<{ id: number; workOrderId: number; subject: string; snippet: string; channel: string }>; total: number }
}
const ids = async (host: TestHost, params: Record<string, string>) => (await search(host, params)).items.map((i) => i.id)
const ascending = (list: number[]) => [...list].sort((a, b) => a - b)
/** Today in Rome, and the day before: the days messages stored now fall on. */
const romeDay = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' })

t.test('search', async (t) => {
  const host = await startTestHost({
    mail: { from: '"Ufficio TARI" <tari@garbage.example.test>', startWorkers: false },
    // an authenticated user with no permission at all, for the 403
    authorize: (request) =>
      request.headers['x-test-user'] === 'nobody' ? { id: 'nobody', name: 'Nessuno', email: null, permissions: [] } : operatorFromRequest(request)
  })
  t.teardown(() => host.close())
  const communications = host.app.communications
  const stemming = isPostgres

  t.test('the engine is the database’s own', async (t) => {
    t.equal(await communications.search.engine(), isPostgres ? 'postgres' : 'fts5')
  })

  t.test('a word of the body, of the subject, a sender address, an attachment name', async (t) => {
    const m = marker()
    const body = await deliver(host, { subject: `Raccolta ${m}`, text: `Il cassonetto ${m} trabocca da giorni.` })
    const subject = await deliver(host, { subject: `Ingombranti ${m} in cortile`, text: 'Nessun dettaglio.' })
    const sender = await deliver(host, { from: `Lucia Verdi <lucia.${m}@example.test>`, subject: 'Richiesta', text: 'Vorrei un chiarimento.' })
    const file = await deliver(host, { subject: 'Foto allegata', text: 'Vedi allegato.', files: [`verbale-${m}.pdf`] })
    t.same(await ids(host, { q: `trabocca ${m}` }), [body.id], 'a body word')
    t.same(await ids(host, { q: `ingombranti ${m}` }), [subject.id], 'a subject word')
    t.same(await ids(host, { q: `lucia.${m}@example.test` }), [sender.id], 'the whole sender address')
    t.same(await ids(host, { q: `lucia.${m}` }), [sender.id], 'part of the address')
    t.same(await ids(host, { q: `verbale-${m}.pdf` }), [file.id], 'the attachment file name')
    t.same(await ids(host, { q: `verbale ${m}` }), [file.id], 'a word of the file name')
    t.same(await ids(host, { q: m }), [file.id, sender.id, subject.id, body.id], 'every message with the word, newest first')
    t.same(await ids(host, { q: `trabocca ingombranti ${m}` }), [], 'every word must match')
  })

  t.test("an operator's reply, its attachment and an internal note are found", async (t) => {
    const m = marker()
    const mail = await deliver(host, { subject: 'Mancata raccolta', text: 'Il vetro non è stato raccolto.' })
    const form = multipartBody({ html: `<p>Gentile cittadino, il ritiro ${m} è riprogrammato.</p>` }, [
      { filename: `calendario-${m}.pdf`, contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 calendario') }
    ])
    const reply = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${mail.workOrderId}/reply`,
      headers: { ...auth('demo-operator'), ...form.headers },
      payload: form.payload
    })
    t.equal(reply.statusCode, 201, reply.body)
    const note = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${mail.workOrderId}/notes`,
      headers: auth('demo-operator'),
      payload: { html: `<p>Sentito l'autista: ${m} passa giovedì.</p>` }
    })
    t.equal(note.statusCode, 201, note.body)
    const replyId = Number(reply.json().id)
    const noteId = Number(note.json().id)
    t.same(await ids(host, { q: `riprogrammato ${m}` }), [replyId], 'a word of the reply')
    t.same(await ids(host, { q: `calendario-${m}.pdf` }), [replyId], "the reply's attachment")
    t.same(await ids(host, { q: `autista ${m}` }), [noteId], 'a word of the note')
    const hit = (await search(host, { q: `autista ${m}` })).items[0]
    t.match(hit, { id: noteId, workOrderId: mail.workOrderId, channel: 'note', subject: null })
  })

  t.test(`Italian stemming: "reclami" finds "reclamo" on PostgreSQL; SQLite matches whole words, and prefixes`, async (t) => {
    const m = marker()
    const { id } = await deliver(host, { subject: 'Segnalazione', text: `Presento un reclamo ${m} per la raccolta.` })
    t.same(await ids(host, { q: `reclami ${m}` }), stemming ? [id] : [], stemming ? 'stemmed: reclam' : 'SQLite FTS5 has no Italian stemmer')
    t.same(await ids(host, { q: `reclam* ${m}` }), [id], 'a prefix on every engine')
    t.same(await ids(host, { q: `reclamo ${m}` }), [id], 'the word itself')
    const snippet = (await search(host, { q: `reclami ${m}` })).items[0]?.snippet
    if (stemming) t.equal(snippet, `Presento un <mark>reclamo</mark> <mark>${m}</mark> per la raccolta.`, 'the stemmed word is marked')
  })

  t.test('accents and case: "citta" finds "città", "CITTÀ" too', async (t) => {
    const m = marker()
    const { id } = await deliver(host, { subject: 'Decoro urbano', text: `La città ${m} è più pulita, perché è estate.` })
    t.same(await ids(host, { q: `citta ${m}` }), [id])
    t.same(await ids(host, { q: `CITTÀ ${m.toUpperCase()}` }), [id])
    t.same(await ids(host, { q: `piu pulita perche ${m}` }), [id])
    t.equal((await search(host, { q: `citta ${m}` })).items[0]?.snippet, `La <mark>città</mark> <mark>${m}</mark> è più pulita, perché è estate.`)
  })

  t.test('filters: channel, state, request type, mailbox, day range', async (t) => {
    const m = marker()
    const mailboxId = await internalsOf(communications).repositories.mailboxes.insert({
      name: `search ${m}`,
      host: '127.0.0.1',
      port: 1,
      secure: false,
      username: m,
      passwordEncrypted: 'x',
      folder: 'INBOX',
      fromAddress: null,
      fromName: null,
      enabled: false,
      moveToFolder: null,
      maxMessageBytes: null,
      source: 'api'
    })
    const open = await deliver(host, { subject: `Reclamo ${m}`, text: 'Bolletta sbagliata.' })
    const closed = await deliver(host, { subject: `Domanda ${m}`, text: 'Informazioni sul calendario.' })
    const viaMailbox = (await communications.mail.ingest(
      await buildMail({ from: 'mario.rossi@example.test', to: 'reclami@garbage.example.test', subject: `Casella ${m}`, text: 'Dalla casella.' }),
      { mailboxId }
    )) as { messageId: number; workOrderId: number }
    await communications.workOrders.setState(closed.workOrderId, { state: 'closed' }, OPERATOR)
    const note = await host.app.inject({
      method: 'POST',
      url: `${API}/work-orders/${open.workOrderId}/notes`,
      headers: auth('demo-operator'),
      payload: { html: `<p>${m}</p>` }
    })
    const noteId = Number(note.json().id)
    const all = await ids(host, { q: m })
    t.same(ascending(all), ascending([open.id, closed.id, viaMailbox.messageId, noteId]))
    t.same(await ids(host, { q: m, channel: 'note' }), [noteId], 'channel')
    t.same(ascending(await ids(host, { q: m, channel: 'email' })), ascending([open.id, closed.id, viaMailbox.messageId]))
    t.same(await ids(host, { q: m, status: 'closed' }), [closed.id], 'state')
    // the operators' classification (the ingest only suggests one)
    await host.knex('trc_work_order_meta').where('work_order_id', open.workOrderId).update({ arera_type: 'reclamo_scritto' })
    await host
      .knex('trc_work_order_meta')
      .whereIn('work_order_id', [closed.workOrderId, viaMailbox.workOrderId])
      .update({ arera_type: 'richiesta_scritta_informazioni' })
    t.same(ascending(await ids(host, { q: m, type: 'reclamo_scritto' })), ascending([open.id, noteId]), 'request type')
    t.same(await ids(host, { q: m, mailboxId: String(mailboxId) }), [viaMailbox.messageId], 'mailbox')
    t.same(ascending(await ids(host, { q: m, from: romeDay(), to: romeDay() })), ascending(all), 'today')
    t.same(await ids(host, { q: m, to: romeDay(-1) }), [], 'up to yesterday: none')
    t.same(await ids(host, { q: m, from: romeDay(1) }), [], 'from tomorrow: none')
  })

  t.test('paging: newest first, every hit once across pages, the total on each page', async (t) => {
    const m = marker()
    const stored: number[] = []
    for (let i = 0; i < 5; i++) stored.push((await deliver(host, { subject: `Pagina ${i}`, text: `Messaggio ${m} numero ${i}.` })).id)
    const pages = []
    for (const offset of [0, 2, 4]) pages.push(await search(host, { q: m, limit: '2', offset: String(offset) }))
    t.same(
      pages.map((p) => p.items.map((i) => i.id)),
      [[stored[4], stored[3]], [stored[2], stored[1]], [stored[0]]]
    )
    t.same(
      pages.map((p) => p.total),
      [5, 5, 5]
    )
    t.same((await search(host, { q: m, offset: '5' })).items, [], 'past the end: no items')
  })

  t.test('the snippet: matched words in <mark>, cut around the first match, the rest escaped', async (t) => {
    const m = marker()
    const words = Array.from({ length: 40 }, (_, i) => `parola${i}`).join(' ')
    const { id } = await deliver(host, { subject: 'Lungo', text: `${words} il cassonetto ${m} in via Roma è pieno. ${words}` })
    const [hit] = (await search(host, { q: `cassonetto ${m}` })).items
    t.equal(hit?.id, id)
    t.equal(
      hit?.snippet,
      // 60 characters before the first match (from a word's start), 200 in all (to a word's end)
      '…parola34 parola35 parola36 parola37 parola38 parola39 il <mark>cassonetto</mark> ' +
        `<mark>${m}</mark> in via Roma è pieno. parola0 parola1 parola2 parola3 parola4 parola5 parola6 parola7 parola8 parola9 parola10 parola11…`
    )
    const file = await deliver(host, { subject: 'Allegato', text: 'Nulla nel testo.', files: [`Foto ${m}.pdf`] })
    t.equal((await search(host, { q: m })).items.find((i) => i.id === file.id)?.snippet, `Foto <mark>${m}</mark>.pdf`, 'a match in an attachment name')
  })

  t.test('HTML in a body is escaped in the snippet', async (t) => {
    const m = marker()
    const { id } = await deliver(host, { subject: 'Strano', text: `<script>alert("x")</script> ${m} & <b>grassetto</b> l'ultimo` })
    const [hit] = (await search(host, { q: m })).items
    t.equal(hit?.id, id)
    t.equal(hit?.snippet, `&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>${m}</mark> &amp; &lt;b&gt;grassetto&lt;/b&gt; l&#39;ultimo`)
    t.same(await ids(host, { q: `script ${m}` }), [id], 'the visible text of the tag is a word like any other')
  })

  t.test('a rolled-back insert leaves no index row', async (t) => {
    const m = marker()
    const repos = internalsOf(communications).repositories
    let insertedId = 0
    await t.rejects(
      repos.transaction(async (tx) => {
        insertedId = await tx.messages.insert({
          workOrderId: null,
          contributorId: null,
          direction: 'inbound',
          channel: 'email',
          messageId: null,
          dedupeKey: m,
          from: 'a@example.test',
          to: [],
          cc: [],
          subject: `Annullato ${m}`,
          html: null,
          text: 'Mai salvato.',
          createdAt: new Date()
        })
        throw new Error('rolled back')
      }),
      { message: 'rolled back' }
    )
    t.ok(insertedId > 0, 'the message was inserted inside the transaction')
    t.same(await host.knex('trc_search_documents').select('message_id').where('message_id', insertedId), [])
    t.same(await ids(host, { q: m }), [])
    // an attachment whose transaction rolls back adds no name to a stored message's document
    const stored = await deliver(host, { subject: 'Con allegato annullato', text: 'Testo.' })
    await t.rejects(
      repos.transaction(async (tx) => {
        await tx.attachments.insert({
          messageId: stored.id,
          filename: `annullato-${m}.pdf`,
          contentType: 'application/pdf',
          size: 1,
          sha256: 'x'.repeat(64),
          contentId: null,
          inline: false,
          storage: 'database',
          storageKey: null,
          content: Buffer.from('x'),
          createdAt: new Date()
        })
        throw new Error('rolled back')
      })
    )
    t.same(await ids(host, { q: `annullato-${m}.pdf` }), [])
    t.same(await ids(host, { q: 'con allegato annullato' }), [stored.id], 'the message itself is still found')
  })

  t.test('an erased message is no longer found', async (t) => {
    const m = marker()
    const address = `anna.${m}@example.test`
    const past = new Date('2019-05-06T08:00:00Z')
    const mail = await deliver(host, {
      from: `Anna <${address}>`,
      subject: `Cassonetto ${m}`,
      text: `Abito in vicolo ${m} 12.`,
      files: [`foto-${m}.pdf`],
      receivedAt: past
    })
    t.same(await ids(host, { q: m }), [mail.id])
    // years later: closed, its mail long delivered, out of the ARERA register's retention
    await communications.workOrders.setState(mail.workOrderId, { state: 'closed' }, OPERATOR)
    const messages = host.knex('trc_messages').select('id').where('work_order_id', mail.workOrderId)
    await host.knex('trc_outbox').whereIn('message_id', messages).update({ status: 'sent', sent_at: past })
    await host.knex('trc_messages').where('work_order_id', mail.workOrderId).update({ created_at: past })
    const note = await host.knex('trc_messages').select('id').where('work_order_id', mail.workOrderId)
    const erased = await host.app.inject({ method: 'POST', url: `${API}/privacy/erase`, headers: auth('demo-admin'), payload: { email: address } })
    t.equal(erased.statusCode, 200, erased.body)
    t.same(await ids(host, { q: m }), [])
    t.same(await ids(host, { q: `foto-${m}.pdf` }), [])
    t.same(
      await host
        .knex('trc_search_documents')
        .select('message_id')
        .whereIn(
          'message_id',
          note.map((r) => Number(r.id))
        ),
      [],
      'no document of that work order left'
    )
  })

  t.test('the LIKE fallback (databases without full-text) finds the same messages, and substrings', async (t) => {
    const m = marker()
    const repos = internalsOf(communications).repositories
    const { id } = await deliver(host, { subject: 'Ritiro', text: `La città ${m} chiede il ritiro.`, files: [`modulo-${m}.pdf`] })
    const like = async (q: string) => (await repos.search.search('like', parseSearchQuery(q), {}, { limit: 20, offset: 0 })).hits.map((h) => h.id)
    t.same(await like(`citta ${m}`), [id])
    t.same(await like(`modulo-${m}.pdf`), [id])
    t.same(await like(m.slice(0, 6)), [id], 'any part of a word')
  })

  t.test('the migration indexes messages stored before it', async (t) => {
    const m = marker()
    const { id } = await deliver(host, { subject: `Storico ${m}`, text: 'Un messaggio di prima.', files: [`vecchio-${m}.pdf`] })
    await host.knex('trc_search_documents').where('message_id', id).del()
    t.same(await ids(host, { q: m }), [], 'not indexed (as before the migration)')
    await searchMigration.up(host.knex)
    t.same(await ids(host, { q: `storico ${m}` }), [id])
    t.same(await ids(host, { q: `vecchio-${m}.pdf` }), [id], 'with its attachment names')
  })

  t.test('too short a query: 400 in Italian and in English', async (t) => {
    for (const q of ['a', ' b ', '**', '""']) {
      const it = await get(host, { q })
      t.equal(it.statusCode, 400)
      t.match(it.json(), { code: 'searchTooShort', message: 'Testo da cercare troppo corto: scrivi almeno 2 caratteri (lettere o cifre).' })
    }
    const en = await get(host, { q: 'a', lang: 'en' })
    t.equal(en.statusCode, 400)
    t.equal(en.json().message, 'Search text too short: type at least 2 characters (letters or digits).')
    const missing = await get(host, {})
    t.equal(missing.statusCode, 400, 'q is required')
  })

  t.test('permissions: 401 without a token, 403 without read', async (t) => {
    const anonymous = await get(host, { q: 'cassonetto' }, {})
    t.equal(anonymous.statusCode, 401)
    t.equal(anonymous.json().message, 'Autenticazione richiesta: accedi per continuare.')
    const nobody = await get(host, { q: 'cassonetto', lang: 'en' }, { 'x-test-user': 'nobody' })
    t.equal(nobody.statusCode, 403)
    t.equal(nobody.json().message, 'You do not have permission for this operation (read).')
  })
})
