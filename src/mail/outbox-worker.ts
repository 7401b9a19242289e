// The outbox worker: takes due rows from trc_outbox and hands them to SMTP. Any number of instances may run it on
// the same database; a row is claimed with one conditional UPDATE, so only one instance sends it. A claim that
// outlives its TTL (the instance crashed mid-send) makes the row due again. Outcome and message status are written
// in one transaction: the conversation never says "sent" for a row the outbox still holds, or the reverse.
//
// Delivery is exactly once per row as long as an instance finishes a send within the claim TTL. An instance that
// dies after the relay accepted the mail but before it recorded that leaves a claim that expires, and the mail is
// sent again with the same Message-ID (mail clients and our own ingest deduplicate on it).
//
// When the relay cannot be reached at all (no SMTP reply), the worker checks every `relayProbeMs` whether it is
// back, and as soon as it is, the mail waiting for it is retried at once instead of at its backoff time.
import type { FastifyBaseLogger } from 'fastify'
import type Mail from 'nodemailer/lib/mailer/index.js'
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'
import type { Repositories } from '../repositories/index.js'
import type { OutboxPayload, OutboxRow } from '../repositories/outbox.js'
import { announceDelivery, markOutboundFailed, settleReply } from './delivery.js'
import { classifySendError, ComposeError, ComposeHold, retryDelayMs, type SmtpTransport } from './smtp.js'

export interface LoadedFile {
  filename: string
  contentType: string
  content: Buffer
}

export type GeneratedSpec = NonNullable<OutboxPayload['generated']>[number]

export interface OutboxWorkerSettings {
  pollMs: number
  backoff: { baseMs: number; maxMs: number }
  maxAttempts: number
  claimTtlMs: number
  /** Rows sent in parallel (the transport pool's size is the real limit). */
  concurrency?: number
  /** While the relay is unreachable, how often to check whether it is back (default 3 s). */
  relayProbeMs?: number
}

export interface OutboxWorkerDeps {
  repos: Repositories
  /**
   * The transport for mail sent from a mailbox (null: the default one); resolves null when there is none, and the
   * mail stays queued until a server is configured.
   */
  transportFor(mailboxId: number | null): Promise<SmtpTransport | null>
  /** Identifies this instance in claims. */
  owner: string
  settings: OutboxWorkerSettings
  loadAttachment(id: number): Promise<LoadedFile | null>
  /** Files made at send time (payload.generated). */
  generate(spec: GeneratedSpec): Promise<LoadedFile>
  /** The envelope sender (MAIL FROM) of a row, its signed VERP return path; null or absent: the From address. */
  returnPath?(row: OutboxRow): Promise<string | null>
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>
  now?: () => Date
}

export interface OutboxStats {
  sent: number
  retried: number
  failed: number
}

const BATCH = 50

/** Content-ID under which a stored attachment travels; the stored HTML's `attachments/ID` images point at it. */
const attachmentCid = (id: number) => `trc-att-${id}@trc`

