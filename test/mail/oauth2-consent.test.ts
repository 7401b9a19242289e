// The consent flow as an administrator lives it, in real Chromium: the example host's mailbox page, its button
// (the module's start route), the provider's login and consent pages, the module's callback and back to the page;
// then the mailbox signs in to Dovecot with its token and ingests a mail delivered there.
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { chromiumAvailable, launchChromium, login, screenshotPath } from '../ui/browser.js'
import { startDovecot } from '../helpers/dovecot.js'
import { auth, startTestHost } from '../helpers/host.js'
import { buildMail } from '../helpers/mail.js'
import { startOAuthProvider } from '../helpers/oauth-provider.js'
import { waitFor } from '../helpers/wait.js'

const OFFICE = 'ufficio@comune.test'

if (!chromiumAvailable()) {
  t.fail('Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium): the consent flow cannot be tested')
} else {
  t.test('an administrator connects an OAuth2 mailbox in the browser; it then ingests', async (t) => {
    const host = await startTestHost({ mail: { from: 'tari@comune.test', leaseTtlMs: 1_500, backoff: { baseMs: 100, maxMs: 500 } } })
    t.teardown(() => host.close())
    await host.app.listen({ host: '127.0.0.1', port: 0 })
    const base = `http://127.0.0.1:${(host.app.server.address() as AddressInfo).port}`
    const provider = await startOAuthProvider({ t, redirectUris: [`${base}/api/communications/oauth/callback`] })
    const dovecot = await startDovecot({ t, users: { [OFFICE]: 'unused' }, oauth2: { introspectionUrl: provider.introspectionUrl, ...provider.introspector } })
    const created = await host.app.inject({
      method: 'POST',
      url: '/api/communications/mailboxes',
      headers: auth('demo-admin'),
      payload: {
        name: 'Ufficio reclami',
        host: '127.0.0.1',
        port: dovecot.port,
        username: OFFICE,
        oauth: {
          provider: 'issuer',
          issuer: provider.issuer,
          clientId: provider.clientId,
          clientSecret: provider.clientSecret,
          scopes: ['openid', 'offline_access']
        }
      }
    })
    const id = created.json().id as number

    const browser = await launchChromium()
    t.teardown(() => browser.close())
    const page = await browser.newPage()
    await login(page, base, 'demo-admin')
    await page.goto(`${base}/admin/mailboxes`)
    t.equal(await page.textContent(`tr[data-mailbox="${id}"] [data-state]`), 'Autorizzazione da rinnovare')
    t.equal(
      await page.textContent(`tr[data-mailbox="${id}"] .error`),
      'La casella "Ufficio reclami" usa OAuth2 ma non è ancora collegata: un amministratore deve autorizzarla.'
    )
    await page.click(`[data-connect="${id}"]`)
    await page.waitForURL(`${provider.issuer}/interaction/**`)
    t.equal(await page.inputValue('input[name=login]'), OFFICE, 'the provider pre-fills the account (login_hint)')
    await page.fill('input[name=password]', 'any')
    await page.click('button[type=submit]')
    await page.waitForSelector('text=Continue')
    await page.click('button[type=submit]')
    await page.waitForURL(`${base}/admin/mailboxes?oauth=connected&mailbox=${id}`)
    t.equal(await page.textContent('#oauth-notice'), `Casella ${id} collegata con OAuth2.`)
    await page.screenshot({ path: screenshotPath('oauth2-connected.png'), fullPage: true })

    const health = () =>
      host.app
        .inject({ method: 'GET', url: '/api/communications/health', headers: auth('demo-admin') })
        .then((r) => (r.json().mailboxes as Array<{ id: number; state: string }>).find((m) => m.id === id)?.state)
    await waitFor(health, (state) => state === 'idle', 15_000, 'the mailbox idle')
    const raw = await buildMail({
      from: 'mario.rossi@example.test',
      to: OFFICE,
      subject: 'Raccolta saltata',
      text: 'Oggi niente raccolta.',
      messageId: '<saltata@example.test>'
    })
    await dovecot.deliver(OFFICE, raw, { from: 'mario.rossi@example.test', recipient: OFFICE })
    const stored = await waitFor(
      () => host.knex('trc_messages').where({ direction: 'inbound', mailbox_id: id }).select('subject'),
      (rows) => rows.length === 1,
      15_000,
      'the mail stored'
    )
    t.same(
      stored.map((r) => r.subject),
      ['Raccolta saltata']
    )
    await waitFor(health, (state) => state === 'idle', 15_000, 'the mailbox idle again')
    await page.reload()
    t.equal(await page.textContent(`tr[data-mailbox="${id}"] [data-state]`), 'In ascolto')
    t.equal(await page.textContent(`[data-connect="${id}"]`), 'Ricollega con OAuth2')
  })
}
