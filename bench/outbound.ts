// Outbound benchmarks (issue 4): the conversation document of a 1,000-message work order (time and memory), and
// outbox throughput to a local SMTP server (a lean smtp-server sink on loopback that only counts messages).
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'
import { messageIdKey } from '../src/mail/message-id.js'
import { queueOutboundMail } from '../src/mail/outbound.js'
import { startTestHost, TEST_SECRET, type TestHost } from '../test/helpers/host.js'
import { internalsOf } from '../src/internals.js'

const FROM = '"Ufficio TARI" <tari@garbage.example.test>'
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits
const MB = 1024 * 1024

const INBOUND_HTML = (i: number) =>
  `<p>Buongiorno,</p><p>da <b>due settimane</b> il vetro in via Roma ${i % 200} non viene raccolto e i contenitori sono pieni. Vi chiedo di intervenire al più presto; allego una foto.</p><p>Cordiali saluti<br>Mario Rossi</p>`
const OUTBOUND_HTML = `<p>Gentile sig. Rossi,</p><p>abbiamo verificato la sua segnalazione: il ritiro è stato <i>riprogrammato</i> per giovedì. Le ricordiamo di:</p><ul><li>esporre i contenitori la sera prima;</li><li>non inserire ceramica nel vetro.</li></ul><p>Il calendario è su <a href="https://comune.example.test/raccolta">comune.example.test</a>.</p><p>Ufficio TARI</p>`

/** A work order with `count` messages, alternating citizen mail and operator replies, one in ten with a photo. */
async function longConversation(host: TestHost, count: number, nth = 0): Promise<number> {
  const repos = internalsOf(host.app.communications).repositories
  const wo = await host.knex('ordini_lavoro').first('id_odl').orderBy('id_odl').offset(nth)
  const workOrderId = Number(wo.id_odl)
  const start = Date.UTC(2026, 0, 5, 8)
  await repos.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      const inbound = i % 2 === 0
      const createdAt = new Date(start + i * 3_600_000)
      const id = await tx.messages.insert({
        workOrderId,
        contributorId: host.contributors.marioRossi,
        direction: inbound ? 'inbound' : 'outbound',
        channel: 'email',
        messageId: `bench-${workOrderId}-${i}@example.test`,
        dedupeKey: messageIdKey(`bench-${workOrderId}-${i}@example.test`),
        from: inbound ? 'mario.rossi@example.test' : 'tari@garbage.example.test',
        fromName: inbound ? 'Mario Rossi' : 'Ufficio TARI',
        to: [inbound ? 'tari@garbage.example.test' : 'mario.rossi@example.test'],
        cc: [],
        subject: `Re: Raccolta del vetro in via Roma [OdL #${workOrderId}]`,
        html: inbound ? INBOUND_HTML(i) : OUTBOUND_HTML,
        text: null,
        deliveryStatus: inbound ? null : 'sent',
        createdAt,
        receivedAt: inbound ? createdAt : null
      })
      if (i % 10 === 0) {
        await tx.attachments.insert({
          messageId: id,
          filename: `foto-${i}.jpg`,
          contentType: 'image/jpeg',
          size: 4096,
          sha256: 'b'.repeat(64),
          contentId: null,
          inline: false,
          storage: 'database',
          storageKey: null,
          content: Buffer.alloc(4096, i % 251),
          createdAt
        })
      }
    }
  })
  return workOrderId
}

async function exportBenchmark(messages: number): Promise<Record<string, number>> {
  const host = await startTestHost({ mail: { from: FROM, startWorkers: false } })
  try {
    // warm-up on a short conversation: module loading and JIT are not the export's cost
    await host.app.communications.workOrders.exportDocument(await longConversation(host, 10, 1))
    const workOrderId = await longConversation(host, messages)
    const before = process.memoryUsage().rss
    const started = performance.now()
    const doc = await host.app.communications.workOrders.exportDocument(workOrderId)
    const seconds = (performance.now() - started) / 1000
    // the packer works synchronously for most of the export, so a timer cannot sample it: the kernel's peak can
    const peak = process.resourceUsage().maxRSS * 1024
    return {
      messages,
      seconds: round(seconds, 3),
      peakRssMB: round(peak / MB, 1),
      rssGrowthMB: round((peak - before) / MB, 1),
      docxKB: round((doc?.content.length ?? 0) / 1024, 1)
    }
  } finally {
    await host.close()
  }
}

