// One IMAP mailbox, watched continuously: take the lease, connect, catch up from the checkpoint, then IDLE and
// fetch by UID whenever the server announces new mail. Any drop: a fresh client after a capped, jittered
// backoff (imapflow clients cannot be reused after close), which starts from the beginning again after every
// healthy connection. A message that fails to ingest `maxIngestAttempts` times in a row (the count is kept in the
// mailbox's state row, so it survives restarts) is quarantined with its error and the mailbox moves on. Never
// marks, moves or deletes mail unless the mailbox is configured to move processed mail.
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { ImapFlow } from 'imapflow'
import { translate, type Locale, type MessageKey } from '../i18n.js'
import type { MailboxRecord, MailboxRepository } from '../repositories/mailboxes.js'
import { describeImapError } from './imap-errors.js'
import { describeTokenError } from './oauth2.js'
import type { IncomingMail, IngestResult } from './ingest/index.js'
import { rawFromBuffer, rawFromFile, type RawSource } from './raw-source.js'

export type WatcherState = 'connecting' | 'syncing' | 'idle' | 'backoff' | 'auth-failed' | 'standby' | 'stopped'

export interface WatcherOptions {
  mailbox: MailboxRecord
  password: string
  /** OAuth2 mailboxes: a bearer token for IMAP XOAUTH2 instead of the password (`renew` after a refused one). */
  accessToken?: (renew: boolean) => Promise<string>
  owner: string
  mailboxes: MailboxRepository
  ingest: (incoming: IncomingMail) => Promise<IngestResult>
  /**
   * Runs `work` in one transaction: a batch of small messages is stored with one commit (each message in its own
   * savepoint, so a failing one costs only itself). Without it every message commits on its own.
   */
  ingestBatch?: <T>(work: (batch: IngestBatch) => Promise<T>) => Promise<T>
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void }
  leaseTtlMs?: number
  /** Reconnection delay (default 0.5 s doubling to 4 s, equal jitter); a refused login waits at least a minute. */
  backoff?: { baseMs: number; maxMs: number }
  /** Stores a message that keeps failing in the quarantine and moves the checkpoint past it. */
  quarantine: (incoming: IncomingMail, reason: string) => Promise<unknown>
  /** Failed attempts in a row before a message is quarantined (default 3). */
  maxIngestAttempts?: number
  /** Language of the error text stored for health (each reader gets it in their own language too). */
  locale?: Locale
  /** Sender identity used for confirmations of mail that arrived here. */
  replyFrom: string | null
  /** Called after each ingested message (tests and benchmarks observe progress through it). */
  onIngested?: (result: IngestResult) => void
}

/** What a batch transaction offers the watcher: both calls write through that transaction. */
export interface IngestBatch {
  ingest(incoming: IncomingMail): Promise<IngestResult>
  /** The mailbox state inside the batch transaction (a checkpoint moved past history commits with the batch). */
  mailboxes: MailboxRepository
}

/** A failure described for the state row: its text in the module's language and its translatable form. */
class MailboxFailure extends Error {
  constructor(
    readonly key: MessageKey,
    readonly params: Record<string, string | number>,
    readonly authentication = false,
    /** 'auth-failed': only an administrator can fix it (a revoked grant); no point retrying soon. */
    readonly state: 'backoff' | 'auth-failed' = 'backoff'
  ) {
    super(translate('en', key, params))
    this.name = 'MailboxFailure'
  }
}

type PendingMessage = { uid: number; internalDate?: Date | string; size?: number; flags?: Set<string> }

function receiptDate(msg: PendingMessage): Date | null {
  return msg.internalDate instanceof Date ? msg.internalDate : msg.internalDate ? new Date(msg.internalDate) : null
}

export const DEFAULT_BACKOFF = { baseMs: 500, maxMs: 4_000 }
const AUTH_BACKOFF_MIN_MS = 60_000
/** A revoked grant waits for the administrator's reconnect (which restarts the watcher); checked again hourly. */
const GRANT_RETRY_MS = 60 * 60_000

/** Messages up to this size are fetched whole in batches; larger ones are streamed to disk one at a time. */
const SMALL_MESSAGE_BYTES = 256 * 1024
const BATCH_BYTES = 4 * 1024 * 1024
/** A batch transaction commits after this long even mid-batch: other writers (an operator's reply) wait at most this. */
const BATCH_TRANSACTION_MS = 250
const BATCH_COUNT = 100

