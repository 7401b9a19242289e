// The Communications tab in a real Chromium against the example host (SQLite by default): an operator signs in,
// reads an inbound mail, replies with bold text and an attachment and sees the reply delivered to a real SMTP
// server; hostile mail renders with nothing executed; a viewer reads but cannot write; screenshots and axe-core.
import type { Frame, Page } from 'playwright-core'
import t from 'tap'
import { chromiumAvailable, screenshotPath, seriousAxeViolations, startUiHarness, type UiHarness } from './browser.js'

if (!chromiumAvailable()) {
  t.fail('Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium): the UI cannot be tested')
  t.end()
} else {
  const ONE_PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
  let h: UiHarness

  t.before(async () => {
    h = await startUiHarness()
  })
  t.teardown(() => h?.close())

  const ingest = (options: Parameters<UiHarness['ingest']>[0]) => h.ingest(options)
  const openTab = (page: Page, id: number) => h.openTab(page, id)
  const bodyFrame = (page: Page, index?: number): Promise<Frame> => h.bodyFrame(page, index)

  t.test('bundle size', async (t) => {
    t.ok(h.bundleGzip > 0 && h.bundleGzip < 150 * 1024, `the bundle is ${(h.bundleGzip / 1024).toFixed(1)} KB gzipped (limit 150 KB)`)
  })

  t.test('an operator reads an inbound mail and replies with bold text and an attachment', async (t) => {
    const workOrderId = await ingest({
      from: 'Mario Rossi <mario.rossi@example.test>',
      to: 'tari@garbage.example.test',
      subject: 'Bidone organico non svuotato',
      text: "Buongiorno, il bidone dell'organico non viene svuotato da due settimane.",
      html: `<p>Buongiorno,</p><p>il bidone dell'organico in <b>via Roma 1</b> non viene svuotato da due settimane.</p>
        <p>Allego la bolletta e una foto.</p><p><img src="cid:foto@mario" alt="foto del bidone" width="40" height="40"></p>
        <div>Il giorno lun 2 mar 2026 alle ore 10:15 Ufficio TARI &lt;tari@garbage.example.test&gt; ha scritto:<br></div>
        <blockquote><p>Gentile utente, abbiamo ricevuto la sua precedente segnalazione n. 41.</p><p>Cordiali saluti</p></blockquote>`,
      attachments: [
        { filename: 'bolletta-2026.pdf', content: Buffer.from('%PDF-1.4\n% test\n'), contentType: 'application/pdf' },
        { filename: 'foto.png', content: ONE_PIXEL_PNG, contentType: 'image/png', cid: 'foto@mario' }
      ]
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    const pageErrors: string[] = []
    page.on('pageerror', (err) => pageErrors.push(err.message))
    await openTab(page, workOrderId)

    // the thread: direction, channel, sender, Italian date, subject, body, attachments
    const inbound = page.locator('trc-communications article[data-direction=inbound]').first()
    await t.resolves(inbound.getByText('Cittadino', { exact: true }).waitFor(), 'direction badge')
    t.ok(await inbound.getByText('Email', { exact: true }).isVisible(), 'channel badge')
    t.match(await inbound.locator('h4').textContent(), /Bidone organico non svuotato/)
    t.match(await inbound.locator('.addresses').textContent(), /Mario Rossi <mario\.rossi@example\.test>/)
    t.match(await inbound.locator('time').textContent(), /(gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic)[a-z]* \d{4}/, 'date in Italian')
    const link = inbound.getByRole('link', { name: /bolletta-2026\.pdf/ })
    t.match(await link.getAttribute('href'), /^\/api\/communications\/attachments\/\d+$/)
    t.match(await link.getAttribute('aria-label'), /^Scarica bolletta-2026\.pdf \(\d+ B\)$/)

    const frame = await bodyFrame(page)
    t.match(await frame.locator('body').textContent(), /non viene svuotato da due settimane/)
    t.notMatch(await frame.locator('body').textContent(), /precedente segnalazione/, 'the quoted history starts collapsed')
    await frame.waitForFunction(() => Array.from(document.images).every((img) => img.complete))
    t.equal(await frame.evaluate(() => document.images[0]?.naturalWidth ?? 0), 1, 'the inline cid image loads from the attachment route')
    const frameHeight = await page
      .locator('trc-mail-body iframe')
      .first()
      .evaluate((el) => el.getBoundingClientRect().height)
    t.ok(frameHeight > 60, `the frame is sized to its content (${frameHeight}px)`)
    const toggle = inbound.getByRole('button', { name: 'Mostra citazione' })
    t.equal(await toggle.getAttribute('aria-expanded'), 'false')
    await toggle.click()
    await (await bodyFrame(page)).getByText('precedente segnalazione').waitFor()
    t.equal(await inbound.getByRole('button', { name: 'Nascondi citazione' }).getAttribute('aria-expanded'), 'true')
    await page.locator('trc-communications').screenshot({ path: screenshotPath('tab-thread.png') })

    // axe on the thread
    const threadViolations = await seriousAxeViolations(page)
    t.same(threadViolations, [], 'no serious or critical accessibility violations in the thread view')

    // compose a reply: toolbar bold, a file, the send button
    await page.getByRole('button', { name: 'Rispondi' }).click()
    const editor = page.locator('trc-compose .editor')
    await editor.waitFor()
    await editor.click()
    await page.keyboard.type('Gentile signor Rossi, ')
    await page.getByRole('button', { name: 'Grassetto' }).click()
    await page.keyboard.type('il ritiro è programmato per domani')
    await page.getByRole('button', { name: 'Grassetto' }).click()
    await page.keyboard.type('. Cordiali saluti.')
    t.match(
      await editor.innerHTML(),
      /<b>il ritiro è programmato per domani<\/b>|<strong>il ritiro è programmato per domani<\/strong>/,
      'bold from the toolbar'
    )
    await page
      .locator('trc-compose #files')
      .setInputFiles({ name: 'calendario-ritiri.txt', mimeType: 'text/plain', buffer: Buffer.from('Lunedì: organico\nMartedì: carta\n') })
    await page.locator('trc-compose .files').getByText('calendario-ritiri.txt').waitFor()
    await page.locator('trc-communications').screenshot({ path: screenshotPath('tab-compose.png') })
    const composeViolations = await seriousAxeViolations(page)
    t.same(composeViolations, [], 'no serious or critical accessibility violations with the compose form open')

    await page.locator('trc-compose button[type=submit]').click()
    await page.getByText('Risposta inviata: in coda per il recapito.').waitFor()
    const outbound = page.locator('trc-communications article.operator')
    await outbound.first().waitFor()
    t.match(await outbound.first().locator('.delivery').textContent(), /In coda|In invio|Inviato/, 'the reply shows its delivery status')
    t.ok(
      await outbound
        .first()
        .getByRole('link', { name: /calendario-ritiri\.txt/ })
        .isVisible(),
      'the reply lists its attachment'
    )

    // the outbox worker delivers it to the SMTP server, and the tab shows "Inviato" without a reload
    const messages = await h.smtp.waitFor(2, 20_000)
    const sent = messages.find((m) => /programmato per domani/.test(m.parsed.html || ''))
    t.ok(sent, 'the reply reached the SMTP server')
    if (sent) {
      t.match(sent.parsed.html, /<(b|strong)>il ritiro è programmato per domani<\/(b|strong)>/, 'with the bold text')
      t.same(
        sent.parsed.attachments.map((a) => a.filename),
        ['calendario-ritiri.txt'],
        'with the attachment'
      )
      t.same(sent.envelope.to, ['mario.rossi@example.test'])
      t.match(sent.parsed.subject, /Bidone organico non svuotato/)
    }
    await outbound.first().locator('.pill[data-status=sent]').waitFor({ timeout: 15_000 })
    t.pass('the delivery status turns to "Inviato" by polling')
    await page.locator('trc-communications').screenshot({ path: screenshotPath('tab-after-reply.png') })

    // newest first: each body frame keeps its own message and its own height
    await page.getByRole('button', { name: 'Dal più recente' }).click()
    t.match(await page.locator('trc-communications article h4').first().textContent(), /^Re: /, 'the reply comes first')
    await page.waitForTimeout(400)
    const sizes = await page.evaluate(() =>
      Array.from(document.querySelector('trc-communications')?.shadowRoot?.querySelectorAll('trc-mail-body') ?? []).map((b) => {
        const frame = b.shadowRoot?.querySelector('iframe')
        return {
          frame: Math.round(frame?.getBoundingClientRect().height ?? 0),
          body: Math.round(frame?.contentDocument?.body.getBoundingClientRect().height ?? -1)
        }
      })
    )
    t.ok(sizes.length >= 3 && sizes.every((s) => Math.abs(s.frame - s.body) <= 2), `frames fit their content: ${JSON.stringify(sizes)}`)
    t.same(pageErrors, [], 'no script errors on the page')
  })

  t.test('a draft survives a page reload', async (t) => {
    const workOrderId = await ingest({
      from: 'mario.rossi@example.test',
      to: 'tari@garbage.example.test',
      subject: 'Richiesta informazioni tariffa',
      text: 'Come si calcola la TARI?'
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    await openTab(page, workOrderId)
    await page.getByRole('button', { name: 'Nota interna' }).click()
    await page.locator('trc-compose .editor').click()
    await page.keyboard.type("Verificare con l'ufficio tributi")
    await page.locator('trc-compose .saved').waitFor()
    await page.reload()
    await page.locator('trc-compose .editor').waitFor()
    t.match(await page.locator('trc-compose .editor').textContent(), /Verificare con l'ufficio tributi/, 'the text is back')
    t.match(await page.locator('trc-compose h3').textContent(), /nota interna/i, 'in the same mode')
    await page.getByText('Bozza ripristinata.').waitFor()
    // send it: the note joins the thread and the draft is gone
    await page.locator('trc-compose button[type=submit]').click()
    await page.getByText('Nota aggiunta alla conversazione.').waitFor()
    await page.locator('trc-communications article.note').getByText('Nota interna', { exact: true }).first().waitFor()
    t.equal(await page.evaluate((key) => localStorage.getItem(key), `trc-draft:/api/communications:${workOrderId}`), null, 'the draft is cleared once sent')

    // the tab at phone width
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByRole('button', { name: 'Rispondi' }).click()
    await page.locator('trc-compose .editor').waitFor()
    await page.screenshot({ path: screenshotPath('tab-mobile-390.png'), fullPage: true })
    await page.locator('trc-communications').evaluate((el) => el.scrollIntoView())
    await page.screenshot({ path: screenshotPath('tab-mobile-390-top.png') })
    await page.locator('trc-compose').screenshot({ path: screenshotPath('tab-mobile-390-compose.png') })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    t.ok(overflow <= 0, `no horizontal scrolling at 390px (${overflow}px)`)
    t.same(await seriousAxeViolations(page), [], 'no serious or critical accessibility violations at phone width')
  })

  t.test('hostile mail renders with nothing executed', async (t) => {
    const workOrderId = await ingest({
      from: 'Attaccante <attacker@example.test>',
      to: 'tari@garbage.example.test',
      subject: 'Fattura <script>top.__trcPwned("subject")</script>',
      text: 'testo <script>top.__trcPwned("text")</script>',
      html: `<p>Gentile ufficio,</p>
        <img src=x onerror="window.top.__pwned=1;top.__trcPwned('img')">
        <script>window.top.__pwned=1;top.__trcPwned('script')</script>
        <a id="js" href="javascript:top.__trcPwned('href')">clicca qui</a>
        <a href="jav&#x09;ascript:top.__trcPwned('tab')">anche qui</a>
        <a href="data:text/html,<script>top.__trcPwned('data')</script>">dati</a>
        <svg onload="top.__trcPwned('svg')"><circle r="5"/></svg>
        <iframe srcdoc="<script>parent.__trcPwned('iframe')</script>"></iframe>
        <form action="javascript:top.__trcPwned('form')"><button>Invia</button></form>
        <div style="background:url(javascript:top.__trcPwned('css'));position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999">finto login</div>
        <style>body{background:url("javascript:top.__trcPwned('style')")} @import url(https://evil.example.test/x.css);</style>
        <math><mtext><table><mglyph><style><img src=x onerror="top.__trcPwned('mxss')"></style></mglyph></table></mtext></math>
        <meta http-equiv="refresh" content="0;url=javascript:top.__trcPwned('meta')">
        <object data="javascript:top.__trcPwned('object')"></object>
        <img src="https://tracker.example.test/pixel.gif" alt="pixel">`
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    const calls: string[] = []
    await page.exposeFunction('__trcPwned', (where: string) => {
      calls.push(where)
    })
    const dialogs: string[] = []
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
    const remote: string[] = []
    page.on('request', (r) => {
      if (!r.url().startsWith(h.base) && !r.url().startsWith('data:')) remote.push(r.url())
    })
    await openTab(page, workOrderId)
    const frame = await bodyFrame(page)
    t.match(await frame.locator('body').textContent(), /Gentile ufficio/)
    // try the links too: a sandbox without scripts never runs javascript: URLs
    await frame
      .locator('a')
      .first()
      .click({ force: true, timeout: 3000 })
      .catch(() => undefined)
    await page.waitForTimeout(500)

    t.same(calls, [], 'no payload ever called the exposed function')
    t.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'window.__pwned was never set')
    t.same(dialogs, [], 'no dialogs')
    t.same(remote, [], 'no request left the host (no tracking pixel, no remote CSS)')
    const inFrame = await frame.evaluate(() => ({
      scripts: document.querySelectorAll('script').length,
      handlers: Array.from(document.querySelectorAll('*')).flatMap((el) =>
        Array.from(el.attributes)
          .filter((a) => a.name.startsWith('on'))
          .map((a) => a.name)
      ),
      jsLinks: Array.from(document.querySelectorAll('[href],[src],[action],[data]'))
        .map((el) => el.getAttribute('href') ?? el.getAttribute('src') ?? el.getAttribute('action') ?? el.getAttribute('data') ?? '')
        .filter((v) => /^\s*(java|vb)script:|^\s*data:text/i.test(v.replace(/[\t\n\r]/g, ''))),
      dangerous: document.body.querySelectorAll('iframe,object,embed,form,svg,math,meta,style,link,base').length,
      body: document.body.innerHTML,
      fixed: Array.from(document.querySelectorAll('body *')).some((el) => getComputedStyle(el).position === 'fixed'),
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null
    }))
    t.comment(`what is left of the hostile mail: ${inFrame.body.replace(/\s+/g, ' ')}`)
    t.equal(inFrame.scripts, 0, 'no script element')
    t.same(inFrame.handlers, [], 'no event-handler attribute')
    t.same(inFrame.jsLinks, [], 'no javascript: or data:text URL remains')
    t.equal(inFrame.dangerous, 0, 'no frame, object, form, svg, math, meta refresh or style element')
    t.notOk(inFrame.fixed, 'no fixed overlay')
    t.equal(inFrame.csp, "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
    const sandbox = await page.locator('trc-mail-body iframe').first().getAttribute('sandbox')
    t.notMatch(sandbox ?? '', /allow-scripts/, 'the frame sandbox never allows scripts')
    const shadowLinks = await page.evaluate(() => {
      const out: string[] = []
      const walk = (root: Document | ShadowRoot) => {
        for (const el of Array.from(root.querySelectorAll('*'))) {
          const href = el.getAttribute('href')
          if (href && /^\s*javascript:/i.test(href)) out.push(href)
          if (el.shadowRoot) walk(el.shadowRoot)
        }
      }
      walk(document)
      return out
    })
    t.same(shadowLinks, [], 'no javascript: href anywhere in the page or the shadow DOM')
    t.match(await page.locator('trc-communications article h4').first().textContent(), /Fattura <script>/, 'the subject shows as text')
    t.same(calls, [], 'still nothing ran')
  })

  t.test('a viewer sees the conversation but no compose controls, and the API refuses writes', async (t) => {
    const workOrderId = await ingest({
      from: 'mario.rossi@example.test',
      to: 'tari@garbage.example.test',
      subject: 'Segnalazione abbandono rifiuti',
      text: 'Sacchi abbandonati in piazza.'
    })
    const { context, page } = await h.signedIn('demo-viewer')
    t.teardown(() => context.close())
    await openTab(page, workOrderId)
    t.match(await page.locator('trc-communications article h4').first().textContent(), /Segnalazione abbandono rifiuti/)
    await page.getByText('Sola consultazione').waitFor()
    t.equal(await page.locator('trc-communications #reply').count(), 0, 'no reply button')
    t.equal(await page.locator('trc-communications #forward').count(), 0, 'no forward button')
    t.equal(await page.locator('trc-communications #note').count(), 0, 'no note button')
    t.equal(await page.locator('trc-compose').count(), 0, 'no compose form')
    t.equal(await page.getByRole('button', { name: 'Cambia stato' }).count(), 0, 'no state change')
    t.equal(await page.getByRole('button', { name: 'Invia documento' }).count(), 0, 'no document sending')
    t.ok(await page.getByRole('link', { name: /Esporta \.docx/ }).isVisible(), 'the export stays available')
    const statuses = await page.evaluate(async (id) => {
      const post = (path: string, body: unknown) =>
        fetch(`/api/communications${path}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body)
        })
      const reply = await post(`/work-orders/${id}/reply`, { html: '<p>no</p>' })
      const note = await post(`/work-orders/${id}/notes`, { html: '<p>no</p>' })
      const state = await post(`/work-orders/${id}/state`, { state: 'closed' })
      return { reply: reply.status, note: note.status, state: state.status, message: (await reply.json()).message }
    }, workOrderId)
    t.same({ reply: statuses.reply, note: statuses.note, state: statuses.state }, { reply: 403, note: 403, state: 403 })
    t.match(statuses.message, /Non hai il permesso/)
    t.same(await seriousAxeViolations(page), [], 'no serious or critical accessibility violations for the viewer')

    // opened on the host's first tab, the mail frames are sized when the Communications tab is shown
    await page.goto(`${h.base}/work-orders/${workOrderId}`)
    await page.locator('trc-communications article').first().waitFor({ state: 'attached' })
    await page.getByRole('tab', { name: 'Comunicazioni' }).click()
    await page.waitForFunction(
      () => {
        const body = document.querySelector('trc-communications')?.shadowRoot?.querySelector('trc-mail-body')
        const frame = body?.shadowRoot?.querySelector('iframe')
        return frame ? frame.style.height !== '' && frame.getBoundingClientRect().height >= 20 : false
      },
      undefined,
      { timeout: 5000 }
    )
    t.pass('the body frames get their height once the tab is visible')

    // signed out in another tab: the next refresh (here: a colleague's note, announced on the event stream) says so
    // instead of failing silently
    await page.context().clearCookies()
    const note = await h.host.app.inject({
      method: 'POST',
      url: `/api/communications/work-orders/${workOrderId}/notes`,
      headers: { authorization: 'Bearer demo-operator' },
      payload: { html: '<p>Nota di un collega</p>' }
    })
    t.equal(note.statusCode, 201)
    await page
      .getByText('Sessione scaduta', { exact: false })
      .or(page.getByText('Autenticazione richiesta', { exact: false }))
      .first()
      .waitFor({ timeout: 12_000 })
    t.pass('an expired session is reported')
  })

  t.test('the language switches to English at runtime', async (t) => {
    const workOrderId = await ingest({
      from: 'mario.rossi@example.test',
      to: 'tari@garbage.example.test',
      subject: 'Cambio indirizzo',
      text: 'Ho cambiato casa.'
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    await openTab(page, workOrderId)
    await page.locator('trc-communications #lang-select').selectOption('en')
    await page.getByRole('button', { name: 'Reply' }).waitFor()
    t.equal(await page.locator('trc-communications').getAttribute('lang'), 'en')
    t.ok(await page.getByText('Citizen', { exact: true }).first().isVisible())
    const error = await page.evaluate(async (id) => {
      const r = await fetch(`/api/communications/work-orders/${id}/reply`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'accept-language': 'en' },
        body: JSON.stringify({ html: '' })
      })
      return (await r.json()).message as string
    }, workOrderId)
    t.equal(error, 'Invalid request: the field "html" is missing', 'the server answers in English too')
  })
}
