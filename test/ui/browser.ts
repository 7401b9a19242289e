// Real Chromium (Debian's package) for the UI tests, through playwright-core, against the example host.
import { existsSync, mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core'
import { buildUi } from '../../ui-extension/build.mjs'
import { buildMail } from '../helpers/mail.js'
import { startTestHost, type TestHost } from '../helpers/host.js'
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp.js'

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const OUTPUT_DIR = path.resolve('test-output')

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH)
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  })
}

/** Signs in through the host's login form, as an operator would. */
export async function login(page: Page, base: string, user: 'demo-admin' | 'demo-operator' | 'demo-viewer'): Promise<void> {
  await page.goto(`${base}/login`)
  await page.fill('#username', user)
  await page.fill('#password', user)
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')])
}

export function screenshotPath(name: string): string {
  mkdirSync(OUTPUT_DIR, { recursive: true })
  return path.join(OUTPUT_DIR, name)
}

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: unknown; html: string; failureSummary?: string }>
}

/** Runs axe-core on the page, shadow DOM included; returns the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: path.resolve('node_modules/axe-core/axe.min.js') })
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe
    // The mail bodies are sandboxed frames without scripts: axe cannot run inside them (their title is still checked).
    const result = await axe.run(document, {
      iframes: false,
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }
    })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 200), failureSummary: n.failureSummary }))
    }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

// ---------------------------------------------------------------------------------------------------------------
// A harness for one test file: the UI built, an SMTP server, the example host listening on loopback, Chromium.

export interface UiHarness {
  host: TestHost
  smtp: SmtpTestServer
  browser: Browser
  base: string
  bundleGzip: number
  /** Ingests a mail built with buildMail and returns the work order it opened or joined. */
  ingest(options: Parameters<typeof buildMail>[0]): Promise<number>
  /** A fresh browser context (Italian, Europe/Rome) signed in as `user`. */
  signedIn(user: 'demo-admin' | 'demo-operator' | 'demo-viewer', width?: number): Promise<{ context: BrowserContext; page: Page }>
  openTab(page: Page, workOrderId: number): Promise<void>
  bodyFrame(page: Page, index?: number): Promise<Frame>
  close(): Promise<void>
}

export async function startUiHarness(): Promise<UiHarness> {
  const built = await buildUi({ quiet: true })
  const smtp = await startSmtpServer()
  const host = await startTestHost({ mail: { from: '"Ufficio TARI" <tari@garbage.example.test>', smtp: { url: smtp.url } } })
  await host.app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(host.app.server.address() as AddressInfo).port}`
  const browser = await launchChromium()
  return {
    host,
    smtp,
    browser,
    base,
    bundleGzip: built.gzip,
    async ingest(options) {
      const result = await host.app.communications.mail.ingest(await buildMail(options))
      if (!result.workOrderId) throw new Error(`ingest did not open a work order: ${JSON.stringify(result)}`)
      return result.workOrderId
    },
    async signedIn(user, width = 1280) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'it-IT', timezoneId: 'Europe/Rome' })
      const page = await context.newPage()
      await login(page, base, user)
      return { context, page }
    },
    async openTab(page, workOrderId) {
      await page.goto(`${base}/work-orders/${workOrderId}#comunicazioni`)
      await page.locator('trc-communications article').first().waitFor()
    },
    async bodyFrame(page, index = 0) {
      const handle = await page.locator('trc-mail-body iframe').nth(index).elementHandle()
      const frame = await handle?.contentFrame()
      if (!frame) throw new Error('no message frame')
      await frame.waitForLoadState()
      return frame
    },
    async close() {
      await browser.close()
      await host.close()
      await smtp.stop()
    }
  }
}
