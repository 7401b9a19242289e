// Live updates (issue 12): a mail appended to the real Dovecot → the change on the event stream of another
// instance → the new message visible in the Communications tab open on that instance, in a real Chromium.
// Instance A watches the mailbox; instance B (no mail workers) serves the browser and an SSE client; one database
// (SQLite file, or PostgreSQL with DATABASE_URL). Figures: arrival → stored (A's ingest committed), → SSE event
// received from B, → visible in the tab; p50/p95/max over `samples` mails, one at a time.
import type { AddressInfo } from 'node:net'
import type { IngestResult } from '../src/mail/ingest/index.js'
import { buildUi } from '../ui-extension/build.mjs'
import { startDovecot } from '../test/helpers/dovecot.js'
import { auth, startTestHost } from '../test/helpers/host.js'
import { buildMail } from '../test/helpers/mail.js'
import { openSse } from '../test/helpers/sse.js'
import { waitFor } from '../test/helpers/wait.js'
import { chromiumAvailable, launchChromium, login } from '../test/ui/browser.js'

const USER = 'live@garbage.example.test'
const API = '/api/communications'

const round = (n: number) => Math.round(n)

function summary(times: number[]): Record<string, number> {
  const sorted = [...times].sort((x, y) => x - y)
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number
  return { p50Ms: round(pct(0.5)), p95Ms: round(pct(0.95)), maxMs: round(sorted.at(-1) as number) }
}

export async function benchLive(quick = false): Promise<Record<string, unknown>> {
  const samples = quick ? 8 : 20
  await buildUi({ quiet: true })
  const dovecot = await startDovecot({ users: { [USER]: 'pw' } })
  const stored: number[] = []
  const a = await startTestHost({
    instanceId: 'bench-a',
    mail: { startWorkers: true, mailboxes: [{ url: dovecot.url(USER) }], from: 'tari@garbage.example.test' },
    hooks: { onIngested: (r: IngestResult) => r.messageId && stored.push(Date.now()) }
  } as never)
  const b = await startTestHost({ instanceId: 'bench-b' }, { ...a.db, knex: a.db.connectAgain(), destroy: async () => {} })
  const browser = chromiumAvailable() ? await launchChromium() : null
  try {
    await b.app.listen({ host: '127.0.0.1', port: 0 })
    const base = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`
    await waitFor(
      async () => (await a.app.inject({ url: `${API}/health`, headers: auth('demo-viewer') })).json(),
      (h) => h.mailboxes[0]?.state === 'idle',
      15_000,
      'idle'
    )
    const client = await dovecot.connect(USER)
    const send = async (subject: string, extra: Record<string, unknown> = {}) => {
      const raw = await buildMail({ from: 'mario.rossi@example.test', to: USER, subject, text: 'Il cassonetto è ancora pieno.', ...extra })
      const t0 = Date.now()
      await client.append('INBOX', raw)
      return t0
    }
    await send('Cassonetto pieno (bench)', { messageId: '<bench-live-0@example.test>' })
    await waitFor(
      async () => stored.length,
      (n) => n === 1,
      15_000,
      'the first mail'
    )
    const workOrderId = Number((await a.knex('trc_messages').first('work_order_id').where({ subject: 'Cassonetto pieno (bench)' })).work_order_id)

    const sse = await openSse(`${base}${API}/events?workOrderId=${workOrderId}`, auth('demo-viewer'))
    const page = browser ? await (await browser.newContext({ locale: 'it-IT' })).newPage() : null
    if (page) {
      await login(page, base, 'demo-viewer')
      await page.goto(`${base}/work-orders/${workOrderId}#comunicazioni`)
      await page.locator('trc-communications article').first().waitFor()
      // the moment each new message is rendered, by the page's own clock (same machine)
      await page.evaluate(() => {
        const root = document.querySelector('trc-communications')?.shadowRoot
        const seen: number[] = []
        let count = root?.querySelectorAll('article[data-direction=inbound]').length ?? 0
        Object.assign(window, { trcSeen: seen })
        new MutationObserver(() => {
          const now = root?.querySelectorAll('article[data-direction=inbound]').length ?? 0
          for (; count < now; count++) seen.push(Date.now())
        }).observe(root as ShadowRoot, { childList: true, subtree: true })
      })
      await new Promise((r) => setTimeout(r, 1000)) // the stream is open
    }

    const toStored: number[] = []
    const toEvent: number[] = []
    const toVisible: number[] = []
    try {
      for (let i = 1; i <= samples; i++) {
        const before = { stored: stored.length, events: sse.events.length }
        const t0 = await send(`Re: Cassonetto pieno (bench) ${i}`, { inReplyTo: '<bench-live-0@example.test>', references: ['<bench-live-0@example.test>'] })
        const [event] = (await sse.waitForEvents(before.events + 1, 15_000)).slice(-1)
        toEvent.push((event?.receivedAt ?? 0) - t0)
        toStored.push((stored[before.stored] ?? 0) - t0)
        if (page) {
          const seenAt = await page.waitForFunction((n) => (window as unknown as { trcSeen: number[] }).trcSeen[n - 1], i, { timeout: 15_000 })
          toVisible.push(Number(await seenAt.jsonValue()) - t0)
        }
        await new Promise((r) => setTimeout(r, 300))
      }
    } finally {
      sse.close()
      await client.logout()
    }
    const result = {
      samples,
      database: a.db.dialect,
      pollMs: 200,
      arrivalToStored: summary(toStored),
      arrivalToSseEvent: summary(toEvent),
      ...(page ? { arrivalToVisibleInTab: summary(toVisible) } : { arrivalToVisibleInTab: 'Chromium not installed' })
    }
    process.stderr.write(`bench live: ${JSON.stringify(result)}\n`)
    return result
  } finally {
    await browser?.close()
    await b.close()
    await a.close()
    await dovecot.destroy()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchLive(process.env.BENCH_QUICK === '1'), null, 2))
  process.exit(0)
}
