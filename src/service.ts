// The module's service object: what routes and host code call. It talks to repositories only.
import type { AreraService, ClockFields } from './arera/service.js'
import type { ResolvedOptions } from './options.js'
import { toSummary } from './repositories/attachments.js'
import type { Repositories } from './repositories/index.js'
import type { MessageSearch } from './repositories/messages.js'
import type { WorkOrderMeta } from './repositories/work-order-meta.js'
import type { GenericContributor } from './generic-contributor.js'
import type { AttachmentStorage } from './storage.js'
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
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/&amp;/g, '&'))
  } catch {
    return value
  }
}

export function createService(repos: Repositories, options: ResolvedOptions, storage: AttachmentStorage, genericContributor: GenericContributor, arera?: AreraService) {
  async function withAttachments(messages: Array<Omit<Message, 'attachments'>>): Promise<Message[]> {
    const attachments = await repos.attachments.listByMessageIds(messages.map((m) => m.id))
    const byMessage = new Map<number, Message['attachments']>()
    for (const a of attachments) {
      const list = byMessage.get(a.messageId) ?? []
      list.push(toSummary(a))
      byMessage.set(a.messageId, list)
    }
    // cid: images were stored as relative `attachments/ID` links; the browser needs them under the prefix
    const base = options.prefix === '/' ? '' : options.prefix
    return messages.map((m) => {
      const list = byMessage.get(m.id) ?? []
      // Stored HTML keeps images relative: `attachments/ID` (operator mail) or `attachments/cid/<Content-ID>`
      // (inbound mail, resolved against this message's attachments); the browser needs them under the prefix.
      const html = m.html
        ?.replace(/(<img\b[^>]*\bsrc=")attachments\/cid\/([^"]+)"/g, (whole, head: string, encoded: string) => {
          const cid = safeDecode(encoded)
          const attachment = list.find((a) => a.contentId === cid)
          return attachment ? `${head}${base}/attachments/${attachment.id}"` : whole
        })
        .replace(/(<img\b[^>]*\bsrc=")attachments\/(\d+)"/g, `$1${base}/attachments/$2"`) ?? m.html
      return { ...m, html, attachments: list }
    })
  }

  function standardMet(meta: WorkOrderMeta | null): boolean | null {
    if (!meta?.dueDate) return null
    const due = meta.dueDate
    if (meta.replySentAt) return meta.replySentAt.slice(0, 10) <= due
    return new Date().toISOString().slice(0, 10) > due ? false : null
  }

  return {
    repositories: repos,

    async getGenericContributorId(): Promise<number> {
      return genericContributor.get()
    },

    async setGenericContributorId(contributorId: number): Promise<boolean> {
      if (!(await repos.host.findContributor(contributorId))) return false
      await genericContributor.set(contributorId)
      return true
    },

    async getWorkOrder(id: number): Promise<WorkOrderView | null> {
      const workOrder = await repos.host.findWorkOrder(id)
      if (!workOrder) return null
      const meta = await repos.workOrderMeta.find(id)
      const contributor = workOrder.contributorId === null ? null : await repos.host.findContributor(workOrder.contributorId)
      return {
        ...workOrder,
        reference: meta?.reference ?? null,
        contributor,
        channel: meta?.channel ?? null,
        type: meta?.areraType ?? null,
        suggestedType: meta?.suggestedType ?? null,
        receivedAt: meta?.receivedAt ?? workOrder.createdAt,
        dueDate: meta?.dueDate ?? null,
        replySentAt: meta?.replySentAt ?? null,
        standardMet: standardMet(meta),
        missCause: meta?.missCause ?? null,
        parentWorkOrderId: meta?.parentWorkOrderId ?? null,
        // the working-day clock (Europe/Rome calendar, suspensions): daysLeft, workingDaysTaken, typeConfirmed, …
        ...(meta && arera ? await arera.clockFields(meta) : {})
      }
    },

    /** The whole conversation of a work order, oldest first, with attachment summaries. */
    async getConversation(workOrderId: number): Promise<Message[]> {
      return withAttachments(await repos.messages.listByWorkOrder(workOrderId))
    },

    async searchMessages(filter: MessageSearch): Promise<Message[]> {
      return withAttachments(await repos.messages.search(filter))
    },

    /** The bytes of an attachment, wherever they are stored. */
    async readAttachment(id: number): Promise<{ meta: NonNullable<Awaited<ReturnType<typeof repos.attachments.findById>>>; content: Buffer } | null> {
      const meta = await repos.attachments.findById(id)
      if (!meta) return null
      const content = meta.storage === 'directory' && meta.storageKey ? await storage.read(meta.storageKey) : await repos.attachments.readContent(id)
      return content ? { meta, content } : null
    },

    /** Links a message (and its work order, while that is on the generic contributor) to a contributor. */
    async linkContributor(messageId: number, contributorId: number, operator: Operator): Promise<'message' | 'contributor' | { message: Message; workOrderUpdated: boolean }> {
      const message = await repos.messages.findById(messageId)
      if (!message) return 'message'
      if (!(await repos.host.findContributor(contributorId))) return 'contributor'
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
          actorType: 'operator', actorId: operator.id, actorName: operator.name, action: 'message.contributorLinked',
          workOrderId: message.workOrderId, messageId, details: { contributorId, previous: message.contributorId, candidates: message.senderCandidates, workOrderUpdated }
        })
      })
      return { message: (await this.getMessage(messageId)) as Message, workOrderUpdated }
    },

    async getMessage(id: number): Promise<Message | null> {
      const message = await repos.messages.findById(id)
      return message ? ((await withAttachments([message]))[0] ?? null) : null
    }
  }
}

export type CoreService = ReturnType<typeof createService>
