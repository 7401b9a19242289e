// Importing a mailbox's history on an administrator's request: the mail that was already in the folder when the
// module first connected, since a date, is stored and threaded as an archive (no confirmation, work orders
// closed and historical, out of the ARERA register unless included). Batches commit in one transaction each,
// with one progress update; every mail in its own savepoint, so one bad mail costs only itself.
import type { FastifyBaseLogger } from 'fastify'
import { ImapFlow } from 'imapflow'
import { decryptSecret } from '../crypto.js'
import { HttpError, notFound } from '../http-errors.js'
import type { ArchiveImport } from '../repositories/archive-imports.js'
import type { Repositories } from '../repositories/index.js'
import type { MailboxRecord } from '../repositories/mailboxes.js'
import { ingestMail, type IngestDeps, type IngestOutcome } from './ingest/index.js'
import { rawFromBuffer } from './raw-source.js'
import { batches } from './watcher.js'

export interface ArchiveImportRequest {
  /** `YYYY-MM-DD`: mail whose IMAP internal date is on or after this day. */
  since: string
  includeInRegister?: boolean
}

export interface ArchiveImporterDeps {
  repos: Repositories
  ingestDeps: IngestDeps
  secret: string
  log: FastifyBaseLogger
  /** After each committed batch (the antivirus scanner is woken, for instance). */
  onBatch?: () => void
}

/** The progress an import keeps while it runs: the same counters its row stores. */
type Tally = Pick<ArchiveImport, 'done' | 'stored' | 'duplicates' | 'errors' | 'lastUid' | 'lastError'>

