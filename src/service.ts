// The module's core use cases, grouped by resource: what routes and host code call. It talks to repositories only;
// a use case that cannot be done throws an HttpError (status, i18n key, parameters), never a string or a boolean.
import { withRate } from './mail/archive-import.js'
import type { ArchiveImport } from './repositories/archive-imports.js'
import { assertServable } from './antivirus/guard.js'
import { defaultRecipient, loadParticipants } from './mail/participants.js'
import type { AreraService, ClockFields } from './arera/service.js'
import { invalidField, notFound } from './http-errors.js'
import { isMessageKey, translate, type Locale } from './i18n.js'
import type { MailboxManager, MailboxSettings } from './mail/mailbox-manager.js'
import type { ResolvedOptions } from './options.js'
import { toSummary, type StoredAttachment } from './repositories/attachments.js'
import type { Repositories } from './repositories/index.js'
import type { MailboxState } from './repositories/mailboxes.js'
import type { MessageSearch } from './repositories/messages.js'
import type { QuarantineRecord } from './repositories/quarantine.js'
import type { GenericContributor } from './work-orders/generic-contributor.js'
import { readAttachmentContent, type AttachmentStorage } from './storage.js'
import type { Contributor, Message, Operator, WorkOrder } from './types.js'

export interface WorkOrderView extends WorkOrder, Partial<Omit<ClockFields, 'type' | 'suggestedType' | 'dueDate' | 'standardMet' | 'missCause'>> {
  reference: string | null
  contributor: Contributor | null
  channel: string | null
  type: string | null
  suggestedType: string | null
  receivedAt: string | null
  /** The ARERA due date (receipt day + the type's standard in working days, pushed by suspensions). */
  dueDate: string | null
  replySentAt: string | null
  /** true/false once a reply closed the clock or the due date passed; null while still running. */
  standardMet: boolean | null
  missCause: string | null
  parentWorkOrderId: number | null
  /** Attachments of this conversation the antivirus found infected (quarantined): the operator's alert. */
  infectedAttachments: number
  /** Whom a reply goes to when the operator names nobody (an address accepted into the conversation). */
  replyRecipient: string | null
}

export interface MailboxHealth {
  id: number
  name: string
  enabled: boolean
  state: string
  uidValidity: string | null
  lastUid: number
  lastError: string | null
  lastErrorAt: string | null
  /** Since when the mailbox has been failing (null while it works); survives restarts. */
  failingSince: string | null
  /** When the administrators were alerted about the current failure. */
  alertSentAt: string | null
  lastMessageAt: string | null
  lagSeconds: number | null
  leaseOwner: string | null
  authMethod: 'password' | 'oauth2'
  /** What an administrator does to fix the mailbox: `reconnect` (a new OAuth2 consent) after a revoked grant. */
  action: { kind: 'reconnect'; method: 'POST'; path: string } | null
}

/** The stored error in the reader's language when it has a translation, else as it was stored. */
function errorText(s: MailboxState | undefined, locale: Locale): string | null {
  const detail = s?.lastErrorDetail
  if (s?.lastError && detail && isMessageKey(detail.key)) return translate(locale, detail.key, detail.params)
  return s?.lastError ?? null
}

export interface HealthReport {
  status: 'ok' | 'degraded'
  mailboxes: MailboxHealth[]
  /** Outbox rows per status (queued, sending, sent, retrying, failed) across every instance. */
  outbox: Record<string, number>
  /** Archive imports of mailbox history still running: progress, errors and rate. */
  archiveImports: Array<ArchiveImport & { messagesPerSecond: number | null }>
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/&amp;/g, '&'))
  } catch {
    return value
  }
}

const auditActor = (operator: Operator) => ({ actorType: 'operator' as const, actorId: operator.id, actorName: operator.name })

export interface CoreDeps {
  repos: Repositories
  options: ResolvedOptions
  storage: AttachmentStorage
  genericContributor: GenericContributor
  arera: AreraService
}

