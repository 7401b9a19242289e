// Live updates in a real Chromium: two example hosts on one database, the mailbox watched by instance A, the
// browser on instance B. A mail delivered to the real Dovecot appears in the open Communications tab without a
// reload, through B's event stream; when the stream cannot be had, the tab falls back to polling.
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import t from 'tap'
import { buildUi } from '../../ui-extension/build.mjs'
import { startDovecot } from '../helpers/dovecot.js'
import { auth, startTestHost, type TestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { waitFor } from '../helpers/wait.js'
import { chromiumAvailable, launchChromium, login } from './browser.js'

const USER = 'reclami@garbage.example.test'
const API = '/api/communications'

if (!chromiumAvailable()) {
  t.fail('Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium): the UI cannot be tested')
  t.end()
} else {
  let a: TestHost
  let b: TestHost
  let base: string
  let browser: Browser
  let sent = 0
  let deliver: (subject: string, text: string, threadOf?: string) => Promise<string>

  t.before(async () => {
    await buildUi({ quiet: true })
    const dovecot = await startDovecot({ users: { [USER]: 'pw' }, t })
    const mail = { from: 'tari@garbage.example.test', leaseTtlMs: 1500, backoff: { baseMs: 100, maxMs: 1000 } }
    a = await startTestHost({ instanceId: 'instance-a', live: { pollMs: 150 }, mail: { ...mail, startWorkers: true, mailboxes: [{ url: dovecot.url(USER) }] } })
    b = await startTestHost({ instanceId: 'instance-b', live: { pollMs: 150 } }, { ...a.db, knex: a.db.connectAgain(), destroy: async () => {} })
    await b.app.listen({ host: '127.0.0.1', port: 0 })
    base = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`
    await waitFor(
      async () => (await a.app.inject({ url: `${API}/health`, headers: auth('demo-viewer') })).json(),
      (h) => h.mailboxes[0]?.state === 'idle',
      15_000,
      'the watcher of instance A idle'
    )
    browser = await launchChromium()
    deliver = async (subject, text, threadOf) => {
      const messageId = `<live-${process.pid}-${++sent}@example.test>`
      const raw = await buildMail({
        from: 'Mario Rossi <mario.rossi@example.test>',
        to: USER,
        subject,
        text,
        messageId,
        ...(threadOf ? { inReplyTo: threadOf, references: [threadOf] } : {})
      })
      await dovecot.append(USER, raw)
      return messageId
    }
  })
  t.teardown(async () => {
    await browser?.close()
    await b?.close()
    await a?.close()
  })

  /** Delivers a first mail and waits until instance A has stored it: its work order. */
  async function conversation(subject: string): Promise<{ workOrderId: number; messageId: string }> {
    const messageId = await deliver(subject, 'Il cassonetto di via Roma è pieno da giorni.')
    const row = await waitFor(
      () => a.knex('trc_messages').first('work_order_id').where({ subject }),
      (r) => Boolean(r?.work_order_id),
      15_000,
      'the first mail stored'
    )
    return { workOrderId: Number(row.work_order_id), messageId }
  }

  async function openTab(page: Page, workOrderId: number): Promise<void> {
    await page.goto(`${base}/work-orders/${workOrderId}#comunicazioni`)
    await page.locator('trc-communications article').first().waitFor()
    // a reload would lose this
    await page.evaluate(() => Object.assign(window, { trcNotReloaded: true }))
  }

  const inboundArticles = (page: Page) => page.locator('trc-communications article[data-direction=inbound]')

  t.test('a mail delivered to Dovecot (taken by instance A) appears in the tab open on instance B, without reload', async (t) => {
    const { workOrderId, messageId } = await conversation('Cassonetto pieno in via Roma')
    const context = await browser.newContext({ locale: 'it-IT', timezoneId: 'Europe/Rome' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const streams: string[] = []
    page.on('request', (r) => {
      if (r.url().includes(`${API}/events`)) streams.push(r.url())
    })
    await login(page, base, 'demo-operator')
    await openTab(page, workOrderId)
    t.equal(await inboundArticles(page).count(), 1)
    await waitFor(
      async () => streams.length,
      (n) => n === 1,
      5000,
      'the tab opened its event stream'
    )

    await deliver('Re: Cassonetto pieno in via Roma', 'È ancora pieno, e ora anche quello accanto.', messageId)
    await inboundArticles(page).nth(1).waitFor({ timeout: 10_000 })
    t.match(await inboundArticles(page).nth(1).locator('h4').textContent(), /Re: Cassonetto pieno in via Roma/)
    t.equal(await page.evaluate(() => (window as unknown as { trcNotReloaded?: boolean }).trcNotReloaded), true, 'the page was not reloaded')
    t.equal(await page.locator('trc-communications').evaluate((el) => el.shadowRoot?.textContent?.includes('Nuovo messaggio') ?? false), true, 'announced')
    t.equal(streams.length, 1, 'one stream for the page, still open')
  })

  t.test('when the event stream is refused, the tab falls back to polling and still shows new mail', async (t) => {
    const { workOrderId, messageId } = await conversation('Ritiro ingombranti mancato')
    const context = await browser.newContext({ locale: 'it-IT', timezoneId: 'Europe/Rome' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    let refused = 0
    await page.route(`**${API}/events*`, (route) => {
      refused++
      return route.fulfill({ status: 503, contentType: 'application/json', body: '{}' })
    })
    await login(page, base, 'demo-operator')
    await openTab(page, workOrderId)
    await waitFor(
      async () => refused,
      (n) => n >= 1,
      5000,
      'the stream refused'
    )
    await deliver('Re: Ritiro ingombranti mancato', 'Nessuno è passato neanche oggi.', messageId)
    await inboundArticles(page).nth(1).waitFor({ timeout: 15_000 })
    t.equal(await page.evaluate(() => (window as unknown as { trcNotReloaded?: boolean }).trcNotReloaded), true, 'the page was not reloaded')
  })
}
