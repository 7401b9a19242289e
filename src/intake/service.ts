// The intake service: a validated submission from the web form or the app becomes a work order, its first
// message, its attachments and the citizen's confirmation — in one transaction, so a failure stores nothing.
// It also answers the citizen's status polling and publishes operators' public notes.
import { randomBytes } from 'node:crypto'
import { isRequestType, requestTypeLabel, serviceLabel, suggestRequestType, type RequestType } from '../domain/arera.js'
import { HttpError, notFound } from '../http-errors.js'
import type { Locale } from '../i18n.js'
import { queueConfirmation } from '../work-orders/confirmation.js'
import type { GenericContributor } from '../work-orders/generic-contributor.js'
import { openWorkOrder, type WorkOrderClockDeps } from '../work-orders/open.js'
import { syntheticKey } from '../mail/message-id.js'
import { queueOutboundMail } from '../mail/outbound.js'
import { lastCorrespondent } from '../mail/participants.js'
import type { ResolvedOptions } from '../options.js'
import type { Repositories } from '../repositories/index.js'
import type { IntakeRequest } from '../repositories/intake-requests.js'
import type { AttachmentStorage } from '../storage.js'
import { isUniqueViolation } from '../repositories/normalize.js'
import { WORK_ORDER_STATES, type Operator, type WorkOrder, type WorkOrderState } from '../types.js'
import { matchCitizen } from './match.js'
import type { ResolvedIntakeOptions } from './options.js'
import { requestStateLabel } from '../domain/state-labels.js'
import { statusUpdateMail, submissionMessage } from './templates.js'
import type { UploadedFile } from './uploads.js'
import { createUpdateService } from './updates.js'
import { PUBLISHABLE_TYPES, type ValidSubmission } from './validate.js'

/** What the intake needs: what opening a work order needs (src/work-orders/), and the intake's own settings. */
export interface IntakeDeps extends WorkOrderClockDeps {
  repos: Repositories
  genericContributor: GenericContributor
  options: ResolvedOptions
  storage: AttachmentStorage
  now?: () => Date
  intake: ResolvedIntakeOptions
  /** Mail was queued (a confirmation, a status update): lets the outbox worker send it now, not at its next poll. */
  onQueued?: () => void
}

export interface IntakeSubmission {
  channel: 'web' | 'app'
  submission: ValidSubmission
  files: UploadedFile[]
  /** Names the submission: the same key twice is the same request (the web form's token; random for the app). */
  idempotencyKey: string
  client: { ip: string | null; userAgent: string | null; apiKeyName: string | null }
}

export interface IntakeReceipt {
  workOrderId: number
  reference: string
  publicToken: string
  /** false when this submission had already been received (a double click, a reload). */
  created: boolean
  confirmationQueued: boolean
  /** The ARERA deadline of the reply (YYYY-MM-DD), null when the type has none. */
  dueDate: string | null
}

/** The per-address limit was reached: nothing was stored. */
export class IntakeLimitError extends Error {
  constructor(readonly email: string) {
    super(`Too many submissions from ${email} in the last hour`)
    this.name = 'IntakeLimitError'
  }
}

export interface PublicNote {
  at: string
  text: string
  html: string
}

export interface IntakeStatus {
  reference: string
  status: WorkOrderState
  statusLabel: string
  type: string | null
  typeLabel: string | null
  service: string | null
  serviceLabel: string | null
  channel: string
  receivedAt: string
  dueDate: string | null
  updatedAt: string
  history: Array<{ at: string; status: WorkOrderState; statusLabel: string }>
  notes: PublicNote[]
}

/** A request as Open311 shows it: the intake row, the host's work order and the module's metadata. */
export interface PublishedRequest {
  intake: IntakeRequest
  workOrder: WorkOrder | null
  type: string | null
  dueDate: string | null
  publicToken: string | null
  /** The last change a citizen may see (state, public note, expected date, publication), if any since submission. */
  publicChangedAt: string | null
}

/** The last change a citizen may see: Open311's updated_datetime and the status page's updatedAt. */
export function lastPublicChange(intake: IntakeRequest | null, submittedAt: string, publicChangedAt: string | null): string {
  return (
    [submittedAt, intake?.updatedAt, publicChangedAt]
      .filter((t): t is string => !!t)
      .sort()
      .at(-1) ?? submittedAt
  )
}

const isState = (value: unknown): value is WorkOrderState => (WORK_ORDER_STATES as readonly unknown[]).includes(value)