export function createService({ repos, options, storage, genericContributor, arera }: CoreDeps) {
  async function withAttachments(messages: Array<Omit<Message, 'attachments'>>): Promise<Message[]> {
    const attachments = await repos.attachments.listByMessageIds(messages.map((m) => m.id))
    const byMessage = new Map<number, Message['attachments']>()
    for (const a of attachments) {
      const list = byMessage.get(a.messageId) ?? []
      list.push(toSummary(a))
      byMessage.set(a.messageId, list)
    }
    const base = options.prefix === '/' ? '' : options.prefix
    return messages.map((m) => {
      const list = byMessage.get(m.id) ?? []
      // Stored HTML keeps images relative: `attachments/ID` (operator mail) or `attachments/cid/<Content-ID>`
      // (inbound mail, resolved against this message's attachments); the browser needs them under the prefix.
      const html =
        m.html
          ?.replace(/(<img\b[^>]*\bsrc=")attachments\/cid\/([^"]+)"/g, (whole, head: string, encoded: string) => {
            const cid = safeDecode(encoded)
            const attachment = list.find((a) => a.contentId === cid)
            return attachment ? `${head}${base}/attachments/${attachment.id}"` : whole
          })
          .replace(/(<img\b[^>]*\bsrc=")attachments\/(\d+)"/g, `$1${base}/attachments/$2"`) ?? m.html
      return { ...m, html, attachments: list }
    })
  }

  async function getMessage(id: number): Promise<Message | null> {
    const message = await repos.messages.findById(id)
    return message ? ((await withAttachments([message]))[0] ?? null) : null
  }

  async function requireContributor(contributorId: number): Promise<void> {
    if (!(await repos.host.findContributor(contributorId))) throw notFound('contributorNotFound', { id: contributorId })
  }

  const workOrders = {
    async get(id: number): Promise<WorkOrderView | null> {
      const workOrder = await repos.host.findWorkOrder(id)
      if (!workOrder) return null
      const meta = await repos.workOrderMeta.find(id)
      const contributor = workOrder.contributorId === null ? null : await repos.host.findContributor(workOrder.contributorId)
      // the ARERA fields come from the working-day clock (Europe/Rome calendar, suspensions): type, dueDate,
      // daysLeft, standardMet, …; a work order the module has no record of has none of them
      const clock = meta ? await arera.clockFields(meta) : { type: null, suggestedType: null, dueDate: null, standardMet: null, missCause: null }
      return {
        ...workOrder,
        reference: meta?.reference ?? null,
        contributor,
        channel: meta?.channel ?? null,
        receivedAt: meta?.receivedAt ?? workOrder.createdAt,
        replySentAt: meta?.replySentAt ?? null,
        parentWorkOrderId: meta?.parentWorkOrderId ?? null,
        infectedAttachments: await repos.attachmentScans.countInfectedByWorkOrder(id),
        replyRecipient: defaultRecipient(await loadParticipants(repos, id, workOrder.contributorId)),
        ...clock
      }
    },

    /** The whole conversation of a work order, oldest first, with attachment summaries; 404 for an unknown one. */
    async conversation(workOrderId: number): Promise<Message[]> {
      if (!(await repos.host.findWorkOrder(workOrderId))) throw notFound('workOrderNotFound', { id: workOrderId })
      return withAttachments(await repos.messages.listByWorkOrder(workOrderId))
    }
  }

  const messages = {
    get: getMessage,

    async search(filter: MessageSearch): Promise<Message[]> {
      return withAttachments(await repos.messages.search(filter))
    },

    /** Links a message (and its work order, while that is on the generic contributor) to a contributor. */
    async linkContributor(messageId: number, contributorId: number, operator: Operator): Promise<{ message: Message; workOrderUpdated: boolean }> {
      const message = await repos.messages.findById(messageId)
      if (!message) throw notFound('messageNotFound', { id: messageId })
      await requireContributor(contributorId)
      const genericId = await genericContributor.get()
      let workOrderUpdated = false
      await repos.transaction(async (tx) => {
        await tx.messages.assignContributor(messageId, contributorId)
        if (message.workOrderId !== null) {
          const wo = await tx.host.findWorkOrder(message.workOrderId)
          if (wo && (wo.contributorId === genericId || wo.contributorId === null)) {
            workOrderUpdated = await tx.host.setWorkOrderContributor(wo.id, contributorId)
          }
        }
        await tx.audit.record({
          ...auditActor(operator),
          action: 'message.contributorLinked',
          workOrderId: message.workOrderId,
          messageId,
          details: { contributorId, previous: message.contributorId, candidates: message.senderCandidates, workOrderUpdated }
        })
      })
      return { message: (await getMessage(messageId)) as Message, workOrderUpdated }
    }
  }

  const attachments = {
    /** The bytes of an attachment, wherever they are stored; 404 when it is unknown or its content is gone, 403/409 unless the antivirus let it through. */
    async read(id: number): Promise<{ meta: StoredAttachment; content: Buffer }> {
      const meta = await repos.attachments.findById(id)
      if (meta) assertServable(meta)
      const content = meta ? await readAttachmentContent(meta, storage, repos.attachments.readContent) : null
      if (!meta || !content) throw notFound('attachmentNotFound', { id })
      return { meta, content }
    }
  }

  const contributors = {
    /** The contributors with these ids, in the order asked; unknown ids are left out. */
    async findByIds(ids: number[]): Promise<Contributor[]> {
      const byId = new Map((await repos.host.findContributorsByIds(ids)).map((c) => [c.id, c]))
      return ids.flatMap((id) => byId.get(id) ?? [])
    }
  }

  const settings = {
    async get(): Promise<{ genericContributorId: number; organizationName: string; locale: 'it' | 'en' }> {
      return { genericContributorId: await genericContributor.get(), organizationName: options.organizationName, locale: options.locale }
    },
    genericContributorId: (): Promise<number> => genericContributor.get(),
    /** An administrator moves unknown senders to another contributor; audited. */
    async setGenericContributor(contributorId: number, operator: Operator): Promise<{ genericContributorId: number }> {
      await requireContributor(contributorId)
      await genericContributor.set(contributorId)
      await repos.audit.record({ ...auditActor(operator), action: 'settings.genericContributor', details: { genericContributorId: contributorId } })
      return { genericContributorId: contributorId }
    }
  }

  const health = {
    /** Per-mailbox watcher state, and the outbox by status. */
    async status(locale: Locale = options.locale, now = Date.now()): Promise<HealthReport> {
      const [list, states, outbox, imports] = await Promise.all([
        repos.mailboxes.list(),
        repos.mailboxes.listStates(),
        repos.outbox.countByStatus(),
        repos.archiveImports.listRunning()
      ])
      const stateById = new Map(states.map((s) => [s.mailboxId, s]))
      const items = list.map((mb): MailboxHealth => {
        const s = stateById.get(mb.id)
        return {
          id: mb.id,
          name: mb.name,
          enabled: mb.enabled,
          state: mb.enabled ? (s?.state ?? 'stopped') : 'disabled',
          uidValidity: s?.uidValidity ?? null,
          lastUid: s?.lastUid ?? 0,
          lastError: errorText(s, locale),
          lastErrorAt: s?.lastErrorAt ?? null,
          failingSince: s?.failingSince ?? null,
          alertSentAt: s?.alertSentAt ?? null,
          lastMessageAt: s?.lastMessageAt ?? null,
          lagSeconds: s?.lastMessageAt ? Math.round((now - Date.parse(s.lastMessageAt)) / 1000) : null,
          leaseOwner: s?.leaseOwner ?? null,
          authMethod: mb.authMethod,
          action:
            mb.enabled && mb.authMethod === 'oauth2' && s?.state === 'auth-failed'
              ? { kind: 'reconnect', method: 'POST', path: `${options.prefix === '/' ? '' : options.prefix}/mailboxes/${mb.id}/oauth/start` }
              : null
        }
      })
      const degraded = items.some((m) => m.enabled && m.state !== 'idle' && m.state !== 'syncing' && m.state !== 'standby')
      return { status: degraded ? 'degraded' : 'ok', mailboxes: items, outbox, archiveImports: imports.map(withRate) }
    }
  }

  return { workOrders, messages, attachments, contributors, settings, health }
}