export function createArchiveImporter(deps: ArchiveImporterDeps) {
  const { repos } = deps
  const running = new Map<number, Promise<void>>()
  let stopping = false

  async function run(job: ArchiveImport, mailbox: MailboxRecord, historyUpTo: number): Promise<void> {
    const client = new ImapFlow({
      host: mailbox.host,
      port: mailbox.port,
      secure: mailbox.secure,
      logger: false,
      disableAutoIdle: true,
      auth: { user: mailbox.username, pass: decryptSecret(mailbox.passwordEncrypted, deps.secret) },
      tls: { rejectUnauthorized: !(process.env.TRC_IMAP_INSECURE === '1') }
    })
    client.on('error', (err: Error) => deps.log.warn({ err, mailbox: mailbox.id }, 'archive import: IMAP error'))
    const tally: Tally = { done: 0, stored: 0, duplicates: 0, errors: 0, lastUid: 0, lastError: null }
    try {
      await client.connect()
      const lock = await client.getMailboxLock(mailbox.folder, { readOnly: true })
      try {
        const found = (await client.search({ since: new Date(`${job.since}T00:00:00Z`) }, { uid: true })) || []
        const uids = found.filter((uid) => uid <= historyUpTo).sort((a, b) => a - b)
        await repos.archiveImports.update(job.id, { total: uids.length }, new Date())
        const sized = uids.length ? await client.fetchAll(uids.join(','), { uid: true, size: true }, { uid: true }) : []
        // the next batch is fetched while this one is stored: the IMAP server works while the database does
        const fetchBatch = (batch: Array<{ uid: number }> | undefined) => {
          if (!batch) return Promise.resolve([])
          const request = client.fetchAll(batch.map((m) => m.uid).join(','), { uid: true, source: true, internalDate: true, flags: true }, { uid: true })
          request.catch(() => undefined) // awaited below; an early exit must not leave an unhandled rejection
          return request
        }
        const list = [...batches(sized.sort((a, b) => a.uid - b.uid))]
        let next = fetchBatch(list[0])
        for (const index of list.keys()) {
          if (stopping) throw new Error("interrotta: il modulo si è fermato; richiedi di nuovo l'importazione (i messaggi già importati non si duplicano)")
          const fetched = await next
          next = fetchBatch(list[index + 1])
          await importBatch(
            job,
            mailbox,
            fetched.sort((a, b) => a.uid - b.uid),
            tally
          )
          deps.onBatch?.()
        }
        await next
      } finally {
        lock.release()
      }
      await repos.archiveImports.update(job.id, { status: 'done', finishedAt: new Date() }, new Date())
      deps.log.info({ mailbox: mailbox.id, job: job.id, ...tally }, 'archive import done')
    } catch (err) {
      deps.log.error({ err, mailbox: mailbox.id, job: job.id }, 'archive import failed')
      await repos.archiveImports.update(job.id, { status: 'failed', lastError: (err as Error).message, finishedAt: new Date() }, new Date())
    } finally {
      await client.logout().catch(() => client.close())
    }
  }

  async function importBatch(
    job: ArchiveImport,
    mailbox: MailboxRecord,
    fetched: Array<{ uid: number; source?: Buffer; internalDate?: Date | string; flags?: Set<string> }>,
    tally: Tally
  ): Promise<void> {
    await repos.transaction(async (tx) => {
      for (const msg of fetched) {
        tally.done++
        tally.lastUid = msg.uid
        if (!msg.source) continue
        try {
          const outcome: IngestOutcome = (
            await tx.transaction((one) =>
              ingestMail(
                { ...deps.ingestDeps, repos: one },
                {
                  raw: rawFromBuffer(msg.source as Buffer),
                  mailboxId: mailbox.id,
                  receivedAt: msg.internalDate ? new Date(msg.internalDate) : null,
                  flags: msg.flags ? [...msg.flags] : [],
                  maxBytes: mailbox.maxMessageBytes,
                  archive: { includeInRegister: job.includeInRegister }
                }
              )
            )
          ).outcome
          if (outcome === 'duplicate') tally.duplicates++
          else tally.stored++
        } catch (err) {
          tally.errors++
          tally.lastError = `UID ${msg.uid}: ${(err as Error).message}`
        }
      }
      await tx.archiveImports.update(job.id, { ...tally }, new Date())
    })
  }

  return {
    /** Starts an import in the background and returns it; one at a time per mailbox. */
    async start(mailboxId: number, request: ArchiveImportRequest, requestedBy: string | null): Promise<ArchiveImport> {
      const mailbox = await repos.mailboxes.findById(mailboxId)
      if (!mailbox) throw notFound('mailboxNotFound', { id: mailboxId })
      const state = await repos.mailboxes.findState(mailboxId)
      if (state?.onboardedUid === null || state?.onboardedUid === undefined) throw new HttpError(409, 'archiveNotConnected', { id: mailboxId })
      if (running.has(mailboxId) || (await repos.archiveImports.listByMailbox(mailboxId, 1))[0]?.status === 'running')
        throw new HttpError(409, 'archiveRunning', { id: mailboxId })
      const id = await repos.archiveImports.create(
        { mailboxId, since: request.since, includeInRegister: request.includeInRegister ?? false, requestedBy },
        new Date()
      )
      await repos.audit.record({
        actorType: 'operator',
        actorId: requestedBy,
        action: 'mailbox.archiveImport',
        details: { mailboxId, importId: id, since: request.since, includeInRegister: request.includeInRegister ?? false }
      })
      const job = (await repos.archiveImports.findById(id)) as ArchiveImport
      const work = run(job, mailbox, state.onboardedUid).finally(() => running.delete(mailboxId))
      running.set(mailboxId, work)
      return job
    },

    /** The mailbox's imports, newest first, with their progress and rate. */
    async list(mailboxId: number): Promise<Array<ArchiveImport & { messagesPerSecond: number | null }>> {
      if (!(await repos.mailboxes.findById(mailboxId))) throw notFound('mailboxNotFound', { id: mailboxId })
      return (await repos.archiveImports.listByMailbox(mailboxId)).map(withRate)
    },

    /** Stops the running imports at their next batch (onClose); what was committed stays. */
    async stop(): Promise<void> {
      stopping = true
      await Promise.allSettled([...running.values()])
    }
  }
}

export function withRate(job: ArchiveImport): ArchiveImport & { messagesPerSecond: number | null } {
  const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.parse(job.updatedAt)
  const seconds = job.startedAt ? (end - Date.parse(job.startedAt)) / 1000 : 0
  return { ...job, messagesPerSecond: seconds > 0 && job.done > 0 ? Math.round((job.done / seconds) * 10) / 10 : null }
}

export type ArchiveImporter = ReturnType<typeof createArchiveImporter>
