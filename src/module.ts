// Assembles the module's parts for one Knex instance: repositories, service, ingest pipeline, mailbox
// supervisor. The plugin mounts it; tests and benchmarks can build it directly.
import type { FastifyBaseLogger } from 'fastify'
import type { Knex } from 'knex'
import { createOutbound } from './actions/index.js'
import { createDigest } from './arera/digest.js'
import { createAreraService } from './arera/service.js'
import { createIntakeService } from './intake/service.js'
import { createClamdClient } from './antivirus/clamd.js'
import { createAttachmentScanner } from './antivirus/scanner.js'
import { createCitizenRights } from './privacy/citizen.js'
import { createRetention } from './privacy/retention.js'
import { ingestMail, type IncomingMail, type IngestDeps, type IngestResult } from './mail/ingest/index.js'
import { createMailboxAlerts } from './mail/mailbox-alerts.js'
import { createMailboxManager, mailboxSender } from './mail/mailbox-manager.js'
import type { IngestBatch } from './mail/watcher.js'
import { createOAuthTokens } from './mail/oauth2.js'
import { createOAuthConnect } from './mail/oauth-connect.js'
import type { SmtpTransport } from './mail/smtp.js'
import { rawFromBuffer } from './mail/raw-source.js'
import type { ResolvedOptions } from './options.js'
import { createRepositories } from './repositories/index.js'
import { createGenericContributor } from './work-orders/generic-contributor.js'
import { attachInternals } from './internals.js'
import { createMailboxService, createService } from './service.js'
import { createSpamService } from './spam/service.js'
import { createArchiveImporter } from './mail/archive-import.js'
import { createAttachmentStorage } from './storage.js'
import { createTemplateService } from './templates/service.js'
import { createRelationService } from './relations/service.js'
import { createSplit } from './relations/split.js'
import { createNotificationService } from './notifications/service.js'
import { createChangeFeed } from './live/feed.js'
import { createSearchService } from './search/service.js'
import { createWorklistService } from './worklist/service.js'

export interface ModuleHooks {
  /** Called after every ingested message (tests and benchmarks observe the watcher through it). */
  onIngested?: (result: IngestResult) => void
  /**
   * The module's clock (default: the system's): what ingest, intake, operator actions and the outbox stamp rows
   * with. The example host's demo seed replays a dated year of conversations through it.
   */
  now?: () => Date
  /** Every outgoing mail leaves through this transport instead of SMTP (the demo seed: nothing leaves the process). */
  transport?: SmtpTransport
}