/** Groups the pending list: runs of small messages (bounded in count and bytes), each large message alone. */
export function* batches<T extends { size?: number }>(pending: T[]): Generator<T[]> {
  let current: T[] = []
  let bytes = 0
  for (const msg of pending) {
    const size = msg.size ?? SMALL_MESSAGE_BYTES + 1
    if (size > SMALL_MESSAGE_BYTES) {
      if (current.length) yield current
      current = []
      bytes = 0
      yield [msg]
      continue
    }
    if (current.length >= BATCH_COUNT || bytes + size > BATCH_BYTES) {
      yield current
      current = []
      bytes = 0
    }
    current.push(msg)
    bytes += size
  }
  if (current.length) yield current
}

export class MailboxWatcher {
  private stopped = false
  private client: ImapFlow | null = null
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private syncing = false
  private syncAgain = false
  private attempt = 0
  private authFailed = false
  /** Why the current session ended, when it was our decision (a sync that failed). */
  private failure: MailboxFailure | null = null
  private leaseTimer: NodeJS.Timeout | null = null
  private readonly ttl: number

  constructor(private readonly opts: WatcherOptions) {
    this.ttl = opts.leaseTtlMs ?? 30_000
  }

  get mailboxId(): number {
    return this.opts.mailbox.id
  }

  start(): void {
    if (!this.loop) this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    const client = this.client
    if (client) {
      await client.logout().catch(() => client.close())
    }
    await this.loop
    await this.opts.mailboxes.releaseLease(this.mailboxId, this.opts.owner).catch(() => undefined)
  }

  private async setState(state: WatcherState, error?: MailboxFailure | null): Promise<void> {
    const stored = error ? { text: translate(this.opts.locale ?? 'it', error.key, error.params), detail: { key: error.key, params: error.params } } : error
    await this.opts.mailboxes.setState(this.mailboxId, state, stored).catch((err: unknown) => this.opts.log.warn({ err }, 'mailbox state not saved'))
  }

  /** Sleeps, but wakes at once on stop. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null
        resolve()
      }, ms)
      this.wake = () => {
        clearTimeout(timer)
        this.wake = null
        resolve()
      }
    })
  }

  private backoffMs(): number {
    const { baseMs, maxMs: configured } = this.opts.backoff ?? DEFAULT_BACKOFF
    // a refused login does not fix itself in seconds, and hammering it can lock the account
    const maxMs = this.authFailed ? Math.max(configured, AUTH_BACKOFF_MIN_MS) : configured
    const capped = Math.min(maxMs, baseMs * 2 ** Math.min(this.attempt, 16))
    return Math.round(capped / 2 + Math.random() * (capped / 2)) // "equal jitter": never zero, never in lockstep
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let holdsLease = false
      try {
        holdsLease = await this.opts.mailboxes.acquireLease(this.mailboxId, this.opts.owner, this.ttl)
      } catch (err) {
        this.opts.log.warn({ err, mailbox: this.mailboxId }, 'lease check failed')
      }
      if (!holdsLease) {
        await this.pause(Math.round(this.ttl / 3 + Math.random() * 500))
        continue
      }
      try {
        await this.session()
        this.attempt = 0
      } catch (err) {
        if (this.stopped) break
        this.attempt++
        const failure = err instanceof MailboxFailure ? err : this.describe(err)
        this.authFailed = failure.authentication
        this.opts.log.warn({ err, mailbox: this.mailboxId, attempt: this.attempt }, 'mailbox connection failed')
        await this.setState(failure.state, failure)
        if (failure.state === 'auth-failed' && !this.stopped) {
          // another instance may take the mailbox meanwhile: it will find the same grant revoked
          this.stopLeaseRenewal()
          await this.opts.mailboxes.releaseLease(this.mailboxId, this.opts.owner).catch(() => undefined)
          await this.setState('auth-failed')
          await this.pause(GRANT_RETRY_MS)
          continue
        }
      } finally {
        this.stopLeaseRenewal()
      }
      if (!this.stopped) await this.pause(this.backoffMs())
    }
    await this.setState('stopped')
  }

  private describe(err: unknown): MailboxFailure {
    const token = describeTokenError(err, this.opts.mailbox)
    if (token) return new MailboxFailure(token.key, token.params, token.grantLost, token.grantLost ? 'auth-failed' : 'backoff')
    const d = describeImapError(err, this.opts.mailbox)
    return new MailboxFailure(d.key, d.params, d.authentication)
  }

  private startLeaseRenewal(client: ImapFlow): void {
    this.leaseTimer = setInterval(
      () => {
        this.opts.mailboxes.acquireLease(this.mailboxId, this.opts.owner, this.ttl).then(
          (held) => {
            if (!held) {
              this.opts.log.warn({ mailbox: this.mailboxId }, 'lease lost to another instance; disconnecting')
              client.close()
            }
          },
          (err: unknown) => this.opts.log.warn({ err }, 'lease renewal failed')
        )
      },
      Math.max(200, Math.floor(this.ttl / 3))
    )
  }

  private stopLeaseRenewal(): void {
    if (this.leaseTimer) clearInterval(this.leaseTimer)
    this.leaseTimer = null
  }

  /** A client logged in: with the password, or with a bearer token and once more with a fresh one if it was refused. */
  private async connectClient(onError: (err: Error) => void): Promise<ImapFlow> {
    const token = this.opts.accessToken
    const client = this.newClient(token ? { user: this.opts.mailbox.username, accessToken: await token(false) } : undefined, onError)
    this.client = client
    try {
      await client.connect()
      return client
    } catch (err) {
      client.close()
      if (!token || !(err as { authenticationFailed?: boolean }).authenticationFailed || this.stopped) throw err
      // revoked or expired before its time: a fresh token, once
      this.opts.log.info({ mailbox: this.mailboxId }, 'access token refused: refreshing it and signing in again')
      const retry = this.newClient({ user: this.opts.mailbox.username, accessToken: await token(true) }, onError)
      this.client = retry
      await retry.connect()
      return retry
    }
  }

