// Worklist benchmark: 100,000 work orders (about 160,000 messages) seeded with bulk inserts, then the first page
// and the total of every queue, a deep page reached by cursor, and the counts of every queue in one call: p50/p95
// through the service (the SQL plus the page's names, senders and clocks). SQLite always; PostgreSQL when
// DATABASE_URL is set.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Knex } from 'knex'
import { createKnex, knexConfigFromUrl } from '../src/database/connection.js'
import { WORKLIST_QUEUES } from '../src/domain/worklist.js'
import { createWorkingCalendar, romeDate } from '../src/domain/working-days.js'
import type { Operator } from '../src/types.js'
import { startTestHost } from '../test/helpers/host.js'
import { createTestDatabase, type TestDatabase } from '../test/helpers/db.js'

const ADMIN: Operator = { id: 'bench', name: 'Bench', email: null, permissions: ['read', 'write', 'admin'] }

export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(path.join(tmpdir(), 'trc-bench-worklist-'))
  const file = path.join(dir, 'bench.sqlite')
  const knex = createKnex(knexConfigFromUrl(file, dir))
  return {
    knex,
    url: file,
    dialect: 'sqlite',
    connectAgain: () => createKnex(knexConfigFromUrl(file, dir)),
    async destroy() {
      await knex.destroy()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

async function insertAll(knex: Knex, table: string, rows: Array<Record<string, unknown>>): Promise<void> {
  // SQLite inserts many rows as one compound SELECT (at most 500 terms); PostgreSQL takes up to 65,535 parameters
  const size = Math.min(400, Math.floor(30_000 / Math.max(1, Object.keys(rows[0] ?? {}).length)))
  await knex.transaction(async (trx) => {
    for (let i = 0; i < rows.length; i += size) await trx(table).insert(rows.slice(i, i + size))
  })
}

/** Deterministic pseudo-random numbers, so both databases get the same data. */
function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648
    return s / 2_147_483_648
  }
}

