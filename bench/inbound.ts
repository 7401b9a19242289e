// Inbound benchmarks (issue 3): backlog ingest rate next to the raw imapflow fetch+parse rate of the same
// mailbox, IDLE arrival-to-stored latency, and peak memory while ingesting a 25 MB attachment.
import { parseMail } from '../src/mail/parse.js'
import type { IngestResult } from '../src/mail/ingest/index.js'
import { startDovecot, type DovecotInstance } from '../test/helpers/dovecot.js'
import { startTestHost, type TestHost } from '../test/helpers/host.js'
import { buildMail } from '../test/helpers/mail.js'
import { waitFor } from '../test/helpers/wait.js'

const FROM = 'tari@garbage.example.test'

async function fill(dovecot: DovecotInstance, user: string, count: number, withAttachments: boolean): Promise<void> {
  const client = await dovecot.connect(user)
  try {
    for (let i = 0; i < count; i++) {
      const raw = await buildMail({
        from: `cittadino${i % 500}@example.test`,
        to: user,
        subject: `Segnalazione ${i}`,
        messageId: `<bench-${user}-${i}@example.test>`,
        text: `Buongiorno, segnalo il problema numero ${i} in via Roma ${i % 200}. Grazie.`,
        ...(withAttachments && i % 2 === 0
          ? { attachments: [{ filename: `foto-${i}.jpg`, content: Buffer.alloc(200_000 + (i % 7) * 10_000, i % 251), contentType: 'image/jpeg' }] }
          : {})
      })
      await client.append('INBOX', raw)
    }
  } finally {
    await client.logout()
  }
}

/** What the protocol and the parser alone can do: the ceiling the module's rate is compared with. */
async function rawFetchAndParse(dovecot: DovecotInstance, user: string): Promise<{ count: number; seconds: number }> {
  const client = await dovecot.connect(user)
  const start = performance.now()
  let count = 0
  try {
    const lock = await client.getMailboxLock('INBOX', { readOnly: true })
    try {
      const sources: Buffer[] = []
      for await (const msg of client.fetch('1:*', { uid: true, source: true }, { uid: true })) if (msg.source) sources.push(msg.source)
      for (const source of sources) {
        await parseMail(source)
        count++
      }
    } finally {
      lock.release()
    }
  } finally {
    await client.logout()
  }
  return { count, seconds: (performance.now() - start) / 1000 }
}

async function moduleIngest(dovecot: DovecotInstance, user: string, expected: number): Promise<{ seconds: number }> {
  let done = 0
  const host = await startTestHost({
    mail: { startWorkers: false, mailboxes: [{ url: dovecot.url(user), initialSync: 'all' }], from: FROM },
    hooks: {
      onIngested: () => {
        done++
      }
    }
  } as never)
  const start = performance.now()
  await host.app.communications.mailboxes.start()
  try {
    await waitFor(
      async () => done,
      (n) => n >= expected,
      30 * 60_000,
      'backlog'
    )
    return { seconds: (performance.now() - start) / 1000 }
  } finally {
    await host.close()
  }
}

export async function backlog(dovecot: DovecotInstance, user: string, count: number, withAttachments: boolean): Promise<Record<string, number>> {
  await fill(dovecot, user, count, withAttachments)
  const raw = await rawFetchAndParse(dovecot, user)
  const mod = await moduleIngest(dovecot, user, count)
  const rawRate = raw.count / raw.seconds
  const moduleRate = count / mod.seconds
  return { messages: count, rawFetchParsePerSecond: round(rawRate), moduleIngestPerSecond: round(moduleRate), ratio: round(moduleRate / rawRate, 3) }
}

async function latency(dovecot: DovecotInstance, user: string, samples: number): Promise<Record<string, number>> {
  const arrived = new Map<number, number>()
  const host = await startTestHost({
    mail: { mailboxes: [{ url: dovecot.url(user), initialSync: 'all' }], from: FROM },
    hooks: {
      onIngested: (r: IngestResult) => {
        if (r.messageId) arrived.set(arrived.size, performance.now())
      }
    }
  } as never)
  try {
    return await idleLatency(host, dovecot, user, samples, arrived)
  } finally {
    await host.close()
  }
}

