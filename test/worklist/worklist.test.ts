// GET /worklist and /worklist/counts against conversations built through the real ingest, intake and reply paths:
// every queue's exact members and total, every filter, both sorts, cursor paging without repeats or gaps, the
// administrators-only queues (403 in Italian and English) and a bad queue name (400). Each subtest builds its own.
import t, { type Test } from 'tap'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { startSmtpServer } from '../helpers/smtp.js'
import { API, buildScenario, MAIL_FROM, type Scenario } from './scenario.js'

type Token = 'demo-admin' | 'demo-operator' | 'demo-viewer'
interface Item {
  kind: string
  workOrderId: number | null
  entryId: number | null
  reference: string | null
  subject: string | null
  contributorName: string | null
  sender: string | null
  channel: string | null
  lastActivityAt: string
  dueDate: string | null
  workingDaysLeft: number | null
  status: string | null
}
interface Page {
  items: Item[]
  total: number
  nextCursor: string | null
}

async function setup(t: Test): Promise<{ host: TestHost; s: Scenario; get: (query: string, token?: Token) => Promise<Page> }> {
  const smtp = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: MAIL_FROM, startWorkers: false, smtp: { url: smtp.url } }, inbound: { maxMessageBytes: 100_000 } })
  t.teardown(() => host.close())
  const s = await buildScenario(host, smtp)
  const get = async (query: string, token: Token = 'demo-viewer') => {
    const res = await host.app.inject({ url: `${API}/worklist?${query}`, headers: auth(token) })
    if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`)
    return res.json() as Page
  }
  return { host, s, get }
}

const ids = (page: Page) => page.items.map((i) => i.workOrderId)
/** Work orders in the due-date order: (due date, id), undated last. */
const byDue = (s: Scenario, list: number[]) => {
  const due = new Map(Object.entries(s.ids).map(([role, id]) => [id, s.due[role] ?? null]))
  return [...list].sort((a, b) => {
    const [da, db] = [due.get(a), due.get(b)]
    if (da === db) return a - b
    if (!da || da === 'null') return 1
    if (!db || db === 'null') return -1
    return da < db ? -1 : 1
  })
}
const toAnswer = (s: Scenario) => [s.ids.known, s.ids.unknown, s.ids.shared, s.ids.dueSoon, s.ids.overdue, s.ids.web, s.ids.failed, s.ids.oversize]

t.test('to_answer: the citizen spoke last (a failed reply does not count), closed work orders left out', async (t) => {
  const { s, get } = await setup(t)
  const page = await get('queue=to_answer&limit=200')
  t.same(ids(page), byDue(s, toAnswer(s)))
  t.equal(page.total, 8)
  t.equal(page.nextCursor, null)
  const known = page.items.find((i) => i.workOrderId === s.ids.known)
  t.match(known, { kind: 'work_order', contributorName: 'Rossi Mario', sender: 'mario.rossi@example.test', channel: 'email', status: 'in_progress' })
  t.match(known?.subject, 'Cassonetto rotto in via Garibaldi')
  t.match(known?.reference, /\S/)
  t.equal(page.items.find((i) => i.workOrderId === s.ids.web)?.channel, 'web')
})

t.test('due_soon: due within 2 working days, with the working days left', async (t) => {
  const { s, get } = await setup(t)
  const page = await get('queue=due_soon')
  t.same(ids(page), [s.ids.dueSoon])
  t.equal(page.total, 1)
  t.match(page.items[0], { dueDate: s.due.dueSoon, workingDaysLeft: 1 })
  t.same(ids(await get('queue=due_soon&dueWithinDays=0')), [], 'due tomorrow is not due within 0 days')
})

t.test('overdue: the due date has passed and no reply went out', async (t) => {
  const { s, get } = await setup(t)
  const page = await get('queue=overdue')
  t.same(ids(page), [s.ids.overdue])
  t.equal(page.total, 1)
  t.ok((page.items[0]?.workingDaysLeft ?? 0) < 0, 'negative working days left')
})

t.test('new_today: received today (Europe/Rome), whatever their state', async (t) => {
  const { s, get } = await setup(t)
  const page = await get('queue=new_today&limit=200')
  const expected = [s.ids.known, s.ids.replied, s.ids.unknown, s.ids.shared, s.ids.web, s.ids.closed, s.ids.failed, s.ids.oversize]
  t.same(ids(page), byDue(s, expected))
  t.equal(page.total, 8)
})

t.test('unlinked_senders: an unknown and a shared address (the generic contributor)', async (t) => {
  const { s, get } = await setup(t)
  const page = await get('queue=unlinked_senders')
  t.same(ids(page), byDue(s, [s.ids.unknown, s.ids.shared]))
  t.equal(page.total, 2)
  t.equal(page.items.find((i) => i.workOrderId === s.ids.shared)?.sender, 'famiglia.bianchi@example.test')
})

t.test('failed_deliveries: the reply the SMTP server refused', async (t) => {
  const { s, get } = await setup(t)
  const page = await get('queue=failed_deliveries')
  t.same(ids(page), [s.ids.failed])
  t.equal(page.total, 1)
})

t.test('spam and quarantine: administrators see the entries; others get 403 in Italian or English', async (t) => {
  const { host, s, get } = await setup(t)
  const spam = await get('queue=spam', 'demo-admin')
  t.same(
    spam.items.map((i) => [i.kind, i.entryId, i.workOrderId, i.sender, i.subject]),
    [['spam', s.spamId, null, 'promo@spam.example.test', 'Vinci subito']]
  )
  t.equal(spam.total, 1)
  const quarantine = await get('queue=quarantine', 'demo-admin')
  t.same(
    quarantine.items.map((i) => [i.kind, i.entryId, i.workOrderId]),
    [['quarantine', s.quarantineId, null]]
  )
  t.equal(quarantine.total, 1)
  for (const token of ['demo-operator', 'demo-viewer'] as const) {
    for (const queue of ['spam', 'quarantine']) {
      const it = await host.app.inject({ url: `${API}/worklist?queue=${queue}`, headers: auth(token) })
      t.equal(it.statusCode, 403)
      t.equal(it.json().message, 'Le code Spam e Quarantena sono riservate agli amministratori: chiedi a un amministratore di controllarle.')
      const en = await host.app.inject({ url: `${API}/worklist?queue=${queue}&lang=en`, headers: auth(token) })
      t.equal(en.statusCode, 403)
      t.equal(en.json().message, 'The Spam and Quarantine queues are for administrators only: ask an administrator to review them.')
    }
  }
})

t.test('filters: mailbox, channel, request type, status, text (subject or sender, case-insensitive)', async (t) => {
  const { s, get } = await setup(t)
  t.same(ids(await get(`queue=to_answer&mailboxId=${s.mailboxId}`)), [s.ids.unknown], 'mailbox')
  t.same(ids(await get('queue=to_answer&channel=web')), [s.ids.web], 'channel')
  t.same(ids(await get('queue=to_answer&type=richiesta_informazioni')), [s.ids.shared], 'request type')
  t.same(ids(await get('queue=to_answer&status=in_progress')), [s.ids.known], 'status')
  t.same(ids(await get('queue=new_today&status=closed')), [s.ids.closed], 'status closed among today')
  t.same(ids(await get('queue=to_answer&text=GARIBALDI')), [s.ids.known], 'subject, any case')
  t.same(ids(await get('queue=to_answer&text=Sconosciuto%40example')), [s.ids.unknown], 'sender address')
  t.same(ids(await get('queue=to_answer&text=100%25')), [], 'LIKE wildcards are literal')
  const filtered = await get('queue=unlinked_senders&text=bianchi')
  t.same(ids(filtered), [s.ids.shared])
  t.equal(filtered.total, 1, 'the total counts the filtered queue')
  t.same(
    (await get('queue=spam&text=VINCI', 'demo-admin')).items.map((i) => i.entryId),
    [s.spamId],
    'spam by subject'
  )
  t.same((await get('queue=spam&text=nessuno', 'demo-admin')).items, [])
})

t.test('paging: every item exactly once across pages, in either sort (new_today is ordered in memory, the others in SQL)', async (t) => {
  const { s, get } = await setup(t)
  const members = {
    to_answer: toAnswer(s),
    new_today: [s.ids.known, s.ids.replied, s.ids.unknown, s.ids.shared, s.ids.web, s.ids.closed, s.ids.failed, s.ids.oversize]
  }
  for (const [queue, expected] of Object.entries(members)) {
    for (const sort of ['due_date', 'last_activity']) {
      const seen: number[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const page: Page = await get(`queue=${queue}&sort=${sort}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        t.equal(page.total, 8, `${queue} ${sort}: the total on every page`)
        seen.push(...(ids(page) as number[]))
        cursor = page.nextCursor
        pages++
      } while (cursor && pages < 10)
      t.equal(pages, 3, `${queue} ${sort}: 3 + 3 + 2`)
      t.same(
        [...seen].sort((a, b) => a - b),
        [...expected].sort((a, b) => a - b),
        `${queue} ${sort}: each once`
      )
      if (sort === 'due_date') t.same(seen, byDue(s, expected), `${queue}: due date, then id`)
      else {
        const all = (await get(`queue=${queue}&sort=last_activity&limit=200`)).items
        const order = [...all].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || (b.workOrderId ?? 0) - (a.workOrderId ?? 0))
        t.same(
          seen,
          order.map((i) => i.workOrderId),
          `${queue}: latest activity first`
        )
      }
    }
  }
})