export function createIntakeService(deps: IntakeDeps) {
  const { repos, options, storage } = deps
  const clock = () => deps.now?.() ?? new Date()

  async function existing(dedupeKey: string): Promise<IntakeReceipt | null> {
    const message = await repos.messages.findByDedupeKey(dedupeKey)
    if (!message?.workOrderId) return null
    const meta = await repos.workOrderMeta.find(message.workOrderId)
    if (!meta) return null
    return {
      workOrderId: message.workOrderId,
      reference: meta.reference,
      publicToken: meta.publicToken,
      created: false,
      confirmationQueued: false,
      dueDate: meta.dueDate
    }
  }

  async function publicNotes(workOrderId: number): Promise<PublicNote[]> {
    const messages = await repos.messages.listByWorkOrder(workOrderId)
    return messages.filter((m) => m.channel === 'note' && m.meta.public === true).map((m) => ({ at: m.createdAt, text: m.text ?? '', html: m.html ?? '' }))
  }

  return {
    async submit(input: IntakeSubmission): Promise<IntakeReceipt> {
      const now = clock()
      const { submission: s, channel } = input
      const dedupeKey = syntheticKey('intake', channel, input.idempotencyKey)
      const again = await existing(dedupeKey)
      if (again) return again
      const email = s.person.email
      if (email && (await repos.intakeRequests.countByEmailSince(email, new Date(now.getTime() - 3_600_000))) >= deps.intake.perEmailPerHour) {
        throw new IntakeLimitError(email)
      }
      const match = await matchCitizen(repos.host, await deps.genericContributor.get(), s.person)
      // Bytes go to storage before the transaction (directory writes are idempotent and content-addressed).
      const stored: Array<Awaited<ReturnType<typeof storage.put>>> = []
      for (const f of input.files) stored.push(await storage.put(f.content, f.sha256))
      const suggestion = suggestRequestType(s.subject ?? '', s.body.text.slice(0, 20_000))
      // "Altro" cannot be classified by the citizen: the prudential rule applies (the suggestion, by default a complaint).
      const type: RequestType = s.type === 'altro' ? suggestion.type : s.type
      const subject = s.subject ?? [requestTypeLabel(s.type, options.locale), s.address].filter(Boolean).join(' – ')
      const body = submissionMessage(s, channel, options.locale, { chosenType: s.type, clientName: input.client.apiKeyName })
      const fromName = [s.person.firstName, s.person.lastName].filter(Boolean).join(' ') || null

      try {
        const receipt = await repos.transaction(async (tx) => {
          const workOrderId = await openWorkOrder(
            tx,
            deps,
            {
              contributorId: match.contributorId,
              subject,
              text: s.body.text,
              type,
              suggested: suggestion.type,
              receivedAt: now,
              parentWorkOrderId: null,
              channel,
              service: s.service,
              suggestedService: suggestion.service?.type ?? null
            },
            now
          )
          const meta = await tx.workOrderMeta.find(workOrderId)
          if (!meta) throw new Error(`work order ${workOrderId} has no metadata`)
          const messageId = await tx.messages.insert({
            workOrderId,
            contributorId: match.contributorId,
            direction: 'inbound',
            channel,
            messageId: null,
            dedupeKey,
            from: email,
            fromName,
            to: [],
            cc: [],
            subject,
            html: body.html,
            text: body.text,
            senderMatch: match.match,
            senderCandidates: match.candidates,
            meta: {
              intake: {
                channel,
                chosenType: s.type,
                service: s.service,
                address: s.address,
                latitude: s.latitude,
                longitude: s.longitude,
                person: s.person,
                complaint: s.complaint,
                mediaUrls: s.mediaUrls,
                matchedVia: match.via,
                client: input.client,
                suggestedType: suggestion.type,
                suggestionConfidence: suggestion.confidence,
                missing: s.missing
              }
            },
            receivedAt: now,
            createdAt: now
          })
          for (const [i, f] of input.files.entries()) {
            const bytes = stored[i]
            if (!bytes) continue
            await tx.attachments.insert({
              messageId,
              filename: f.filename,
              contentType: f.contentType,
              size: f.size,
              sha256: f.sha256,
              contentId: null,
              inline: false,
              storage: bytes.storage,
              storageKey: bytes.storageKey,
              content: bytes.content,
              createdAt: now
            })
          }
          await tx.intakeRequests.insert({
            workOrderId,
            reference: meta.reference,
            channel,
            serviceCode: s.type,
            service: s.service,
            address: s.address,
            latitude: s.latitude,
            longitude: s.longitude,
            email,
            mediaUrl: s.mediaUrls[0] ?? null,
            clientName: input.client.apiKeyName,
            submittedAt: now
          })
          await tx.audit.record(
            {
              actorType: 'citizen',
              actorName: email,
              action: 'intake.opened',
              workOrderId,
              messageId,
              details: {
                channel,
                sender: match.match,
                candidates: match.candidates,
                via: match.via,
                files: input.files.length,
                client: input.client.apiKeyName,
                ip: input.client.ip,
                missing: s.missing
              }
            },
            now
          )
          const confirmationQueued = email
            ? await queueConfirmation(
                tx,
                deps,
                {
                  workOrderId,
                  contributorId: match.contributorId,
                  to: email,
                  content: { subject, text: s.body.text, html: null },
                  receivedAt: now,
                  pec: false,
                  replyFrom: null,
                  inReplyTo: null,
                  channel
                },
                now
              )
            : false
          await tx.changes.append(workOrderId, 'message', now)
          return { workOrderId, reference: meta.reference, publicToken: meta.publicToken, created: true, confirmationQueued, dueDate: meta.dueDate }
        })
        if (receipt.confirmationQueued) deps.onQueued?.()
        return receipt
      } catch (err) {
        // The same form posted twice at the same moment: the unique dedupe key let one through.
        if (isUniqueViolation(err)) {
          const first = await existing(dedupeKey)
          if (first) return first
        }
        throw err
      }
    },

    /** What the citizen may see of their own request, by the public token they received. */
    async status(token: string, locale: Locale): Promise<IntakeStatus | null> {
      const meta = await repos.workOrderMeta.findByPublicToken(token)
      if (!meta) return null
      const workOrder = await repos.host.findWorkOrder(meta.workOrderId)
      if (!workOrder) return null
      const intake = await repos.intakeRequests.find(meta.workOrderId)
      const status: WorkOrderState = workOrder.status ?? 'open'
      const history: IntakeStatus['history'] = [{ at: meta.receivedAt, status: 'open', statusLabel: requestStateLabel('open', locale) }]
      // State changes are audited with `details.to` (a reopening counts as back to open).
      for (const entry of await repos.audit.listByWorkOrder(meta.workOrderId)) {
        const to = entry.action === 'workOrder.reopened' ? 'open' : entry.details.to
        if (isState(to) && history.at(-1)?.status !== to) history.push({ at: entry.at, status: to, statusLabel: requestStateLabel(to, locale) })
      }
      const notes = await publicNotes(meta.workOrderId)
      const times = [lastPublicChange(intake, meta.receivedAt, meta.publicChangedAt), history.at(-1)?.at, notes.at(-1)?.at]
        .filter((t): t is string => !!t)
        .sort()
      return {
        reference: meta.reference,
        status,
        statusLabel: requestStateLabel(status, locale),
        type: meta.areraType,
        typeLabel: isRequestType(meta.areraType) ? requestTypeLabel(meta.areraType, locale) : meta.areraType,
        service: meta.service,
        serviceLabel: meta.service ? serviceLabel(meta.service, locale) : null,
        channel: meta.channel,
        receivedAt: meta.receivedAt,
        dueDate: meta.dueDate,
        updatedAt: times.at(-1) ?? meta.receivedAt,
        history,
        notes
      }
    },

    /**
     * An operator's note the citizen may read (status endpoint, Open311 status_notes); with `notify` it is also
     * mailed to the citizen. 404 without the work order, 409 when it cannot be mailed (no address, no sender).
     */
    async addPublicNote(
      workOrderId: number,
      note: { text: string; html: string; notify: boolean },
      operator: Operator
    ): Promise<{ noteId: number; notification: { messageId: number; outboxId: number; to: string } | null }> {
      const now = clock()
      const workOrder = await repos.host.findWorkOrder(workOrderId)
      if (!workOrder) throw notFound('workOrderNotFound', { id: workOrderId })
      const meta = await repos.workOrderMeta.find(workOrderId)
      const intake = await repos.intakeRequests.find(workOrderId)
      // by mail: the address of the request, else the last accepted correspondent (never a stranger who only wrote in)
      const recipient = note.notify ? (intake?.email ?? (await lastCorrespondent(repos, workOrderId, workOrder.contributorId))) : null
      if (note.notify && !recipient) throw new HttpError(409, 'publicNoteNoRecipient')
      const from = options.mail.from
      if (note.notify && !from) throw new HttpError(409, 'publicNoteNoSender')
      const result = await repos.transaction(async (tx) => {
        const noteId = await tx.messages.insert({
          workOrderId,
          contributorId: workOrder.contributorId,
          direction: 'outbound',
          channel: 'note',
          messageId: null,
          dedupeKey: randomBytes(32).toString('hex'),
          from: operator.email ?? null,
          fromName: operator.name,
          to: recipient ? [recipient] : [],
          cc: [],
          subject: options.locale === 'it' ? 'Nota pubblica' : 'Public note',
          html: note.html,
          text: note.text,
          operator: { id: operator.id, name: operator.name },
          meta: { kind: 'publicNote', public: true, notify: note.notify },
          createdAt: now
        })
        await tx.intakeRequests.setStatusNotes(workOrderId, note.text.slice(0, 2000), now)
        await tx.workOrderMeta.touchPublic(workOrderId, now)
        await tx.audit.record(
          {
            actorType: 'operator',
            actorId: operator.id,
            actorName: operator.name,
            action: 'note.public',
            workOrderId,
            messageId: noteId,
            details: { notify: note.notify, status: workOrder.status ?? 'open' }
          },
          now
        )
        await tx.changes.append(workOrderId, 'note', now)
        if (!recipient || !from) return { noteId, notification: null }
        const mail = statusUpdateMail({
          locale: options.locale,
          organizationName: options.organizationName,
          reference: meta?.reference ?? String(workOrderId),
          workOrderId,
          noteHtml: note.html,
          statusLabel: requestStateLabel(workOrder.status ?? 'open', options.locale)
        })
        const queued = await queueOutboundMail(
          tx,
          {
            workOrderId,
            contributorId: workOrder.contributorId,
            kind: 'status',
            from,
            to: [recipient],
            subject: mail.subject,
            html: mail.html,
            text: mail.text,
            operator: { id: operator.id, name: operator.name },
            meta: { publicNoteId: noteId },
            now
          },
          options.secret
        )
        return { noteId, notification: { messageId: queued.messageId, outboxId: queued.outboxId, to: recipient } }
      })
      if (result.notification) deps.onQueued?.()
      return result
    },

    /** Requests for Open311: by references, or by service codes and time window (newest first). */
    async published(filter: { references?: string[]; serviceCodes?: string[]; from?: Date; to?: Date; limit: number }): Promise<PublishedRequest[]> {
      const rows = filter.references
        ? await repos.intakeRequests.listByReferences(filter.references)
        : await repos.intakeRequests.list({ serviceCodes: filter.serviceCodes, from: filter.from, to: filter.to, limit: filter.limit })
      const ids = rows.map((r) => r.workOrderId)
      const workOrders = new Map((await repos.host.findWorkOrdersByIds(ids)).map((w) => [w.id, w]))
      const metas = new Map((await repos.workOrderMeta.findByIds(ids)).map((m) => [m.workOrderId, m]))
      return rows.map((intake) => {
        const meta = metas.get(intake.workOrderId)
        return {
          intake,
          workOrder: workOrders.get(intake.workOrderId) ?? null,
          type: meta?.areraType ?? null,
          dueDate: meta?.dueDate ?? null,
          publicToken: meta?.publicToken ?? null,
          publicChangedAt: meta?.publicChangedAt ?? null
        }
      })
    },

    async findByToken(token: string): Promise<IntakeRequest | null> {
      const meta = await repos.workOrderMeta.findByPublicToken(token)
      return meta ? repos.intakeRequests.find(meta.workOrderId) : null
    },

    /**
     * Moderation: an operator approves (or withdraws) publishing a report's description, exact place and media,
     * optionally with the text to publish (personal data removed). Audited; a change the public sees.
     */
    async setPublication(
      workOrderId: number,
      input: { approved: boolean; description: string | null },
      operator: Operator
    ): Promise<IntakeRequest | 'notFound' | 'notPublishable'> {
      const now = clock()
      const intake = await repos.intakeRequests.find(workOrderId)
      if (!intake) return 'notFound'
      if (input.approved && !PUBLISHABLE_TYPES.has(intake.serviceCode as RequestType)) return 'notPublishable'
      const description = input.approved ? input.description : null
      await repos.transaction(async (tx) => {
        await tx.intakeRequests.setPublication(workOrderId, { approved: input.approved, description, by: operator.name }, now)
        await tx.workOrderMeta.touchPublic(workOrderId, now)
        await tx.audit.record(
          {
            actorType: 'operator',
            actorId: operator.id,
            actorName: operator.name,
            action: 'intake.publication',
            workOrderId,
            details: { from: intake.publication.approved, to: input.approved, ownText: description !== null }
          },
          now
        )
      })
      return (await repos.intakeRequests.find(workOrderId)) as IntakeRequest
    },

    ...createUpdateService(deps)
  }
}

export type IntakeService = ReturnType<typeof createIntakeService>