export function createModule(knex: Knex, options: ResolvedOptions, log: FastifyBaseLogger, hooks: ModuleHooks = {}) {
  const repos = createRepositories(knex, options.mapping, { initialScan: options.antivirus ? 'pending' : 'off' })
  const storage = createAttachmentStorage(options.attachments)
  // the deployment's default calendar and standards (territories: src/domain/territories.ts)
  const arera = createAreraService(repos, options)
  const { calendar, standards } = arera
  const genericContributor = createGenericContributor(repos.settings, options.genericContributorId)
  const ingestDeps: IngestDeps = {
    repos,
    genericContributor,
    options,
    storage,
    calendar,
    standards,
    territories: arera.currentTerritories,
    ...(hooks.now ? { now: hooks.now } : {})
  }
  // one access token per OAuth2 mailbox, shared by its watcher (IMAP) and its outgoing server (SMTP)
  const tokens = createOAuthTokens({ mailboxes: repos.mailboxes, secret: options.secret })
  const outbound = createOutbound({ repos, options, storage, log, tokens, now: hooks.now, transport: hooks.transport })
  const scanner = options.antivirus
    ? createAttachmentScanner({
        repos,
        storage,
        log,
        settings: options.antivirus,
        onSettled: () => outbound.outbox.wake(),
        client: createClamdClient(options.antivirus.address, { timeoutMs: options.antivirus.timeoutMs })
      })
    : null
  // a confirmation may have been queued: the outbox worker delivers it now rather than at its next poll
  const ingest = async (incoming: IncomingMail) => {
    const result = await ingestMail(ingestDeps, incoming)
    outbound.outbox.wake()
    scanner?.wake()
    return result
  }
  // a batch of small messages from a watcher: one commit, each message in its own savepoint
  const ingestBatch = async <T>(work: (batch: IngestBatch) => Promise<T>): Promise<T> => {
    const result = await repos.transaction((tx) =>
      work({ ingest: (incoming) => tx.transaction((one) => ingestMail({ ...ingestDeps, repos: one }, incoming)), mailboxes: tx.mailboxes })
    )
    outbound.outbox.wake()
    scanner?.wake()
    return result
  }
  const mailboxes = createMailboxManager({
    repos,
    secret: options.secret,
    instanceId: options.instanceId,
    defaultFrom: options.mail.from ?? null,
    ingest,
    ingestBatch,
    log,
    leaseTtlMs: options.mail.leaseTtlMs,
    backoff: options.mail.backoff,
    onIngested: hooks.onIngested,
    tokens,
    maxIngestAttempts: options.mail.maxIngestAttempts,
    locale: options.locale
  })
  const alerts = createMailboxAlerts({
    repos,
    alerts: options.mail.failureAlerts,
    from: options.mail.from ?? null,
    organizationName: options.organizationName,
    locale: options.locale,
    log,
    onQueued: () => outbound.outbox.wake()
  })
  const archive = createArchiveImporter({ repos, ingestDeps, secret: options.secret, log, onBatch: () => scanner?.wake() })
  const digest = createDigest({ repos, arera, options, log })
  const {
    start: startNotifications,
    stop: stopNotifications,
    ...notifications
  } = createNotificationService({
    repos,
    deadlines: (now) => arera.deadlines({}, now),
    from: options.mail.from ?? null,
    log,
    everyMs: options.notifications.everyMs,
    quietMs: options.notifications.quietMs,
    onQueued: () => outbound.outbox.wake()
  })
  const changes = createChangeFeed({ repos, settings: options.live, log })
  const core = createService({ repos, options, storage, genericContributor, arera })
  const retention = createRetention({ repos, storage, options, log })
  const citizen = createCitizenRights({
    repos,
    storage,
    workOrderView: core.workOrders.get,
    conversation: core.workOrders.conversation,
    message: core.messages.get,
    genericContributorId: () => genericContributor.get()
  })
  const service = {
    ...core,
    /** The work order, its conversation, and what an operator does on it: reply, forward, notes, state, document. */
    workOrders: { ...core.workOrders, ...outbound.actions },
    /** The spam list (release, block a sender or domain) and the block rules. */
    spam: createSpamService(repos, ingest),
    /** Mailbox administration (audited), the quarantine, and the watchers' lifecycle. */
    mailboxes: {
      ...createMailboxService(mailboxes, repos),
      archive: { start: archive.start, list: archive.list },
      /** OAuth2 mailboxes: the consent flow (start → provider → callback). */
      oauth: createOAuthConnect({ repos, secret: options.secret, tokens, restart: mailboxes.restart })
    },
    /** Mailbox failure alerts: `check()` runs one pass now (tests; the module checks every `checkMs`). */
    mailboxAlerts: alerts,
    /** This instance's outbox worker. */
    outbox: outbound.outbox,
    /** Citizens' data: export (GDPR art. 15/20) and erasure (art. 17); the retention job, its dry run (`plan`). */
    privacy: { ...citizen, retention: { plan: retention.plan, run: retention.run } },
    /** The antivirus scanner of this instance (null without `antivirus`): `runOnce()` scans what is pending now. */
    antivirus: scanner ? { runOnce: scanner.runOnce, wake: scanner.wake } : null,
    /**
     * ARERA TQRIF: classification, clock, register, indicators, deadlines, the calendar and the standards;
     * `runDigest` queues today's deadline digest now, if configured and not yet sent (the scheduler calls it daily).
     */
    arera: { ...arera, runDigest: digest.run },
    /** Canned answers (shared and personal) and signatures (per mailbox, per operator). */
    templates: createTemplateService(repos, options, (id) => core.workOrders.get(id)),
    /** Following work orders; what followers are told (citizen replies, failed deliveries, due tomorrow), in the app and by email. */
    notifications,
    /** The operators' worklist: queues (to answer, due soon, overdue, …), one keyset page at a time, and their counts. */
    worklist: createWorklistService({ repos, options, arera, genericContributor }),
    /** Merge (and undo), split, links between related work orders, likely duplicates. */
    relations: { ...createRelationService(repos, arera), split: createSplit(repos, ingestDeps) },
    /** Full-text search across every conversation, with the database's own engine. */
    search: createSearchService(repos),
    /** Sportello On-line and app submissions, the citizen's status, public notes. */
    intake: createIntakeService({
      ...ingestDeps,
      intake: options.intake,
      onQueued: () => {
        outbound.outbox.wake()
        scanner?.wake()
      }
    }),
    /**
     * The change feed as this instance watches it: `subscribe` a stream (it gets every change from its resume
     * point on), `since` what a reconnecting stream missed; `closeStreams` ends them all (server shutdown).
     */
    changes: { subscribe: changes.subscribe, since: changes.since, closeStreams: changes.closeStreams, prune: changes.prune },
    mail: {
      /** Ingests one raw message as if it came from a mailbox (host code, imports, tests). */
      ingest: async (raw: Buffer, meta: Partial<Omit<IncomingMail, 'raw'>> = {}) => {
        // as the watcher does: a confirmation comes from the mailbox written to
        const mailbox = meta.mailboxId == null ? null : await repos.mailboxes.findById(meta.mailboxId)
        const replyFrom = meta.replyFrom ?? (mailbox ? mailboxSender(mailbox) : null) ?? options.mail.from ?? null
        // `archive` too: host code importing history marks it historical (closed, out of the register unless included)
        return ingest({
          raw: rawFromBuffer(raw),
          mailboxId: meta.mailboxId ?? null,
          receivedAt: meta.receivedAt ?? null,
          checkpoint: meta.checkpoint,
          replyFrom,
          archive: meta.archive
        })
      }
    }
  }
  attachInternals(service, { repositories: repos, knex })
  return {
    service,
    async start(): Promise<void> {
      // browsers follow changes whether or not this instance runs the mail workers
      changes.start()
      if (options.mail.startWorkers) await mailboxes.start()
      outbound.start()
      if (options.mail.startWorkers) digest.start()
      if (options.mail.startWorkers) alerts.start()
      if (options.mail.startWorkers) scanner?.start()
      if (options.mail.startWorkers) retention.start()
      if (options.mail.startWorkers) startNotifications()
    },
    async stop(): Promise<void> {
      await stopNotifications()
      await alerts.stop()
      await retention.stop()
      await scanner?.stop()
      await digest.stop()
      await mailboxes.stop()
      await archive.stop()
      await outbound.stop()
      await changes.stop()
    }
  }
}

export type CommunicationsService = ReturnType<typeof createModule>['service']