/** Arrival (APPEND) to stored, `samples` times, once the host's only mailbox is idle; `arrived` is filled by onIngested. */
export async function idleLatency(
  host: { knex: TestHost['knex'] },
  dovecot: DovecotInstance,
  user: string,
  samples: number,
  arrived: Map<number, number>
): Promise<Record<string, number>> {
  const times: number[] = []
  await waitFor(
    async () => (await host.knex('trc_mailbox_state').first('state'))?.state,
    (s) => s === 'idle',
    10_000,
    'idle'
  )
  const client = await dovecot.connect(user)
  try {
    for (let i = 0; i < samples; i++) {
      const raw = await buildMail({ from: `lat${i}@example.test`, to: user, subject: `Latenza ${i}`, text: 'x' })
      const before = arrived.size
      const t0 = performance.now()
      await client.append('INBOX', raw)
      await waitFor(
        async () => arrived.size,
        (n) => n > before,
        10_000,
        'arrival'
      )
      times.push((arrived.get(before) as number) - t0)
      await new Promise((r) => setTimeout(r, 150))
    }
  } finally {
    await client.logout()
  }
  times.sort((a, b) => a - b)
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] as number
  return { samples, p50Ms: round(pct(0.5)), p95Ms: round(pct(0.95)), maxMs: round(times.at(-1) as number) }
}

async function bigAttachment(dovecot: DovecotInstance, user: string): Promise<Record<string, number>> {
  const size = 25 * 1024 * 1024
  const raw = await buildMail({
    from: 'mario.rossi@example.test',
    to: user,
    subject: 'Allegato grande',
    text: 'x',
    attachments: [{ filename: 'grande.bin', content: Buffer.alloc(size, 42), contentType: 'application/octet-stream' }]
  })
  await dovecot.append(user, raw)
  const rawLength = raw.length
  let done = 0
  global.gc?.()
  const host = await startTestHost({
    mail: { startWorkers: false, mailboxes: [{ url: dovecot.url(user), initialSync: 'all' }], from: FROM },
    hooks: {
      onIngested: () => {
        done++
      }
    }
  } as never)
  try {
    global.gc?.()
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 5)
    await host.app.communications.mailboxes.start()
    await waitFor(
      async () => done,
      (n) => n >= 1,
      120_000,
      'big mail'
    )
    clearInterval(sampler)
    const growth = peak - baseline
    return {
      attachmentMB: round(size / 1048576),
      rawMB: round(rawLength / 1048576),
      rssGrowthMB: round(growth / 1048576),
      growthOverAttachment: round(growth / size, 2)
    }
  } finally {
    await host.close()
  }
}

/** Issue 10 §4: a mailbox's history imported as an archive (batched transactions), next to raw fetch+parse. */
export async function archiveImport(dovecot: DovecotInstance, user: string, count: number): Promise<Record<string, number>> {
  await fill(dovecot, user, count, false)
  const raw = await rawFetchAndParse(dovecot, user)
  const host = await startTestHost({ mail: { mailboxes: [{ url: dovecot.url(user) }], from: FROM } })
  try {
    const headers = { authorization: 'Bearer demo-admin' }
    const health = await waitFor(
      async () => (await host.app.inject({ url: '/api/communications/health', headers })).json(),
      (h) => h.mailboxes[0]?.state === 'idle',
      60_000,
      'idle'
    )
    const id = health.mailboxes[0].id as number
    const start = performance.now()
    await host.app.inject({ method: 'POST', url: `/api/communications/mailboxes/${id}/archive-import`, headers, payload: { since: '2000-01-01' } })
    const job = await waitFor(
      async () => (await host.app.inject({ url: `/api/communications/mailboxes/${id}/archive-import`, headers })).json().items[0],
      (j) => j?.status !== 'running',
      60 * 60_000,
      'archive import'
    )
    const seconds = (performance.now() - start) / 1000
    const rawRate = raw.count / raw.seconds
    const importRate = job.stored / seconds
    return {
      messages: count,
      stored: job.stored,
      errors: job.errors,
      rawFetchParsePerSecond: round(rawRate),
      archiveImportPerSecond: round(importRate),
      ratio: round(importRate / rawRate, 3)
    }
  } finally {
    await host.close()
  }
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export async function benchInbound(
  options: { small?: number; mixed?: number; latencySamples?: number; archive?: number } = {}
): Promise<Record<string, Record<string, number>>> {
  const users = { small: 'small@bench.test', mixed: 'mixed@bench.test', latency: 'latency@bench.test', big: 'big@bench.test', archive: 'archive@bench.test' }
  const dovecot = await startDovecot({ users: Object.fromEntries(Object.values(users).map((u) => [u, 'pw'])) })
  try {
    return {
      backlogSmall: await backlog(dovecot, users.small, options.small ?? 10_000, false),
      backlogWithAttachments: await backlog(dovecot, users.mixed, options.mixed ?? 500, true),
      idleLatency: await latency(dovecot, users.latency, options.latencySamples ?? 40),
      bigAttachment: await bigAttachment(dovecot, users.big),
      archiveImport: await archiveImport(dovecot, users.archive, options.archive ?? 20_000)
    }
  } finally {
    await dovecot.destroy()
  }
}
