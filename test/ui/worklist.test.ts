// The worklist in a real Chromium against the example host, its home page: the queue tabs with their counts
// (spam and quarantine for administrators only), switching queue, filtering, the keyboard (arrows move, Enter
// opens) and a click opening the right work-order page; axe-core finds nothing serious. Each subtest has its own host.
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { chromiumAvailable, seriousAxeViolations, startUiHarness, type UiHarness } from './browser.js'

const MARIO = 'Mario Rossi <mario.rossi@example.test>'
const TO = 'tari@garbage.example.test'

async function setup(t: Test): Promise<{ h: UiHarness; ids: { garibaldi: number; roma: number; verdi: number; stranger: number } }> {
  const h = await startUiHarness()
  t.teardown(() => h.close())
  const text = 'Buongiorno, vi scrivo per un reclamo sul servizio di raccolta. Cordiali saluti.'
  const garibaldi = await h.ingest({ from: MARIO, to: TO, subject: 'Cassonetto rotto in via Garibaldi', text })
  const roma = await h.ingest({ from: MARIO, to: TO, subject: 'Vetro non raccolto in via Roma', text })
  const verdi = await h.ingest({ from: MARIO, to: TO, subject: 'Ingombranti in via Verdi', text })
  const stranger = await h.ingest({ from: 'Sconosciuto <sconosciuto@example.test>', to: TO, subject: 'Rifiuti abbandonati al parco', text })
  return { h, ids: { garibaldi, roma, verdi, stranger } }
}

const tabs = (page: Page) => page.locator('trc-worklist [role=tab]')
const rows = (page: Page) => page.locator('trc-worklist tbody tr')
const rowIds = async (page: Page) => await rows(page).evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-work-order-id'))))

async function home(h: UiHarness, user: 'demo-admin' | 'demo-operator' | 'demo-viewer') {
  const { context, page } = await h.signedIn(user)
  await rows(page).first().waitFor()
  return { context, page }
}