  private newClient(oauth: { user: string; accessToken: string } | undefined, onError: (err: Error) => void): ImapFlow {
    const mb = this.opts.mailbox
    const client = new ImapFlow({
      host: mb.host,
      port: mb.port,
      secure: mb.secure,
      auth: oauth ?? { user: mb.username, pass: this.opts.password },
      logger: false,
      // IDLE as soon as we are done issuing commands: new mail is announced within Dovecot's own delay.
      autoIdleDelay: 100,
      maxIdleTime: 5 * 60_000,
      socketTimeout: 10 * 60_000,
      tls: { rejectUnauthorized: !(process.env.TRC_IMAP_INSECURE === '1') }
    })
    client.on('error', onError)
    return client
  }

  /** One connection's life: resolves when the server closes it (or we stop), rejects on errors. */
  private async session(): Promise<void> {
    const mb = this.opts.mailbox
    await this.setState('connecting')
    this.failure = null
    let lastError: Error | null = null
    const client = await this.connectClient((err: Error) => {
      lastError = err
      this.opts.log.warn({ err, mailbox: mb.id }, 'IMAP error')
    }).catch((err: unknown) => {
      this.client = null
      throw err
    })
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()))
    try {
      this.startLeaseRenewal(client)
      // The folder stays selected but unlocked between syncs: imapflow only IDLEs while no lock is held.
      await client.mailboxOpen(mb.folder, { readOnly: !mb.moveToFolder })
      client.on('exists', () => void this.sync(client))
      await this.sync(client)
      // A healthy connection: the next drop starts the backoff from the beginning.
      if (!this.failure) {
        this.attempt = 0
        this.authFailed = false
      }
      await closed
    } finally {
      this.client = null
      if (client.usable) await client.logout().catch(() => client.close())
      else client.close()
    }
    if (!this.stopped) throw this.failure ?? (lastError ? this.describe(lastError) : new MailboxFailure('imapClosed', { server: `${mb.host}:${mb.port}` }))
  }

  /** Fetches everything above the checkpoint; re-runs if new mail is announced meanwhile. */
  private async sync(client: ImapFlow): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true
      return
    }
    this.syncing = true
    try {
      do {
        this.syncAgain = false
        await this.setState('syncing', null)
        const lock = await client.getMailboxLock(this.opts.mailbox.folder, { readOnly: !this.opts.mailbox.moveToFolder })
        try {
          await this.syncOnce(client)
        } finally {
          lock.release()
        }
      } while (this.syncAgain && !this.stopped && client.usable)
      if (client.usable && !this.stopped) await this.setState('idle', null)
    } catch (err) {
      this.opts.log.error({ err, mailbox: this.mailboxId }, 'mailbox sync failed')
      // the real reason, not "connection closed": the session reports it when the close below ends it
      this.failure = err instanceof MailboxFailure ? err : this.describe(err)
      await this.setState('backoff', this.failure)
      client.close()
    } finally {
      this.syncing = false
    }
  }

  /**
   * Ingests one message. A failure is counted against its UID; below the limit it ends the sync (backoff, then
   * the same message again); at the limit the message goes to quarantine with its error and the mailbox moves on.
   */
  private async ingestOrQuarantine(incoming: IncomingMail & { checkpoint: { uid: number } }): Promise<IngestResult> {
    try {
      return await this.opts.ingest(incoming)
    } catch (err) {
      // another instance owns the mailbox now: not this message's fault
      if ((err as Error).name === 'LeaseLostError') throw err
      const uid = incoming.checkpoint.uid
      const detail = ((err as Error).message ?? String(err)).slice(0, 1000)
      const max = this.opts.maxIngestAttempts ?? 3
      const attempt = await this.opts.mailboxes.recordIngestFailure(this.mailboxId, this.opts.owner, uid, detail)
      this.opts.log.warn({ err, mailbox: this.mailboxId, uid, attempt }, 'message could not be ingested')
      if (attempt < max) throw new MailboxFailure('ingestFailed', { uid, attempt, max, detail })
      const reason = translate(this.opts.locale ?? 'it', 'ingestQuarantined', { uid, attempts: attempt, detail })
      await this.opts.quarantine(incoming, reason)
      return { outcome: 'quarantined', messageId: null, workOrderId: null, detail: reason }
    }
  }

  private async syncOnce(client: ImapFlow): Promise<void> {
    const mailbox = client.mailbox
    if (!mailbox) throw new Error('no mailbox selected')
    const uidValidity = String(mailbox.uidValidity)
    const state = await this.opts.mailboxes.findState(this.mailboxId)
    let lastUid = state?.lastUid ?? 0
    let rescan = false
    if (!state?.uidValidity) {
      // The first connection: what is already in the folder is history (an archive import brings it in, if
      // wanted), unless the mailbox is configured to take everything as new contacts.
      lastUid = this.opts.mailbox.initialSync === 'all' ? 0 : Math.max(0, Number(mailbox.uidNext ?? 1) - 1)
      await this.opts.mailboxes.startCheckpoint(this.mailboxId, this.opts.owner, uidValidity, lastUid)
      this.opts.log.info({ mailbox: this.mailboxId, uidValidity, lastUid }, 'first connection: ingesting from here on')
    } else if (state.uidValidity !== uidValidity) {
      // The server renumbered the folder: rescan everything; dedupe keeps what we already have, mail older than
      // the first connection stays history, and nothing found again is answered again.
      this.opts.log.warn({ mailbox: this.mailboxId, from: state.uidValidity, to: uidValidity }, 'UIDVALIDITY changed: rescanning')
      await this.opts.mailboxes.resetCheckpoint(this.mailboxId, this.opts.owner, uidValidity)
      lastUid = 0
      rescan = true
    }
    // IMAP INTERNALDATE has whole seconds: mail of the onboarding second itself counts as new (dedupe keeps what we have)
    const historyBefore =
      rescan && state?.onboardedAt && this.opts.mailbox.initialSync !== 'all' ? Math.floor(Date.parse(state.onboardedAt) / 1000) * 1000 : null
    if (mailbox.exists === 0) return
    // Collect the list first: no other command may run inside a fetch() iteration.
    const pending = (await client.fetchAll(`${lastUid + 1}:*`, { uid: true, internalDate: true, size: true, flags: true }, { uid: true }))
      .filter((m) => m.uid > lastUid)
      .sort((a, b) => a.uid - b.uid)
    if (pending.length === 0) return
    const spool = await mkdtemp(path.join(tmpdir(), 'trc-spool-'))
    try {
      // Small messages come in one FETCH per batch (one round trip), and the next batch is fetched while this
      // one is being stored; large ones are streamed to the spool file one at a time.
      const list = [...batches(pending)]
      const fetchBatch = (batch: typeof pending | undefined) => {
        if (!batch || (batch.length === 1 && (batch[0]?.size ?? 0) > SMALL_MESSAGE_BYTES)) return Promise.resolve([])
        const request = client.fetchAll(batch.map((m) => m.uid).join(','), { uid: true, source: true }, { uid: true })
        request.catch(() => undefined) // awaited below; an early exit must not leave an unhandled rejection
        return request
      }
      let next = fetchBatch(list[0])
      for (const [index, batch] of list.entries()) {
        if (this.stopped || !client.usable) return
        const sources = new Map<number, Buffer>()
        for (const f of await next) if (f.source) sources.set(f.uid, f.source)
        next = fetchBatch(list[index + 1])
        if (this.opts.ingestBatch && batch.every((m) => sources.has(m.uid))) {
          if (!(await this.storeBatch(client, batch, sources, { uidValidity, rescan, historyBefore }))) return
          continue
        }
        for (const msg of batch) {
          if (this.stopped || !client.usable) return
          let file: string | null = null
          let source: RawSource
          const raw = sources.get(msg.uid)
          if (raw) source = rawFromBuffer(raw)
          else {
            file = path.join(spool, `${msg.uid}.eml`)
            const download = await client.download(String(msg.uid), undefined, { uid: true })
            if (!download.content) continue // expunged meanwhile
            await pipeline(download.content, createWriteStream(file))
            source = rawFromFile(file, (await stat(file)).size)
          }
          sources.delete(msg.uid)
          if (this.isHistory(msg, historyBefore)) {
            await this.opts.mailboxes.advanceCheckpoint(this.mailboxId, this.opts.owner, uidValidity, msg.uid)
            continue
          }
          const result = await this.ingestOrQuarantine(this.incoming(msg, source, uidValidity, rescan))
          if (file) await rm(file, { force: true })
          await this.afterStored(client, msg.uid, result)
        }
      }
    } finally {
      await rm(spool, { recursive: true, force: true })
    }
  }

  private isHistory(msg: PendingMessage, historyBefore: number | null): boolean {
    const internalDate = receiptDate(msg)
    return historyBefore !== null && internalDate !== null && internalDate.getTime() < historyBefore
  }

  private incoming(msg: PendingMessage, raw: RawSource, uidValidity: string, rescan: boolean): IncomingMail & { checkpoint: { uid: number } } {
    return {
      raw,
      mailboxId: this.mailboxId,
      receivedAt: receiptDate(msg),
      checkpoint: { owner: this.opts.owner, uidValidity, uid: msg.uid },
      replyFrom: this.opts.replyFrom,
      maxBytes: this.opts.mailbox.maxMessageBytes,
      flags: msg.flags ? [...msg.flags] : [],
      rescan
    }
  }

  /** What follows a message's commit: observers, and the move to the processed folder. */
  private async afterStored(client: ImapFlow, uid: number, result: IngestResult): Promise<void> {
    this.opts.onIngested?.(result)
    if (this.opts.mailbox.moveToFolder) {
      await client
        .messageMove(String(uid), this.opts.mailbox.moveToFolder, { uid: true })
        .catch((err: unknown) => this.opts.log.warn({ err, uid }, 'move to processed folder failed'))
    }
  }

  /**
   * Stores a batch of small messages already fetched, in as few transactions as the time cap allows. A message
   * that fails rolls back alone; what came before it commits, then it is handled as a single message would be
   * (counted, retried later or quarantined). Returns false when the sync must stop (watcher stopping).
   */
  private async storeBatch(
    client: ImapFlow,
    batch: PendingMessage[],
    sources: Map<number, Buffer>,
    at: { uidValidity: string; rescan: boolean; historyBefore: number | null }
  ): Promise<boolean> {
    const ingestBatch = this.opts.ingestBatch as NonNullable<WatcherOptions['ingestBatch']>
    let next = 0
    while (next < batch.length) {
      if (this.stopped || !client.usable) return false
      const stored: Array<{ uid: number; result: IngestResult }> = []
      let failed: PendingMessage | null = null
      await ingestBatch(async (tx) => {
        const started = performance.now()
        for (; next < batch.length && performance.now() - started < BATCH_TRANSACTION_MS && !this.stopped; next++) {
          const msg = batch[next] as PendingMessage
          if (this.isHistory(msg, at.historyBefore)) {
            await tx.mailboxes.advanceCheckpoint(this.mailboxId, this.opts.owner, at.uidValidity, msg.uid)
            continue
          }
          try {
            stored.push({ uid: msg.uid, result: await tx.ingest(this.incoming(msg, rawFromBuffer(sources.get(msg.uid) as Buffer), at.uidValidity, at.rescan)) })
          } catch (err) {
            if ((err as Error).name === 'LeaseLostError') throw err // the whole batch rolls back: the new owner stores it
            failed = msg
            return
          }
        }
      })
      for (const { uid, result } of stored) await this.afterStored(client, uid, result)
      const retry = failed as PendingMessage | null
      if (retry) {
        // alone, outside the batch: it fails again with its own error (counted), or it was a passing conflict
        const result = await this.ingestOrQuarantine(this.incoming(retry, rawFromBuffer(sources.get(retry.uid) as Buffer), at.uidValidity, at.rescan))
        await this.afterStored(client, retry.uid, result)
        next++
      }
    }
    for (const msg of batch) sources.delete(msg.uid)
    return true
  }
}
