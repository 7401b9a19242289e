// Search benchmark (issue 12): 100,000 messages of realistic Italian conversations, bulk-seeded (the same folded
// documents the repositories write, in batches), then p50/p95 of a handful of operators' queries through the
// service (count, page, attachment names and snippets included) on SQLite, and on PostgreSQL when DATABASE_URL
// names one or the local server (127.0.0.1:5432, user postgres) answers.
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { searchDocument } from '../src/domain/search-text.js'
import { createKnex, knexConfigFromUrl } from '../src/database/connection.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestDatabase } from '../test/helpers/db.js'
import { startTestHost, type TestHost } from '../test/helpers/host.js'
import type { SearchRequest } from '../src/search/service.js'

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits

const STREETS = ['via Roma', 'via Garibaldi', 'corso Italia', 'via Mazzini', 'piazza Duomo', 'via Verdi', 'viale Europa', 'via Dante', 'via Cavour']
const FIRST = ['Mario', 'Giulia', 'Luca', 'Francesca', 'Marco', 'Chiara', 'Andrea', 'Sara', 'Paolo', 'Elena', 'Giorgio', 'Anna']
const LAST = ['Rossi', 'Bianchi', 'Ferri', 'Russo', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti']
const SUBJECTS = [
  (s: string) => `Reclamo: mancata raccolta del vetro in ${s}`,
  (s: string) => `Richiesta informazioni sulla TARI, ${s}`,
  () => 'Rimborso bolletta pagata due volte',
  (s: string) => `Cassonetto rotto in ${s}`,
  () => 'Ritiro ingombranti: prenotazione',
  () => 'Errore nella bolletta di marzo',
  (s: string) => `Segnalazione abbandono rifiuti in ${s}`,
  () => 'Cambio di residenza e utenza'
]
const SENTENCES = [
  (s: string) => `Buongiorno, da due settimane il vetro in ${s} non viene raccolto e i contenitori sono pieni.`,
  () => 'Vi chiedo di intervenire al più presto, la situazione in città è insostenibile.',
  () => 'Ho pagato la bolletta due volte e chiedo il rimborso della somma versata in eccesso.',
  (s: string) => `Il cassonetto dell'organico in ${s} ha il coperchio rotto e attira animali.`,
  () => 'Vorrei sapere come si calcola la tariffa per un nucleo di tre persone.',
  () => 'Allego la foto e la ricevuta del pagamento.',
  () => 'Il ritiro degli ingombranti prenotato per lunedì non è avvenuto.',
  () => 'Gentile cittadino, abbiamo verificato la sua segnalazione: il ritiro è stato riprogrammato per giovedì.',
  () => 'Le ricordiamo di esporre i contenitori la sera prima e di non inserire ceramica nel vetro.',
  () => 'Cordiali saluti, Ufficio TARI.'
]

/** A deterministic pseudo-random sequence (mulberry32), so every run seeds the same corpus. */
function sequence(seed: number) {
  let x = seed >>> 0
  return (n: number) => {
    x = (x + 0x6d2b79f5) >>> 0
    let r = Math.imul(x ^ (x >>> 15), 1 | x)
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r
    return ((r ^ (r >>> 14)) >>> 0) % n
  }
}

interface SeededRow {
  work_order_id: number
  contributor_id: null
  direction: string
  channel: string
  message_id: string
  dedupe_key: string
  from_address: string
  from_name: string
  to_json: string
  cc_json: string
  subject: string
  html: null
  text: string
  created_at: Date
  attachment: string | null
}

/** A sender address and an attachment name the corpus holds, for the queries that look one up. */
const sample = { address: '', attachment: '' }

export async function seed(host: TestHost, count: number): Promise<void> {
  const pick = sequence(42)
  const knex = host.knex
  const base = Date.UTC(2025, 0, 1)
  const span = Date.UTC(2026, 11, 1) - base
  const BATCH = 500
  for (let done = 0; done < count; done += BATCH) {
    const rows: SeededRow[] = []
    for (let i = done; i < Math.min(count, done + BATCH); i++) {
      const street = STREETS[pick(STREETS.length)] as string
      const person = `${FIRST[pick(FIRST.length)]} ${LAST[pick(LAST.length)]}`
      const address = `${person.toLowerCase().replace(' ', '.')}${pick(5000)}@example.test`
      const inbound = pick(3) !== 0
      const text = Array.from({ length: 3 + pick(4) }, () => (SENTENCES[pick(SENTENCES.length)] as (s: string) => string)(street)).join(' ')
      rows.push({
        work_order_id: 1 + pick(20_000),
        contributor_id: null,
        direction: inbound ? 'inbound' : 'outbound',
        channel: inbound ? (['email', 'email', 'email', 'web', 'app'][pick(5)] as string) : 'email',
        message_id: `<bench.${i}@example.test>`,
        dedupe_key: `bench-search-${i}`,
        from_address: inbound ? address : 'tari@garbage.example.test',
        from_name: inbound ? person : 'Ufficio TARI',
        to_json: '[]',
        cc_json: '[]',
        subject: (SUBJECTS[pick(SUBJECTS.length)] as (s: string) => string)(street),
        html: null,
        text,
        created_at: new Date(base + ((i / count) * span + pick(3_600_000))),
        attachment: pick(10) === 0 ? (pick(2) === 0 ? `foto-${street.replace(/ /g, '-')}-${pick(1000)}.jpg` : `bolletta-2026-${1 + pick(12)}.pdf`) : null
      })
      const row = rows[rows.length - 1] as SeededRow
      if (inbound && !sample.address) sample.address = address
      if (row.attachment?.startsWith('foto') && !sample.attachment) sample.attachment = row.attachment
    }
    await knex.transaction(async (trx) => {
      const inserted = (await trx('trc_messages').insert(
        rows.map(({ attachment: _a, ...r }) => r),
        ['id']
      )) as Array<{ id: number | string }>
      const ids = inserted.map((r) => Number(r.id))
      const attachments = rows.flatMap((r, k) =>
        r.attachment
          ? [
              {
                message_id: ids[k],
                filename: r.attachment,
                content_type: 'application/octet-stream',
                size: 1,
                sha256: 'a'.repeat(64),
                inline: false,
                storage: 'database',
                created_at: r.created_at
              }
            ]
          : []
      )
      if (attachments.length > 0) await trx('trc_attachments').insert(attachments)
      const documents = rows.map((r, k) => ({
        message_id: ids[k],
        content: searchDocument({
          subject: r.subject,
          from: r.from_address,
          fromName: r.from_name,
          text: r.text,
          html: null,
          attachmentNames: r.attachment ? [r.attachment] : []
        })
      }))
      for (let k = 0; k < documents.length; k += 100) await trx('trc_search_documents').insert(documents.slice(k, k + 100))
    })
  }
}

const queries = (): Array<[string, Omit<SearchRequest, 'limit'>]> => [
  ['common word (raccolta)', { q: 'raccolta' }],
  ['rare street (garibaldi)', { q: 'garibaldi' }],
  ['two words (cassonetto rotto)', { q: 'cassonetto rotto' }],
  ['accented (città)', { q: 'citta' }],
  ['sender address', { q: sample.address }],
  ['attachment name', { q: sample.attachment }],
  ['prefix (rimbors*)', { q: 'rimbors*' }],
  ['common word, web channel, one month', { q: 'vetro', channel: 'web', from: '2026-03-01', to: '2026-03-31' }],
  ['common word, page 11', { q: 'bolletta', offset: 200 }]
]

async function measure(host: TestHost, runs: number) {
  const service = host.app.communications.search
  const out: Record<string, { p50: number; p95: number; hits: number }> = {}
  for (const [name, request] of queries()) {
    const times: number[] = []
    let hits = 0
    for (let i = 0; i < runs + 2; i++) {
      const start = performance.now()
      const result = await service.search({ ...request, limit: 20 })
      if (i >= 2) times.push(performance.now() - start) // two warm-up runs
      hits = result.total
    }
    times.sort((a, b) => a - b)
    out[name] = { p50: round(times[Math.floor(times.length * 0.5)] ?? 0), p95: round(times[Math.ceil(times.length * 0.95) - 1] ?? 0), hits }
  }
  return out
}

function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(path.join(tmpdir(), 'trc-bench-search-'))
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

async function postgresDatabase(): Promise<TestDatabase | null> {
  const server =
    process.env.DATABASE_URL && /^postgres/.test(process.env.DATABASE_URL) ? process.env.DATABASE_URL : 'postgres://postgres@127.0.0.1:5432/postgres'
  const admin = createKnex(knexConfigFromUrl(server, ''))
  const name = `trc_bench_search_${process.pid}_${randomBytes(3).toString('hex')}`
  try {
    await admin.raw(`CREATE DATABASE ${name}`)
  } catch {
    await admin.destroy()
    return null
  }
  await admin.destroy()
  const u = new URL(server)
  u.pathname = `/${name}`
  const knex = createKnex(knexConfigFromUrl(u.toString(), ''))
  return {
    knex,
    url: u.toString(),
    dialect: 'postgres',
    connectAgain: () => createKnex(knexConfigFromUrl(u.toString(), '')),
    async destroy() {
      await knex.destroy()
      const cleaner = createKnex(knexConfigFromUrl(server, ''))
      await cleaner.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleaner.destroy()
    }
  }
}

async function benchOne(db: TestDatabase, messages: number, runs: number) {
  const host = await startTestHost({ mail: { startWorkers: false } }, db)
  try {
    const started = performance.now()
    await seed(host, messages)
    if (db.dialect === 'postgres') await host.knex.raw('VACUUM ANALYZE trc_search_documents, trc_messages')
    const seedSeconds = round((performance.now() - started) / 1000)
    process.stderr.write(`search bench (${db.dialect}): ${messages} messages seeded in ${seedSeconds} s\n`)
    return { engine: await host.app.communications.search.engine(), messages, seedSeconds, queries: await measure(host, runs) }
  } finally {
    await host.close()
    await db.destroy()
  }
}

export async function benchSearch(options: { messages?: number; runs?: number } = {}) {
  const messages = options.messages ?? 100_000
  const runs = options.runs ?? 30
  const results: Record<string, unknown> = {}
  results.sqlite = await benchOne(sqliteDatabase(), messages, runs)
  process.stderr.write(`bench: ${JSON.stringify({ search: results })}\n`)
  const pg = await postgresDatabase()
  results.postgres = pg ? await benchOne(pg, messages, runs) : 'skipped: no PostgreSQL reachable'
  return results
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const quick = process.env.BENCH_QUICK === '1'
  console.log(JSON.stringify(await benchSearch(quick ? { messages: 5_000, runs: 10 } : {}), null, 2))
  process.exit(0)
}