t.test('counts: every queue in one call; spam and quarantine only for administrators', async (t) => {
  const { host, s } = await setup(t)
  const counts = async (query: string, token: Token) => (await host.app.inject({ url: `${API}/worklist/counts?${query}`, headers: auth(token) })).json()
  const base = { to_answer: 8, due_soon: 1, overdue: 1, new_today: 8, unlinked_senders: 2, failed_deliveries: 1 }
  t.same(await counts('', 'demo-viewer'), base)
  t.same(await counts('', 'demo-admin'), { ...base, spam: 1, quarantine: 1 })
  t.same(await counts(`mailboxId=${s.mailboxId}`, 'demo-viewer'), {
    to_answer: 1,
    due_soon: 0,
    overdue: 0,
    new_today: 1,
    unlinked_senders: 1,
    failed_deliveries: 0
  })
})

t.test('bad input: an unknown queue and a forged cursor are 400 with a message', async (t) => {
  const { host } = await setup(t)
  const bad = await host.app.inject({ url: `${API}/worklist?queue=everything`, headers: auth('demo-viewer') })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /queue/)
  const missing = await host.app.inject({ url: `${API}/worklist`, headers: auth('demo-viewer') })
  t.equal(missing.statusCode, 400)
  const cursor = await host.app.inject({ url: `${API}/worklist?queue=to_answer&cursor=abc`, headers: auth('demo-viewer') })
  t.equal(cursor.statusCode, 400)
  t.equal(cursor.json().message, 'Il cursore di pagina "abc" non è valido: usa il valore nextCursor della pagina precedente.')
  const none = await host.app.inject({ url: `${API}/worklist?queue=to_answer` })
  t.equal(none.statusCode, 401)
})