if (!chromiumAvailable()) {
  t.fail('Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium): the UI cannot be tested')
} else {
  t.test('the home page after login: queue tabs with their counts; spam and quarantine only for administrators', async (t) => {
    const { h, ids } = await setup(t)
    const { context, page } = await home(h, 'demo-operator')
    t.teardown(() => context.close())
    t.equal(new URL(page.url()).pathname, '/', 'the worklist is the home page')
    await page.locator('trc-worklist [role=tab][data-queue=to_answer] .badge', { hasText: '4' }).waitFor()
    const labels = (await tabs(page).allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim())
    t.same(labels, ['Da rispondere 4', 'In scadenza 0', 'Scaduti 0', 'Nuovi oggi 4', 'Mittenti da collegare 1', 'Recapiti non riusciti 0'])
    t.equal(await tabs(page).first().getAttribute('aria-selected'), 'true')
    t.same(await rowIds(page), [ids.garibaldi, ids.roma, ids.verdi, ids.stranger], 'due date, then id')
    t.same(await seriousAxeViolations(page), [], 'no serious accessibility violation')

    const admin = await home(h, 'demo-admin')
    t.teardown(() => admin.context.close())
    await admin.page.locator('trc-worklist [role=tab][data-queue=spam]').waitFor()
    const adminLabels = (await tabs(admin.page).allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim())
    t.same(adminLabels.slice(6), ['Spam 0', 'Quarantena 0'])
    await admin.page.goto(`${h.base}/worklist`)
    await rows(admin.page).first().waitFor()
    t.equal(await rows(admin.page).count(), 4, '/worklist mounts it too')
  })

  t.test('switching queue and filtering by text and channel', async (t) => {
    const { h, ids } = await setup(t)
    const { context, page } = await home(h, 'demo-operator')
    t.teardown(() => context.close())
    await page.locator('trc-worklist [role=tab][data-queue=unlinked_senders]').click()
    await page.waitForFunction(() => document.querySelectorAll('trc-worklist')[0]?.shadowRoot?.querySelectorAll('tbody tr').length === 1)
    t.same(await rowIds(page), [ids.stranger])
    t.equal(await page.locator('trc-worklist [role=tab][data-queue=unlinked_senders]').getAttribute('aria-selected'), 'true')
    t.match(await rows(page).first().textContent(), /sconosciuto@example\.test/)

    await page.locator('trc-worklist [role=tab][data-queue=to_answer]').click()
    await page.locator('trc-worklist #f-text').fill('GARIBALDI')
    // wait for that very row: "one row" alone is also what the previous queue showed before the new page arrived
    await page.waitForFunction((id) => {
      const trs = [...(document.querySelector('trc-worklist')?.shadowRoot?.querySelectorAll('tbody tr') ?? [])]
      return trs.length === 1 && Number(trs[0]?.getAttribute('data-work-order-id')) === id
    }, ids.garibaldi)
    t.same(await rowIds(page), [ids.garibaldi], 'subject, any case')
    await page.locator('trc-worklist [role=tab][data-queue=to_answer] .badge', { hasText: '1' }).waitFor()
    t.pass('the counts follow the filter')
    await page.locator('trc-worklist #f-text').fill('')
    await page.locator('trc-worklist #f-channel').selectOption('web')
    await page.locator('trc-worklist', { hasText: 'Nessun elemento in questa coda.' }).waitFor()
    t.equal(await rows(page).count(), 0, 'no web requests')
    await page.locator('trc-worklist #f-channel').selectOption('email')
    await page.waitForFunction(() => document.querySelector('trc-worklist')?.shadowRoot?.querySelectorAll('tbody tr').length === 4)
    t.same(await rowIds(page), [ids.garibaldi, ids.roma, ids.verdi, ids.stranger])
  })

  t.test('keyboard: arrows move through the list, Enter opens the work order', async (t) => {
    const { h, ids } = await setup(t)
    const { context, page } = await home(h, 'demo-operator')
    t.teardown(() => context.close())
    await page.locator('trc-worklist tbody a').first().focus()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowUp')
    const focused = await page.evaluate(() =>
      document.querySelector('trc-worklist')?.shadowRoot?.activeElement?.closest('tr')?.getAttribute('data-work-order-id')
    )
    t.equal(Number(focused), ids.roma, 'down, down, up: the second row')
    await Promise.all([page.waitForURL(`${h.base}/work-orders/${ids.roma}#comunicazioni`), page.keyboard.press('Enter')])
    await page.locator('trc-communications article').first().waitFor()
    t.pass('the work order opens on its Comunicazioni tab')
  })

  t.test('a click on a row opens that work order; paging moves by cursor', async (t) => {
    const { h, ids } = await setup(t)
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    await page.goto(`${h.base}/`)
    await page.evaluate(() => document.querySelector('trc-worklist')?.setAttribute('page-size', '3'))
    await page.evaluate(() => (document.querySelector('trc-worklist') as unknown as { refresh(): Promise<void> }).refresh())
    await page.waitForFunction(() => document.querySelector('trc-worklist')?.shadowRoot?.querySelectorAll('tbody tr').length === 3)
    t.match(await page.locator('trc-worklist .pager span').textContent(), '1–3 di 4')
    await page.locator('trc-worklist .pager button', { hasText: 'Pagina successiva' }).click()
    await page.waitForFunction(() => document.querySelector('trc-worklist')?.shadowRoot?.querySelectorAll('tbody tr').length === 1)
    t.same(await rowIds(page), [ids.stranger])
    t.match(await page.locator('trc-worklist .pager span').textContent(), '4–4 di 4')
    await page.locator('trc-worklist .pager button', { hasText: 'Pagina precedente' }).click()
    await page.waitForFunction(() => document.querySelector('trc-worklist')?.shadowRoot?.querySelectorAll('tbody tr').length === 3)
    await Promise.all([page.waitForURL(`${h.base}/work-orders/${ids.verdi}#comunicazioni`), rows(page).nth(2).locator('td').nth(2).click()])
    t.pass('the click opened the third row')
  })
}