/** In a fresh process, so the peak RSS is the export's and not that of whatever ran before in this one. */
function exportInChild(messages: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--export-child', String(messages)], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    child.once('message', (result) => resolve(result as Record<string, number>))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`export benchmark exited with ${code}`))
    })
  })
}

/** An SMTP peer that accepts and discards: what is measured is the module, not the receiver. */
async function startSink(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let received = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received++
        callback()
      })
      stream.resume()
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  const port = (server.server.address() as AddressInfo).port
  return { url: `smtp://127.0.0.1:${port}`, count: () => received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

async function throughputBenchmark(count: number): Promise<Record<string, number>> {
  const sink = await startSink()
  const host = await startTestHost({ mail: { from: FROM, startWorkers: false, smtp: { url: sink.url } } })
  try {
    const repos = internalsOf(host.app.communications).repositories
    const wo = await host.knex('ordini_lavoro').first('id_odl').orderBy('id_odl')
    const attachment = Buffer.alloc(50 * 1024, 7)
    for (let i = 0; i < count; i++) {
      await repos.transaction(async (tx) => {
        const queued = await queueOutboundMail(
          tx,
          {
            workOrderId: Number(wo.id_odl),
            contributorId: null,
            kind: 'reply',
            from: FROM,
            to: [`cittadino${i}@example.test`],
            subject: `Re: Segnalazione ${i} [OdL #${wo.id_odl}]`,
            html: OUTBOUND_HTML,
            text: 'Gentile sig. Rossi, …',
            now: new Date()
          },
          TEST_SECRET
        )
        // one in five replies carries a 50 KB attachment
        if (i % 5 === 0) {
          await tx.attachments.insert({
            messageId: queued.messageId,
            filename: 'verbale.pdf',
            contentType: 'application/pdf',
            size: attachment.length,
            sha256: 'c'.repeat(64),
            contentId: null,
            inline: false,
            storage: 'database',
            storageKey: null,
            content: attachment,
            createdAt: new Date()
          })
        }
      })
    }
    const started = performance.now()
    let sent = 0
    while (sent < count) {
      const r = await host.app.communications.outbox.runOnce()
      if (r.sent === 0 && r.retried + r.failed > 0) throw new Error('the sink refused mail')
      sent += r.sent
    }
    const seconds = (performance.now() - started) / 1000
    return { messages: count, seconds: round(seconds, 2), messagesPerSecond: round(count / seconds, 1), receivedBySink: sink.count() }
  } finally {
    await host.close()
    await sink.close()
  }
}

export async function benchOutbound(options: { messages?: number; outbox?: number } = {}): Promise<Record<string, number>> {
  const exported = await exportInChild(options.messages ?? 1000)
  const throughput = await throughputBenchmark(options.outbox ?? 500)
  return {
    exportMessages: exported.messages as number,
    exportSeconds: exported.seconds as number,
    exportPeakRssMB: exported.peakRssMB as number,
    exportRssGrowthMB: exported.rssGrowthMB as number,
    exportDocxKB: exported.docxKB as number,
    outboxMessages: throughput.messages as number,
    outboxSeconds: throughput.seconds as number,
    outboxMessagesPerSecond: throughput.messagesPerSecond as number
  }
}

if (process.argv[2] === '--export-child') {
  process.send?.(await exportBenchmark(Number(process.argv[3])))
  process.exit(0)
} else if (import.meta.url === `file://${process.argv[1]}`) {
  // `npx tsx bench/outbound.ts` runs it alone
  console.log(JSON.stringify(await benchOutbound(), null, 2))
  process.exit(0)
}