export function createOutboxWorker(deps: OutboxWorkerDeps) {
  const { repos, settings, log } = deps
  const now = deps.now ?? (() => new Date())
  const stats: OutboxStats = { sent: 0, retried: 0, failed: 0 }
  let running = false
  let pending = false
  let wakeUp: (() => void) | null = null
  let loop: Promise<void> | null = null
  let draining: Promise<OutboxStats> | null = null
  /** Set when a send failed without any SMTP reply (relay down or unreachable). */
  let relayDown = false
  /** The relays that could not be reached, probed until they answer. */
  const downRelays = new Set<SmtpTransport>()

  async function compose(row: OutboxRow): Promise<Mail.Options> {
    const p = row.payload
    const own = row.messageId === null ? [] : await repos.attachments.listByMessageIds([row.messageId])
    const ids = [...new Set([...own.map((a) => a.id), ...(p.attachmentIds ?? [])])]
    const attachments: Mail.Attachment[] = []
    const embedded = new Set<number>()
    // images pointing at a stored attachment of this mail (`attachments/ID`, with or without the route prefix)
    // travel as its inline part
    const html = p.html.replace(/(<img\b[^>]*\bsrc=")(?:[^"]*\/)?attachments\/(\d+)"/g, (match, before: string, id: string) => {
      if (!ids.includes(Number(id))) return match
      embedded.add(Number(id))
      return `${before}cid:${attachmentCid(Number(id))}"`
    })
    for (const id of ids) {
      const file = await deps.loadAttachment(id)
      if (!file) throw new ComposeError(`Allegato ${id} non più disponibile: il messaggio non può essere inviato.`)
      attachments.push({
        filename: file.filename,
        content: file.content,
        contentType: file.contentType,
        cid: attachmentCid(id),
        contentDisposition: embedded.has(id) ? 'inline' : 'attachment'
      })
    }
    for (const spec of p.generated ?? []) {
      const file = await deps.generate(spec)
      attachments.push({ filename: file.filename, content: file.content, contentType: file.contentType })
    }
    // bounces come back to the envelope sender: the signed return path says which mail they are about
    const returnPath = (await deps.returnPath?.(row)) ?? null
    return {
      ...(returnPath ? { envelope: { from: returnPath, to: p.to, cc: p.cc, bcc: p.bcc } } : {}),
      from: p.from,
      to: p.to,
      cc: p.cc,
      bcc: p.bcc,
      replyTo: p.replyTo ?? undefined,
      subject: p.subject,
      html,
      text: p.text,
      messageId: p.messageId,
      inReplyTo: p.inReplyTo ?? undefined,
      references: p.references?.length ? p.references : undefined,
      headers: p.headers,
      attachments,
      date: now(),
      disableFileAccess: true,
      disableUrlAccess: true
    }
  }

  /** After the relay's verdict: outbox row and conversation message change together. */
  async function recordSent(row: OutboxRow, response: string, rejected: string[]): Promise<void> {
    const at = now()
    const note = rejected.length > 0 ? `Non recapitato a: ${rejected.join(', ')}` : null
    const claimed = await repos.transaction(async (tx) => {
      if (!(await tx.outbox.markSent(row.id, deps.owner, response, at))) return false
      if (row.messageId !== null) {
        // a PEC receipt that came back faster than this commit is not overwritten
        await tx.messages.setDeliveryStatus(row.messageId, 'sent', note, ['queued', 'sending', 'retrying'])
        // A reasoned reply stops the ARERA clock when it actually leaves, not when it was queued.
        if (row.kind === 'reply') await settleReply(tx, row.messageId, at, at)
        await announceDelivery(tx, row.messageId, at)
      }
      return true
    })
    if (claimed) stats.sent++
    else log.warn({ outboxId: row.id }, 'outbox: claim expired while sending; another instance owns the row now')
  }

  async function recordFailure(row: OutboxRow, err: unknown): Promise<void> {
    if (err instanceof ComposeHold) {
      const at = now()
      await repos.outbox.markRetry(row.id, deps.owner, err.message, new Date(at.getTime() + err.retryAfterMs), at, false)
      return
    }
    const failure = classifySendError(err)
    if (failure.unreachable) relayDown = true
    const attempts = row.attempts + 1
    const at = now()
    const retry = !failure.permanent && attempts < settings.maxAttempts
    await repos.transaction(async (tx) => {
      if (retry) {
        const next = new Date(at.getTime() + retryDelayMs(attempts, settings.backoff))
        if (!(await tx.outbox.markRetry(row.id, deps.owner, failure.message, next, at))) return
        if (row.messageId !== null) {
          await tx.messages.setDeliveryStatus(row.messageId, 'retrying', failure.message)
          await announceDelivery(tx, row.messageId, at)
        }
        return
      }
      if (!(await tx.outbox.markFailed(row.id, deps.owner, failure.message, at))) return
      if (row.messageId !== null) {
        // The citizen never received it: the clock runs again.
        await markOutboundFailed(tx, row.messageId, failure.message, at)
      }
      const message = row.messageId === null ? null : await tx.messages.findById(row.messageId)
      if (message?.workOrderId != null) await tx.changes.append(message.workOrderId, 'delivery', at)
      await tx.audit.record(
        {
          actorType: 'system',
          action: 'outbound.failed',
          workOrderId: message?.workOrderId ?? null,
          messageId: row.messageId,
          details: { outboxId: row.id, attempts, error: failure.message, responseCode: failure.responseCode }
        },
        at
      )
    })
    if (retry) stats.retried++
    else stats.failed++
    log.warn(
      { outboxId: row.id, attempts, permanent: failure.permanent, error: failure.message },
      retry ? 'outbox: send failed, will retry' : 'outbox: send failed for good'
    )
  }

  async function processRow(id: number): Promise<void> {
    const due = await repos.outbox.findById(id)
    if (!due) return
    const transport = await deps.transportFor(due.payload.mailboxId ?? null)
    if (!transport) return
    if (!(await repos.outbox.claim(id, deps.owner, settings.claimTtlMs, now()))) return
    const row = await repos.outbox.findById(id)
    if (!row) return
    let info: SMTPTransport.SentMessageInfo
    try {
      info = await transport.sendMail(await compose(row))
    } catch (err) {
      if (classifySendError(err).unreachable && transport) downRelays.add(transport)
      await recordFailure(row, err)
      return
    }
    const rejected = (info.rejected ?? []).map((r: string | { address: string }) => (typeof r === 'string' ? r : r.address))
    await recordSent(row, String(info.response ?? ''), rejected)
  }

  /** Sends everything due now, `concurrency` rows at a time; resolves when nothing due is left. */
  async function drain(): Promise<OutboxStats> {
    const before = { ...stats }
    const seen = new Set<number>()
    for (;;) {
      const due = (await repos.outbox.listDue(now(), BATCH)).filter((id) => !seen.has(id))
      if (due.length === 0) break
      for (const id of due) seen.add(id)
      const queue = [...due]
      const lanes = Array.from({ length: Math.min(settings.concurrency ?? 3, queue.length) }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          try {
            await processRow(id)
          } catch (err) {
            // a database error: the claim expires and the row is retried, by us or another instance
            log.error({ err, outboxId: id }, 'outbox: could not record the outcome of a send')
          }
        }
      })
      await Promise.all(lanes)
    }
    return { sent: stats.sent - before.sent, retried: stats.retried - before.retried, failed: stats.failed - before.failed }
  }

  /** One drain at a time per instance: concurrent callers share it. */
  function runOnce(): Promise<OutboxStats> {
    if (!draining)
      draining = drain().finally(() => {
        draining = null
      })
    return draining
  }

  /** The relay answers again: what was waiting for it becomes due now. */
  async function probeRelay(): Promise<void> {
    if (!relayDown) return
    let back = false
    for (const transport of downRelays) {
      if (
        await transport.verify().then(
          () => true,
          () => false
        )
      ) {
        downRelays.delete(transport)
        back = true
      }
    }
    if (downRelays.size === 0) relayDown = false
    if (!back) return
    const due = await repos.outbox.retryNow(now())
    log.info({ rows: due }, 'outbox: the SMTP relay is reachable again; retrying now')
  }

  async function run(): Promise<void> {
    let lastProbe = 0
    while (running) {
      pending = false
      try {
        if (relayDown && Date.now() - lastProbe >= (settings.relayProbeMs ?? 3000)) {
          lastProbe = Date.now()
          await probeRelay()
        }
        await runOnce()
      } catch (err) {
        log.error({ err }, 'outbox: polling failed; trying again')
      }
      if (!running) break
      if (pending) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, relayDown ? Math.min(settings.pollMs, settings.relayProbeMs ?? 3000) : settings.pollMs)
        wakeUp = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wakeUp = null
    }
  }

  return {
    stats: () => ({ ...stats }),
    start(): void {
      if (running) return
      running = true
      loop = run()
    },
    /** Stops polling and waits for the sends in progress to be recorded. */
    async stop(): Promise<void> {
      running = false
      wakeUp?.()
      await loop
      loop = null
    },
    /** Mail was just queued (and committed) in this process: look now rather than at the next poll. */
    wake(): void {
      pending = true
      wakeUp?.()
    },
    runOnce,
    /** Checks the relay now if it was unreachable; when it answers, waiting mail is due at once (tests). */
    probeRelay
  }
}

export type OutboxWorker = ReturnType<typeof createOutboxWorker>
