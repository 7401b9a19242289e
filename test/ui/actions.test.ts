// The tab's actions in Chromium: live updates, linking an unknown or ambiguous sender, state and ARERA
// classification, the reasoned-reply template, forward with drag and drop and upload progress, Word paste, the
// .docx export and sending it by email.
import type { Page } from 'playwright-core'
import t from 'tap'
import { chromiumAvailable, screenshotPath, seriousAxeViolations, startUiHarness, type UiHarness } from './browser.js'

if (!chromiumAvailable()) {
  t.fail('Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium): the UI cannot be tested')
  t.end()
} else {
  let h: UiHarness
  t.before(async () => {
    h = await startUiHarness()
  })
  t.teardown(() => h?.close())

  const tab = (page: Page) => page.locator('trc-communications')

  t.test('a new inbound message appears without a reload', async (t) => {
    const id = await h.ingest({
      from: 'mario.rossi@example.test',
      to: 'tari@garbage.example.test',
      subject: 'Ritiro ingombranti',
      text: 'Vorrei prenotare il ritiro di un divano.'
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    await h.openTab(page, id)
    const before = await tab(page).locator('article').count()
    const ref = (await h.host.app.communications.workOrders.get(id))?.reference
    await h.ingest({
      from: 'mario.rossi@example.test',
      to: 'tari@garbage.example.test',
      subject: `Re: Ritiro ingombranti [OdL #${id}] ${ref ?? ''}`,
      text: 'Dimenticavo: anche una poltrona.\n\nIl giorno gio 26 nov 2026 Ufficio TARI <tari@garbage.example.test> ha scritto:\n> Gentile utente, abbiamo registrato la sua richiesta.\n> Cordiali saluti'
    })
    await tab(page).locator('article h4', { hasText: 'Re: Ritiro ingombranti' }).waitFor({ timeout: 12_000 })
    t.ok((await tab(page).locator('article').count()) > before, 'the thread grew by polling')
    const frames = await tab(page).locator('trc-mail-body iframe').count()
    const last = await h.bodyFrame(page, frames - 1)
    t.match(await last.locator('body').textContent(), /Dimenticavo: anche una poltrona\./)
    t.notMatch(await last.locator('body').textContent(), /abbiamo registrato/, 'the quoted plain-text history is collapsed')
    const reply = tab(page).locator('article', { hasText: 'Re: Ritiro ingombranti' })
    await reply.getByRole('button', { name: 'Mostra citazione' }).click()
    await (await h.bodyFrame(page, frames - 1)).getByText('abbiamo registrato').waitFor()
    t.pass('and opens on request')
    t.equal(await tab(page).locator('.sr-only[aria-live]').textContent(), 'Nuovo messaggio nella conversazione.', 'screen readers hear about it')
  })

  t.test('an unknown sender is linked to the right contributor; an ambiguous one is chosen among candidates', async (t) => {
    const unknown = await h.ingest({
      from: 'Nuovo Utente <nuovo.utente@example.test>',
      to: 'tari@garbage.example.test',
      subject: 'Prima segnalazione',
      text: 'Non ho ricevuto il calendario.'
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    await h.openTab(page, unknown)
    await tab(page)
      .getByText(/Mittente sconosciuto: nuovo\.utente@example\.test/)
      .waitFor()
    await tab(page).getByLabel('Numero del contribuente').fill(String(h.host.contributors.marioRossi))
    await tab(page).getByRole('button', { name: 'Collega' }).click()
    await tab(page).getByText(`Messaggio collegato al contribuente n. ${h.host.contributors.marioRossi}.`).waitFor()
    // the banner goes when the refreshed work order is rendered, which may come a moment after the notice
    await tab(page)
      .getByText(/Mittente sconosciuto/)
      .waitFor({ state: 'detached', timeout: 8000 })
    t.equal(
      await tab(page)
        .getByText(/Mittente sconosciuto/)
        .count(),
      0,
      'the banner is gone'
    )
    // the work order's summary is fetched apart from the conversation: it may render a moment after the banner goes
    await tab(page)
      .locator('.summary', { hasText: `(n. ${h.host.contributors.marioRossi})` })
      .waitFor({ timeout: 8000 })
    t.match(
      await tab(page).locator('.summary').textContent(),
      new RegExp(`\\(n\\. ${h.host.contributors.marioRossi}\\)`),
      'the work order moved to the contributor'
    )

    const ambiguous = await h.ingest({
      from: 'famiglia.bianchi@example.test',
      to: 'tari@garbage.example.test',
      subject: 'Rimborso',
      text: 'Chiediamo il rimborso della rata doppia.'
    })
    await h.openTab(page, ambiguous)
    await tab(page)
      .getByText(/Mittente ambiguo/)
      .waitFor()
    const [first, second] = h.host.contributors.bianchi
    const firstRadio = tab(page).getByRole('radio', { name: new RegExp(`Bianchi.*\\(n\\. ${first}\\)`) })
    await firstRadio.waitFor()
    t.ok(await firstRadio.isChecked(), 'the candidates are shown by name, the first one preselected')
    await tab(page)
      .locator('article')
      .first()
      .screenshot({ path: screenshotPath('tab-ambiguous-sender.png') })
    await tab(page)
      .getByRole('radio', { name: new RegExp(`Bianchi.*\\(n\\. ${second}\\)`) })
      .check()
    await tab(page).getByRole('button', { name: 'Collega' }).click()
    await tab(page).getByText(`Messaggio collegato al contribuente n. ${second}.`).waitFor()
    await tab(page)
      .getByText(/Mittente ambiguo/)
      .waitFor({ state: 'detached', timeout: 8000 })
    t.equal(
      await tab(page)
        .getByText(/Mittente ambiguo/)
        .count(),
      0,
      'the ambiguity banner is gone'
    )
  })

  t.test('state change and ARERA classification', async (t) => {
    const id = await h.ingest({
      from: 'mario.rossi@example.test',
      to: 'tari@garbage.example.test',
      subject: 'Reclamo per addebito errato',
      text: "Contesto l'importo della bolletta: è sbagliato."
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    await h.openTab(page, id)
    await tab(page).getByRole('button', { name: 'Cambia stato' }).click()
    await tab(page).getByLabel('Nuovo stato').selectOption('in_progress')
    await tab(page).getByLabel('Nota (facoltativa)').fill("Presa in carico dall'ufficio tributi")
    await tab(page).getByRole('button', { name: 'Aggiorna stato' }).click()
    await tab(page).getByText('Stato aggiornato: In lavorazione.').waitFor()
    t.match(await tab(page).locator('.summary').textContent(), /In lavorazione/)
    await tab(page).locator('article').getByText('Cambio di stato', { exact: true }).first().waitFor({ timeout: 8000 })

    await tab(page).getByRole('button', { name: 'Classificazione ARERA' }).click()
    await tab(page).getByLabel('Tipo ARERA').selectOption('rettifica_importi')
    await tab(page).getByRole('button', { name: 'Salva tipo' }).click()
    await tab(page).getByText('Tipo aggiornato: Richiesta di rettifica degli importi addebitati.').waitFor()
    t.match(await tab(page).locator('.summary').textContent(), /Richiesta di rettifica degli importi addebitati/)
    t.match(await tab(page).locator('.summary').textContent(), /\d+ giorni lavorativi|scade oggi/, 'days left in working days')
  })

  t.test('the ARERA reasoned-reply template, the placeholder check and the stopped clock', async (t) => {
    const id = await h.ingest({
      from: 'mario.rossi@example.test',
      to: 'tari@garbage.example.test',
      subject: 'Reclamo: raccolta saltata',
      text: 'Reclamo formalmente per la raccolta saltata tre volte.'
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    const wo = await h.host.app.communications.workOrders.get(id)
    await h.openTab(page, id)
    await tab(page).getByRole('button', { name: 'Rispondi' }).click()
    await tab(page).getByRole('button', { name: 'Modello risposta motivata ARERA' }).click()
    const editor = page.locator('trc-compose .editor')
    const text = (await editor.textContent()) ?? ''
    for (const required of [
      wo?.reference ?? '',
      'Esito della verifica',
      'fondata',
      'Riferimenti',
      'Azioni correttive e tempi',
      'Documenti allegati',
      'Per ulteriori chiarimenti',
      'Operatore Demo',
      'operatore@garbage.example.test'
    ]) {
      t.ok(text.includes(required), `the template has "${required}"`)
    }
    t.ok(await tab(page).getByLabel('Risposta motivata (ferma il termine ARERA)').isChecked(), 'marked as the reasoned reply')
    await page.locator('trc-compose button[type=submit]').click()
    await tab(page)
      .getByText(/parti da completare tra parentesi quadre/)
      .waitFor()
    t.equal(h.smtp.messages.filter((m) => /Esito della verifica/.test(m.parsed.html || '')).length, 0, 'not sent yet')
    await page.locator('trc-compose button[type=submit]').click()
    await tab(page).getByText('Risposta inviata: in coda per il recapito.').waitFor()
    await tab(page).getByText('Risposta entro i termini').waitFor({ timeout: 10_000 })
    t.pass('the summary shows the clock stopped in time')
  })

  t.test('forward with a dropped file and upload progress; Word paste is cleaned; toolbar keys', async (t) => {
    const id = await h.ingest({
      from: 'mario.rossi@example.test',
      to: 'tari@garbage.example.test',
      subject: 'Cassonetto rotto',
      text: 'Il cassonetto in via Verdi ha il coperchio rotto.'
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    await h.openTab(page, id)
    await tab(page).getByRole('button', { name: 'Inoltra' }).click()
    await page.locator('trc-compose #to').fill('ufficio.tecnico@comune.example.test')

    // Word paste
    await page.locator('trc-compose .editor').click()
    await page.locator('trc-compose .editor').evaluate((editor) => {
      const word = `<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{margin:0}</style></head><body>
        <!--StartFragment--><p class=MsoNormal style='margin:0cm;mso-line-height-rule:exactly'><span style='font-family:"Calibri",sans-serif;mso-fareast-language:IT'>Si prega di <b>intervenire</b> entro <span style='font-weight:bold'>48 ore</span>.<o:p></o:p></span></p>
        <p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span><![endif]>sostituire il coperchio<o:p></o:p></p>
        <p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-list:Ignore'>·<span>&nbsp;&nbsp; </span></span><![endif]>pulire l'area<o:p></o:p></p>
        <p class=MsoNormal><a href="javascript:alert(1)">link</a> <o:p>&nbsp;</o:p></p><!--EndFragment--></body></html>`
      const data = new DataTransfer()
      data.setData('text/html', word)
      data.setData('text/plain', 'Si prega di intervenire entro 48 ore.')
      editor.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    })
    const pasted = await page.locator('trc-compose .editor').innerHTML()
    t.notMatch(pasted, /Mso|mso-|<o:p|class=|style=|javascript:|<span/i, `no Word leftovers: ${pasted}`)
    t.match(pasted, /<ul><li>sostituire il coperchio<\/li><li>pulire l'area<\/li><\/ul>/, 'Word list paragraphs become a list')
    t.match(pasted, /<b>intervenire<\/b>/)
    t.match(pasted, /<strong>48 ore<\/strong>/, 'styled spans keep their emphasis')

    // toolbar: a roving tab stop moved with the arrow keys
    await tab(page).getByRole('button', { name: 'Grassetto' }).focus()
    await page.keyboard.press('ArrowRight')
    t.equal(
      await page.evaluate(() => {
        const compose = document.querySelector('trc-communications')?.shadowRoot?.querySelector('trc-compose')
        return compose?.shadowRoot?.activeElement?.getAttribute('aria-label') ?? null
      }),
      'Corsivo'
    )

    // drop a 3 MB file, upload slowly enough to see the progress bars
    await page.locator('trc-compose form').evaluate((form) => {
      const data = new DataTransfer()
      data.items.add(new File([new Uint8Array(3 * 1024 * 1024).fill(65)], 'planimetria.pdf', { type: 'application/pdf' }))
      for (const type of ['dragenter', 'dragover', 'drop']) form.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }))
    })
    await page.locator('trc-compose .files').getByText('planimetria.pdf').waitFor()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1024 * 1024 })
    await page.locator('trc-compose button[type=submit]').click()
    const progress = page.locator('trc-compose .files progress')
    await progress.first().waitFor({ timeout: 5000 })
    await page.waitForFunction(
      () => {
        const compose = document.querySelector('trc-communications')?.shadowRoot?.querySelector('trc-compose')
        const bar = compose?.shadowRoot?.querySelector<HTMLProgressElement>('.files progress')
        return bar ? bar.value > 0 && bar.value < 100 : false
      },
      undefined,
      { timeout: 5000 }
    )
    t.pass('a per-file progress bar moves while uploading')
    await page.locator('trc-compose').screenshot({ path: screenshotPath('tab-upload-progress.png') })
    await tab(page).getByText("Inoltro messo in coda per l'invio.").waitFor({ timeout: 20_000 })
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    const forwarded = (await h.smtp.waitFor(1, 20_000)) && (await waitForMail(h, (m) => m.envelope.to.includes('ufficio.tecnico@comune.example.test')))
    t.ok(forwarded, 'the forward reached the SMTP server')
    t.ok(
      forwarded?.parsed.attachments.some((a) => a.filename === 'planimetria.pdf' && a.size === 3 * 1024 * 1024),
      'with the dropped file'
    )
    t.match(forwarded?.parsed.html ?? '', /Il cassonetto in via Verdi/, 'with the conversation')
  })

  t.test('a reply the relay refuses shows "Non recapitato" with the reason', async (t) => {
    const id = await h.ingest({
      from: 'mario.rossi@example.test',
      to: 'tari@garbage.example.test',
      subject: 'Indirizzo sbagliato',
      text: 'Scrivete a mio figlio.'
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    await h.openTab(page, id)
    h.smtp.failWith(550, '5.1.1 <figlio.rossi@example.test>: Recipient address rejected: User unknown', {
      on: 'RCPT',
      recipients: ['figlio.rossi@example.test']
    })
    t.teardown(() => h.smtp.clearFailure())
    await tab(page).getByRole('button', { name: 'Rispondi' }).click()
    await page.locator('trc-compose #to').fill('figlio.rossi@example.test')
    await page.locator('trc-compose .editor').click()
    await page.keyboard.type('Gentile signore, le scriviamo come richiesto.')
    await page.locator('trc-compose button[type=submit]').click()
    const failed = tab(page).locator('article.operator .pill[data-status=failed]')
    await failed.waitFor({ timeout: 30_000 })
    t.match(await failed.textContent(), /Non recapitato/)
    t.match(await tab(page).locator('article.operator .delivery .reason').textContent(), /550|User unknown/, 'with the reason')
  })

  t.test('export .docx and send it by email', async (t) => {
    const id = await h.ingest({
      from: 'mario.rossi@example.test',
      to: 'tari@garbage.example.test',
      subject: 'Richiesta copia pratica',
      text: 'Vorrei una copia della pratica.'
    })
    const { context, page } = await h.signedIn('demo-operator')
    t.teardown(() => context.close())
    await h.openTab(page, id)
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      tab(page)
        .getByRole('link', { name: /Esporta \.docx/ })
        .click()
    ])
    t.match(download.suggestedFilename(), /\.docx$/)
    await tab(page).getByRole('button', { name: 'Invia documento' }).click()
    t.equal(await tab(page).getByLabel('Destinatari').inputValue(), 'mario.rossi@example.test', 'defaults to the contributor')
    await tab(page).getByLabel('Destinatari').fill('mario.rossi@example.test, non valido')
    await tab(page).locator('#panel-document').getByRole('button', { name: 'Invia' }).click()
    await tab(page).getByText('Indirizzi non validi: non valido').waitFor()
    await tab(page).getByLabel('Destinatari').fill('archivio@garbage.example.test')
    await tab(page).locator('#panel-document').getByLabel('Nota (facoltativa)').fill("Copia per l'archivio.")
    await tab(page).locator('#panel-document').getByRole('button', { name: 'Invia' }).click()
    await tab(page).getByText("Documento messo in coda per l'invio a archivio@garbage.example.test.").waitFor()
    const mail = await waitForMail(h, (m) => m.envelope.to.includes('archivio@garbage.example.test'))
    t.ok(
      mail?.parsed.attachments.some((a) => /\.docx$/.test(a.filename ?? '')),
      'the document went out attached'
    )
    t.same(await seriousAxeViolations(page), [], 'no serious or critical accessibility violations with the panels')
  })
}

async function waitForMail(h: UiHarness, match: (m: UiHarness['smtp']['messages'][number]) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const found = h.smtp.messages.find(match)
    if (found) return found
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return undefined
}
