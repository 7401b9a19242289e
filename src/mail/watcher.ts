// One IMAP mailbox, watched continuously: take the lease, connect, catch up from the checkpoint, then IDLE and
// fetch by UID whenever the server announces new mail. Any drop: a fresh client after a capped, jittered
// backoff (imapflow clients cannot be reused after close). Never marks, moves or deletes mail unless the
// mailbox is configured to move processed mail.
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { ImapFlow } from 'imapflow'
import type { MailboxRecord, MailboxRepository } from '../repositories/mailboxes.js'
import type { IncomingMail, IngestResult } from './ingest/index.js'
import { rawFromBuffer, rawFromFile, type RawSource } from './raw-source.js'

export type WatcherState = 'connecting' | 'syncing' | 'idle' | 'backoff' | 'standby' | 'stopped'

export interface WatcherOptions {
  mailbox: MailboxRecord
  password: string
  owner: string
  mailboxes: MailboxRepository
  ingest: (incoming: IncomingMail) => Promise<IngestResult>
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void }
  leaseTtlMs?: number
  backoff?: { baseMs: number; maxMs: number }
  /** Sender identity used for confirmations of mail that arrived here. */
  replyFrom: string | null
  /** Called after each ingested message (tests and benchmarks observe progress through it). */
  onIngested?: (result: IngestResult) => void
}

/** Messages up to this size are fetched whole in batches; larger ones are streamed to disk one at a time. */
const SMALL_MESSAGE_BYTES = 256 * 1024
const BATCH_BYTES = 4 * 1024 * 1024
const BATCH_COUNT = 100

/** Groups the pending list: runs of small messages (bounded in count and bytes), each large message alone. */
function* batches<T extends { size?: number }>(pending: T[]): Generator<T[]> {
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

  private async setState(state: WatcherState, error?: string | null): Promise<void> {
    await this.opts.mailboxes.setState(this.mailboxId, state, error).catch((err: unknown) => this.opts.log.warn({ err }, 'mailbox state not saved'))
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
    const { baseMs, maxMs } = this.opts.backoff ?? { baseMs: 1_000, maxMs: 60_000 }
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
        const message = (err as Error).message ?? String(err)
        this.opts.log.warn({ err, mailbox: this.mailboxId, attempt: this.attempt }, 'mailbox connection failed')
        await this.setState('backoff', message)
      } finally {
        this.stopLeaseRenewal()
      }
      if (!this.stopped) await this.pause(this.backoffMs())
    }
    await this.setState('stopped')
  }

  private startLeaseRenewal(client: ImapFlow): void {
    this.leaseTimer = setInterval(() => {
      this.opts.mailboxes.acquireLease(this.mailboxId, this.opts.owner, this.ttl).then((held) => {
        if (!held) {
          this.opts.log.warn({ mailbox: this.mailboxId }, 'lease lost to another instance; disconnecting')
          client.close()
        }
      }, (err: unknown) => this.opts.log.warn({ err }, 'lease renewal failed'))
    }, Math.max(200, Math.floor(this.ttl / 3)))
  }

  private stopLeaseRenewal(): void {
    if (this.leaseTimer) clearInterval(this.leaseTimer)
    this.leaseTimer = null
  }

  /** One connection's life: resolves when the server closes it (or we stop), rejects on errors. */
  private async session(): Promise<void> {
    const mb = this.opts.mailbox
    await this.setState('connecting')
    const client = new ImapFlow({
      host: mb.host, port: mb.port, secure: mb.secure,
      auth: { user: mb.username, pass: this.opts.password },
      logger: false,
      // IDLE as soon as we are done issuing commands: new mail is announced within Dovecot's own delay.
      autoIdleDelay: 100,
      maxIdleTime: 5 * 60_000,
      socketTimeout: 10 * 60_000,
      tls: { rejectUnauthorized: !(process.env.TRC_IMAP_INSECURE === '1') }
    })
    this.client = client
    let lastError: Error | null = null
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()))
    client.on('error', (err: Error) => {
      lastError = err
      this.opts.log.warn({ err, mailbox: mb.id }, 'IMAP error')
    })
    try {
      await client.connect()
      this.startLeaseRenewal(client)
      // The folder stays selected but unlocked between syncs: imapflow only IDLEs while no lock is held.
      await client.mailboxOpen(mb.folder, { readOnly: !mb.moveToFolder })
      client.on('exists', () => void this.sync(client))
      await this.sync(client)
      await closed
    } finally {
      this.client = null
      if (client.usable) await client.logout().catch(() => client.close())
      else client.close()
    }
    if (!this.stopped) throw lastError ?? new Error('IMAP connection closed by the server')
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
      await this.setState('backoff', (err as Error).message)
      client.close()
    } finally {
      this.syncing = false
    }
  }

  private async syncOnce(client: ImapFlow): Promise<void> {
    const mailbox = client.mailbox
    if (!mailbox) throw new Error('no mailbox selected')
    const uidValidity = String(mailbox.uidValidity)
    const state = await this.opts.mailboxes.findState(this.mailboxId)
    let lastUid = state?.lastUid ?? 0
    if (state?.uidValidity && state.uidValidity !== uidValidity) {
      // The server renumbered the folder: rescan everything; Message-ID dedupe keeps what we already have.
      this.opts.log.warn({ mailbox: this.mailboxId, from: state.uidValidity, to: uidValidity }, 'UIDVALIDITY changed: rescanning')
      await this.opts.mailboxes.resetCheckpoint(this.mailboxId, this.opts.owner, uidValidity)
      lastUid = 0
    }
    if (mailbox.exists === 0) return
    // Collect the list first: no other command may run inside a fetch() iteration.
    const pending = (await client.fetchAll(`${lastUid + 1}:*`, { uid: true, internalDate: true, size: true }, { uid: true }))
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
        for (const msg of batch) {
          if (this.stopped || !client.usable) return
          const raw = sources.get(msg.uid)
          let source: RawSource
          let file: string | null = null
          if (raw) source = rawFromBuffer(raw)
          else {
            file = path.join(spool, `${msg.uid}.eml`)
            const download = await client.download(String(msg.uid), undefined, { uid: true })
            if (!download.content) continue // expunged meanwhile
            await pipeline(download.content, createWriteStream(file))
            source = rawFromFile(file, (await stat(file)).size)
          }
          sources.delete(msg.uid)
          const internalDate = msg.internalDate instanceof Date ? msg.internalDate : msg.internalDate ? new Date(msg.internalDate) : null
          const result = await this.opts.ingest({
            raw: source, mailboxId: this.mailboxId, receivedAt: internalDate,
            checkpoint: { owner: this.opts.owner, uidValidity, uid: msg.uid }, replyFrom: this.opts.replyFrom,
            maxBytes: this.opts.mailbox.maxMessageBytes
          })
          if (file) await rm(file, { force: true })
          this.opts.onIngested?.(result)
          if (this.opts.mailbox.moveToFolder) {
            await client.messageMove(String(msg.uid), this.opts.mailbox.moveToFolder, { uid: true }).catch((err: unknown) => this.opts.log.warn({ err, uid: msg.uid }, 'move to processed folder failed'))
          }
        }
      }
    } finally {
      await rm(spool, { recursive: true, force: true })
    }
  }
}
