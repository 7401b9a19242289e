// The outbound half of the module: operator actions (reply, forward, notes, state, conversation document) and the
// outbox worker that delivers what they queue, each mail through the outgoing server of the mailbox it is sent from.
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { createOutboxWorker, type OutboxWorker } from '../mail/outbox-worker.js'
import { notFound } from '../http-errors.js'
import { ComposeError, ComposeHold, type SmtpTransport } from '../mail/smtp.js'
import type { OAuthTokens } from '../mail/oauth2.js'
import { createTransportRegistry } from '../mail/transports.js'
import { returnPathFor } from '../mail/verp.js'
import type { ResolvedOptions } from '../options.js'
import type { Repositories } from '../repositories/index.js'
import { readAttachmentContent, type AttachmentStorage } from '../storage.js'
import type { ActionDeps, Actor } from './common.js'
import { exportConversation, sendConversationDocument, type ExportOptions } from './export.js'
import { forward, type ForwardInput } from './forward.js'
import { reply, type ReplyInput } from './reply.js'
import { addNote, setState } from './timeline.js'

export type { Upload, Actor } from './common.js'
export type { ReplyInput } from './reply.js'
export type { ForwardInput } from './forward.js'

export interface OutboundInput {
  repos: Repositories
  options: ResolvedOptions
  storage: AttachmentStorage
  log: FastifyBaseLogger
  tokens?: Pick<OAuthTokens, 'accessToken'>
  /** The clock actions and the outbox worker stamp their rows with (default: the system's). */
  now?: () => Date
  /** Every mail leaves through this transport instead of the configured servers (the example host's demo seed). */
  transport?: SmtpTransport
}

export function createOutbound(input: OutboundInput) {
  const { repos, options, storage, log } = input
  const now = input.now ?? (() => new Date())
  const transports = createTransportRegistry({
    mailboxes: repos.mailboxes,
    secret: options.secret,
    defaultUrl: options.mail.smtp?.url ?? null,
    tokens: input.tokens
  })
  const fixedTransport = input.transport
  let worker: OutboxWorker | null = null
  const deps: ActionDeps = { repos, options, storage, wake: () => worker?.wake(), now }

  worker = createOutboxWorker({
    repos,
    log,
    now,
    transportFor: fixedTransport ? async () => fixedTransport : transports.forMailbox,
    owner: options.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    settings: {
      pollMs: options.mail.outboxPollMs,
      backoff: options.mail.outboxBackoff,
      maxAttempts: options.mail.outboxMaxAttempts,
      claimTtlMs: options.mail.outboxClaimTtlMs,
      relayProbeMs: options.mail.relayProbeMs
    },
    async loadAttachment(id) {
      const meta = await repos.attachments.findById(id)
      if (!meta) return null
      // the antivirus has the last word at send time too: a file being scanned holds the mail, a blocked one fails it
      if (meta.scan === 'pending')
        throw new ComposeHold(`Allegato "${meta.filename}" in corso di controllo antivirus: invio rimandato.`, options.antivirus?.pollMs ?? 2000)
      if (meta.blocked)
        throw new ComposeError(
          meta.scan === 'infected'
            ? `Allegato "${meta.filename}" infetto (${meta.virus ?? '?'}): il messaggio non viene inviato.`
            : `Allegato "${meta.filename}" non controllato dall'antivirus: il messaggio non viene inviato.`
        )
      const content = await readAttachmentContent(meta, storage, repos.attachments.readContent)
      return content ? { filename: meta.filename, contentType: meta.contentType, content } : null
    },
    async returnPath(row) {
      const mailbox = row.payload.mailboxId == null ? null : await repos.mailboxes.findById(row.payload.mailboxId)
      return returnPathFor(row.payload.from, row.id, mailbox, options.secret)
    },
    async generate(spec) {
      // made for someone outside the office: internal notes stay out
      const doc = await exportConversation(deps, spec.workOrderId, { includeNotes: false })
      if (!doc) throw new ComposeError(`Ordine di lavoro ${spec.workOrderId} non trovato: documento non generato.`)
      return { filename: spec.filename || doc.filename, contentType: doc.contentType, content: doc.content }
    }
  })
  const outbox = worker

  return {
    actions: {
      /** Queues a reply to the citizen; returns the id of the stored outbound message. */
      reply: (workOrderId: number, body: ReplyInput, operator: Actor) => reply(deps, workOrderId, body, operator),
      forward: (workOrderId: number, body: ForwardInput, operator: Actor) => forward(deps, workOrderId, body, operator),
      addNote: (workOrderId: number, body: { html: string }, operator: Actor) => addNote(deps, workOrderId, body, operator),
      setState: (workOrderId: number, body: { state: unknown; note?: string }, operator: Actor) => setState(deps, workOrderId, body, operator),
      /** The conversation as a .docx; 404 when the work order does not exist. */
      exportDocument: async (workOrderId: number, options?: ExportOptions) =>
        (await exportConversation(deps, workOrderId, options)) ?? Promise.reject(notFound('workOrderNotFound', { id: workOrderId })),
      sendDocument: (workOrderId: number, body: { to: unknown; cc?: unknown; note?: string; includeNotes?: boolean }, operator: Actor) =>
        sendConversationDocument(deps, workOrderId, body, operator)
    },
    /** The outbox worker of this instance: `runOnce()` sends what is due now (tests, host schedulers). */
    outbox: { wake: outbox.wake, runOnce: outbox.runOnce, stats: outbox.stats },
    start(): void {
      if (options.mail.startWorkers) outbox.start()
    },
    async stop(): Promise<void> {
      await outbox.stop()
      transports.close()
    }
  }
}

export type Outbound = ReturnType<typeof createOutbound>