export async function seed(knex: Knex, count: number, genericId: number): Promise<void> {
  const contributors = (await knex('contribuenti').select('id_contribuente')).map((r: { id_contribuente: unknown }) => Number(r.id_contribuente))
  const calendar = createWorkingCalendar()
  const next = random(42)
  const workOrders: Array<Record<string, unknown>> = []
  const metas: Array<Record<string, unknown>> = []
  const messages: Array<Record<string, unknown>> = []
  const now = Date.now()
  let messageNo = 0
  const message = (workOrderId: number, direction: string, at: number, extra: Record<string, unknown> = {}) => ({
    work_order_id: workOrderId,
    contributor_id: null,
    direction,
    channel: 'email',
    dedupe_key: `bench-${++messageNo}`,
    from_address: direction === 'inbound' ? `cittadino${workOrderId % 5000}@example.test` : 'tari@garbage.example.test',
    to_json: '[]',
    cc_json: '[]',
    subject: `Segnalazione ${workOrderId}`,
    text: 'Buongiorno, segnalo un problema.',
    created_at: new Date(at),
    ...extra
  })
  for (let i = 0; i < count; i++) {
    const id = 1_000_000 + i
    // a year of requests, the last hundred today
    const received = i >= count - 100 ? now - (count - i) * 1000 : now - Math.floor(next() * 365) * 86_400_000 - Math.floor(next() * 86_400_000)
    const receivedDay = romeDate(new Date(received))
    const due = calendar.addWorkingDays(receivedDay, 30)
    const replied = next() < 0.5
    const replyAt = received + Math.floor(next() * 20) * 86_400_000 + 3_600_000
    const closed = replied && next() < 0.6
    const contributor = next() < 0.1 ? genericId : (contributors[Math.floor(next() * contributors.length)] as number)
    workOrders.push({
      id_odl: id,
      id_contribuente: contributor,
      tipo_odl: 'RECLAMO',
      stato: closed ? 'CHIUSO' : next() < 0.5 ? 'APERTO' : 'IN_LAVORAZIONE',
      oggetto: `Segnalazione ${i} in via Roma ${i % 200}`,
      data_apertura: new Date(received),
      origine: 'COMUNICAZIONI'
    })
    messages.push(message(id, 'inbound', received, { received_at: new Date(received) }))
    let last = received
    let lastInbound = received
    let lastReply: number | null = null
    if (replied && replyAt < now) {
      const failed = next() < 0.02
      messages.push(message(id, 'outbound', replyAt, { delivery_status: failed ? 'failed' : 'sent', meta_json: '{"kind":"reply"}' }))
      last = replyAt
      if (!failed) lastReply = replyAt
      if (next() < 0.2 && replyAt + 86_400_000 < now) {
        messages.push(message(id, 'inbound', replyAt + 86_400_000))
        last = lastInbound = replyAt + 86_400_000
      }
    }
    metas.push({
      work_order_id: id,
      reference: `B-${id}`,
      arera_type: 'reclamo_scritto',
      channel: 'email',
      received_at: new Date(received),
      due_date: due,
      reply_sent_at: replied && replyAt < now ? new Date(replyAt) : null,
      public_token: `bench-${id}`,
      created_at: new Date(received),
      updated_at: new Date(last),
      last_activity_at: new Date(last),
      last_inbound_at: new Date(lastInbound),
      last_reply_at: lastReply === null ? null : new Date(lastReply)
    })
  }
  await insertAll(knex, 'ordini_lavoro', workOrders)
  await insertAll(knex, 'trc_work_order_meta', metas)
  await insertAll(knex, 'trc_messages', messages)
  const spam = Array.from({ length: 2000 }, (_, i) => ({
    dedupe_key: `bench-spam-${i}`,
    from_address: `promo${i}@spam.example.test`,
    subject: `Offerta ${i}`,
    reason: 'X-Spam-Flag: YES',
    size: 1000,
    raw: Buffer.from('x'),
    received_at: new Date(now - i * 60_000),
    created_at: new Date(now - i * 60_000)
  }))
  await insertAll(knex, 'trc_spam', spam)
  await knex.raw('ANALYZE') // both databases: plan with the new row counts
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
async function timed(runs: number, work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await work() // warm the caches and the prepared statements
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await work()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return { p50: Math.round(percentile(times, 50) * 10) / 10, p95: Math.round(percentile(times, 95) * 10) / 10 }
}

async function benchOn(db: TestDatabase, count: number, runs: number) {
  const host = await startTestHost({}, db)
  try {
    const seedStart = performance.now()
    await seed(host.knex, count, host.genericContributorId)
    const seedSeconds = Math.round((performance.now() - seedStart) / 100) / 10
    const worklist = host.app.communications.worklist
    const queues: Record<string, { total: number; p50: number; p95: number }> = {}
    for (const queue of WORKLIST_QUEUES) {
      const first = await worklist.list({ queue }, ADMIN)
      queues[queue] = { total: first.total, ...(await timed(runs, () => worklist.list({ queue }, ADMIN))) }
    }
    const byActivity = await timed(runs, () => worklist.list({ queue: 'to_answer', sort: 'last_activity' }, ADMIN))
    // a page deep in the queue: the cursor after 40 pages of 50 (row 2,001)
    let deep: string | undefined
    for (let i = 0; i < 40; i++) deep = (await worklist.list({ queue: 'to_answer', ...(deep ? { cursor: deep } : {}) }, ADMIN)).nextCursor ?? undefined
    const deepPage = await timed(runs, () => worklist.list({ queue: 'to_answer', ...(deep ? { cursor: deep } : {}) }, ADMIN))
    const textFilter = await timed(runs, () => worklist.list({ queue: 'to_answer', text: 'via roma 17' }, ADMIN))
    const counts = await timed(runs, () => worklist.counts({}, ADMIN))
    return { workOrders: count, seedSeconds, queues, toAnswerByActivity: byActivity, toAnswerPage41: deepPage, toAnswerText: textFilter, counts }
  } finally {
    await host.close()
    await db.destroy()
  }
}

export async function benchWorklist({ workOrders = 100_000, runs = 30 }: { workOrders?: number; runs?: number } = {}) {
  const result: Record<string, unknown> = { sqlite: await benchOn(sqliteDatabase(), workOrders, runs) }
  process.stderr.write(`bench worklist sqlite: ${JSON.stringify(result.sqlite)}\n`)
  if (/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '')) {
    result.postgres = await benchOn(await createTestDatabase(), workOrders, runs)
    process.stderr.write(`bench worklist postgres: ${JSON.stringify(result.postgres)}\n`)
  }
  return result
}

if (process.argv[1]?.endsWith('worklist.ts')) {
  console.log(JSON.stringify(await benchWorklist({ workOrders: Number(process.env.BENCH_WORK_ORDERS ?? 100_000) }), null, 2))
  process.exit(0)
}
