// The Sportello On-line in real Chromium, against the example host on loopback with a real SMTP server: a
// citizen makes a mistake, sees it next to the field, fixes it, attaches a photo and gets the confirmation; the
// work order holds the message and the photo, the confirmation mail arrives. axe-core checks the form, its error
// state and the confirmation (no serious or critical violations); the embed snippet shows the form on another site.
import t from 'tap'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startSmtpServer } from '../helpers/smtp.js'
import { auth, startTestHost } from '../helpers/host.js'
import { chromiumAvailable, launchChromium, screenshotPath, seriousAxeViolations } from '../ui/browser.js'
import { API } from './fixtures.js'

const MAIL_FROM = '"Ufficio TARI" <tari@garbage.example.test>'

t.test('Sportello On-line in Chromium', { skip: chromiumAvailable() ? false : 'Chromium not installed (apt-get install chromium)' }, async (t) => {
  const smtp = await startSmtpServer({ t })
  const host = await startTestHost({ mail: { from: MAIL_FROM, smtp: { url: smtp.url }, startWorkers: true }, intake: { minFillSeconds: 1, perIpLimit: 100 } })
  t.teardown(() => host.close())
  await host.app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(host.app.server.address() as AddressInfo).port}`
  const formUrl = `${base}${API}/intake/form`
  const browser = await launchChromium()
  t.teardown(() => browser.close())
  const marioCf = String((await host.knex('contribuenti').first('codice_fiscale').where('id_contribuente', host.contributors.marioRossi)).codice_fiscale)

  t.test('a citizen fixes a mistake, attaches a photo and gets the confirmation (page CSP enforced)', async (t) => {
    const context = await browser.newContext({ locale: 'it-IT' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const problems: string[] = []
    const failed: string[] = []
    // failed loads are checked through the responses (the deliberate 400 and the browser's favicon probe are expected)
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text())
    })
    page.on('pageerror', (e) => problems.push(e.message))
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) failed.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`)
    })
    await page.goto(formUrl)
    t.equal(await page.title(), 'Sportello On-line – Garbage Servizi Ambientali S.p.A.')
    t.equal(await page.isVisible('#trc-complaint'), false, 'the complaint section waits for a complaint type')

    await page.selectOption('#field-type', 'reclamo_scritto')
    t.equal(await page.isVisible('#trc-complaint'), true)
    await page.selectOption('#field-service', 'raccolta_trasporto')
    await page.fill('#field-subject', "Umido non raccolto in via dell'Università")
    await page.fill(
      '#field-description',
      'È la terza settimana che il bidone dell’umido resta pieno: perché nessuno passa? Così non è più possibile andare avanti.'
    )
    await page.fill('#field-address', "Via dell'Università 7, Cantù")
    await page.fill('#field-firstName', 'Niccolò')
    await page.fill('#field-lastName', 'Rossi')
    await page.fill('#field-email', 'niccolo.rossi@example.test')
    await page.fill('#field-fiscalCode', 'RSSMRA80A01H501X')
    await page.fill('#field-iban', 'IT60 X054 2811 1010 0000 0123 456')
    await page.check('#field-privacy')
    await page.waitForTimeout(1100) // a person takes longer than the minimum fill time
    await page.click('#trc-submit')
    await page.waitForSelector('#trc-error-summary:not([hidden])')
    t.equal(await page.evaluate(() => document.activeElement?.id), 'trc-error-summary', 'focus moves to the error summary')
    t.match(await page.textContent('#trc-error-summary'), /Codice fiscale non valido: controlla le 16 lettere e cifre/)
    t.equal(await page.getAttribute('#field-fiscalCode', 'aria-invalid'), 'true')
    t.match(await page.getAttribute('#field-fiscalCode', 'aria-describedby'), /field-fiscalCode-error/)
    t.match(await page.textContent('#field-fiscalCode-error'), /Codice fiscale non valido/)
    await page.click('#trc-error-summary a[href="#field-fiscalCode"]')
    t.equal(await page.evaluate(() => document.activeElement?.id), 'field-fiscalCode', 'the summary link takes the citizen to the field')

    await page.fill('#field-fiscalCode', marioCf)
    const photo = await page.screenshot({ type: 'jpeg', quality: 70 })
    await page.setInputFiles('#field-attachments', { name: 'foto bidone – via dell’Università.jpg', mimeType: 'image/jpeg', buffer: photo })
    await page.click('#trc-submit')
    await page.waitForSelector('#trc-confirmation:not([hidden])')
    t.equal(await page.isVisible('#trc-form'), false)
    t.equal(await page.evaluate(() => document.activeElement?.id), 'trc-confirmation', 'focus moves to the confirmation')
    const reference = (await page.textContent('#trc-reference')) ?? ''
    t.match(reference, /^RC-\d{4}-\d{6}$/)
    t.match(await page.textContent('#trc-due'), /risposta motivata entro il \d{1,2} \w+ \d{4}/, 'the ARERA deadline, in words')
    t.same(problems, [], 'no script errors and no CSP violations')
    t.same(failed, [`400 POST ${API}/intake/web`], 'every asset loaded; only the invalid submission was refused')

    const intake = await host.knex('trc_intake_requests').first('*').where('reference', reference)
    t.ok(intake, 'the request is registered')
    const workOrderId = Number(intake.work_order_id)
    const wo = await host.knex('ordini_lavoro').first('*').where('id_odl', workOrderId)
    t.equal(Number(wo.id_contribuente), host.contributors.marioRossi)
    t.equal(wo.oggetto, "Umido non raccolto in via dell'Università")
    t.equal(wo.tipo_odl, 'RECLAMO')
    const items = (await host.app.inject({ url: `${API}/work-orders/${workOrderId}/messages`, headers: auth('demo-viewer') })).json().items
    const submission = items[0]
    t.match(submission, { channel: 'web', direction: 'inbound', fromName: 'Niccolò Rossi' })
    t.match(submission.text, /È la terza settimana che il bidone dell’umido resta pieno: perché nessuno passa\?/)
    t.match(submission.text, /IT60X0542811101000000123456/)
    t.equal(submission.attachments.length, 1)
    t.match(submission.attachments[0], { filename: 'foto bidone – via dell’Università.jpg', contentType: 'image/jpeg', size: photo.length })
    const stored = await host.app.inject({ url: `${API}/attachments/${submission.attachments[0].id}`, headers: auth('demo-viewer') })
    t.ok(stored.rawPayload.equals(photo), 'the photo arrives byte for byte')

    const [mail] = await smtp.waitFor(1, 15_000)
    t.same(mail?.envelope.to, ['niccolo.rossi@example.test'])
    t.match(mail?.parsed.subject, new RegExp(`\\[OdL #${workOrderId}\\]`))
    t.match(mail?.parsed.text, new RegExp(reference))
    t.match(mail?.parsed.text, /Sportello On-line/)
    t.match(mail?.parsed.text, /30 giorni lavorativi/)

    // the link of the confirmation shows the citizen's status page
    await page.click('#trc-status-link')
    await page.waitForSelector('h1')
    t.match(await page.textContent('main'), new RegExp(`${reference}[\\s\\S]*Aperta`))
  })

  t.test('accessibility: axe-core on the form, its error state and the confirmation', async (t) => {
    // axe is injected as a script: this context lets it past the page's CSP
    const context = await browser.newContext({ bypassCSP: true, locale: 'it-IT', viewport: { width: 1024, height: 900 } })
    t.teardown(() => context.close())
    const page = await context.newPage()
    await page.goto(formUrl)
    t.same(await seriousAxeViolations(page), [], 'the empty form')
    await page.screenshot({ path: screenshotPath('intake-form.png'), fullPage: true })

    await page.selectOption('#field-type', 'reclamo_scritto')
    await page.check('#field-nonDomestic')
    await page.waitForTimeout(1100)
    await page.click('#trc-submit')
    await page.waitForSelector('#trc-error-summary:not([hidden])')
    t.ok((await page.locator('#trc-error-summary li').count()) >= 6, 'every problem is listed')
    t.same(await seriousAxeViolations(page), [], 'the form with its errors')
    await page.screenshot({ path: screenshotPath('intake-form-errors.png'), fullPage: true })

    await page.selectOption('#field-type', 'segnalazione_disservizio')
    await page.selectOption('#field-service', 'spazzamento_lavaggio')
    await page.fill('#field-subject', 'Foglie e rifiuti in piazza')
    await page.fill('#field-description', 'Da giorni la piazza non viene spazzata.')
    await page.fill('#field-latitude', '45,7384')
    await page.fill('#field-longitude', '9,1255')
    await page.fill('#field-firstName', 'Anna')
    await page.fill('#field-lastName', 'Bianchi')
    await page.fill('#field-email', 'anna.bianchi@example.test')
    await page.uncheck('#field-nonDomestic')
    await page.check('#field-privacy')
    await page.click('#trc-submit')
    await page.waitForSelector('#trc-confirmation:not([hidden])')
    t.same(await seriousAxeViolations(page), [], 'the confirmation')
    await page.screenshot({ path: screenshotPath('intake-confirmation.png'), fullPage: true })

    await page.goto(`${formUrl}?lang=en`)
    t.equal(await page.getAttribute('html', 'lang'), 'en')
    t.same(await seriousAxeViolations(page), [], 'the English form')
  })

  t.test('without JavaScript the form still works: errors in the returned page, then the confirmation page', async (t) => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'it-IT' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    await page.goto(formUrl)
    t.equal(await page.isVisible('#trc-complaint'), true, 'without script every section is shown')
    await page.selectOption('#field-type', 'rettifica_importi')
    await page.selectOption('#field-service', 'tariffe_rapporto_utenti')
    await page.fill('#field-subject', 'Importo TARI 2026 più alto del dovuto')
    await page.fill('#field-description', 'La superficie indicata è di 120 m² ma l’appartamento è di 85 m².')
    await page.fill('#field-firstName', 'Mario')
    await page.fill('#field-lastName', 'Rossi')
    await page.fill('#field-email', 'mario.rossi@example.test')
    await page.fill('#field-fiscalCode', marioCf)
    await page.fill('#field-iban', 'IT60X0542811101000000123457')
    await page.check('#field-privacy')
    await page.waitForTimeout(1100)
    await Promise.all([page.waitForLoadState('load'), page.click('#trc-submit')])
    await page.waitForSelector('#field-iban-error:not([hidden])')
    t.match(await page.textContent('#trc-error-summary'), /IBAN non valido: le cifre di controllo non corrispondono/)
    t.equal(await page.inputValue('#field-subject'), 'Importo TARI 2026 più alto del dovuto', 'what was typed is kept')
    await page.fill('#field-iban', 'IT60X0542811101000000123456')
    await Promise.all([page.waitForLoadState('load'), page.click('#trc-submit')])
    await page.waitForSelector('#trc-confirmation')
    t.match(await page.textContent('#trc-reference'), /^RC-\d{4}-\d{6}$/)
    const intake = await host
      .knex('trc_intake_requests')
      .first('work_order_id')
      .where('reference', await page.textContent('#trc-reference'))
    t.equal((await host.knex('ordini_lavoro').first('tipo_odl').where('id_odl', intake.work_order_id)).tipo_odl, 'RETTIFICA')
  })

  t.test("the embed snippet puts the form on the operator's own site", async (t) => {
    const site = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8')
      res.end(`<!doctype html><html lang="it"><head><title>Comune di Esempio</title></head><body><main><h1>Segnala un problema</h1><div id="slot"></div>
<script src="${base}${API}/intake/embed.js" data-target="#slot"></script></main></body></html>`)
    })
    site.listen(0, '127.0.0.1')
    await once(site, 'listening')
    t.teardown(() => new Promise<void>((resolve) => site.close(() => resolve())))
    const context = await browser.newContext()
    t.teardown(() => context.close())
    const page = await context.newPage()
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`)
    const frame = page.frameLocator('#slot iframe[title="Sportello On-line: modulo di richiesta"]')
    await frame.locator('h1').waitFor()
    t.equal(await frame.locator('h1').textContent(), 'Sportello On-line')
    t.equal(await frame.locator('.top').isVisible(), false, "no page header inside the operator's page")
    await page.waitForFunction(() => ((document.querySelector('#slot iframe') as HTMLIFrameElement | null)?.getBoundingClientRect().height ?? 0) > 1000)
    const height = await page.evaluate(() => document.querySelector('#slot iframe')?.getBoundingClientRect().height ?? 0)
    t.ok(height > 1000, `the iframe grows to the form's height (${height}px)`)
  })
})