/** Mailbox administration: the manager's use cases, audited, with 404s for unknown ids, and the quarantine. */
export function createMailboxService(manager: MailboxManager, repos: Repositories) {
  const audit = (operator: Operator, action: string, details: Record<string, unknown>) => repos.audit.record({ ...auditActor(operator), action, details })
  return {
    list: manager.list,
    async get(id: number) {
      return (await manager.get(id)) ?? Promise.reject(notFound('mailboxNotFound', { id }))
    },
    async create(settings: MailboxSettings, operator: Operator) {
      const created = await manager.create(settings)
      await audit(operator, 'mailbox.created', { mailboxId: created.id, name: created.name })
      return created
    },
    async update(id: number, settings: Partial<MailboxSettings>, operator: Operator) {
      const updated = await manager.update(id, settings)
      if (!updated) throw notFound('mailboxNotFound', { id })
      const fields = Object.keys(settings)
        .filter((k) => k !== 'password')
        .concat(settings.password !== undefined ? ['password'] : [])
      await audit(operator, 'mailbox.updated', { mailboxId: id, fields })
      return updated
    },
    async remove(id: number, operator: Operator): Promise<void> {
      if (!(await manager.remove(id))) throw notFound('mailboxNotFound', { id })
      await audit(operator, 'mailbox.deleted', { mailboxId: id })
    },
    /** Tests a stored mailbox, or unsaved settings (with their password). */
    async test(idOrSettings: number | MailboxSettings, locale?: Locale) {
      const result = await manager.test(idOrSettings, locale)
      if (result) return result
      throw typeof idOrSettings === 'number' ? notFound('mailboxNotFound', { id: idOrSettings }) : invalidField('body', 'mailboxSettings')
    },
    async quarantine(): Promise<QuarantineRecord[]> {
      return repos.quarantine.list()
    },
    registerFromUrls: manager.registerFromUrls,
    start: manager.start,
    stop: manager.stop,
    isWatching: manager.isWatching
  }
}

export type CoreService = ReturnType<typeof createService>
