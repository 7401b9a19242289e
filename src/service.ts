// The module's service object: what routes and host code call. It talks to repositories only.
import type { ResolvedOptions } from './options.js'
import { toSummary } from './repositories/attachments.js'
import type { Repositories } from './repositories/index.js'
import type { MessageSearch } from './repositories/messages.js'
import type { WorkOrderMeta } from './repositories/work-order-meta.js'
import type { Contributor, Message, WorkOrder } from './types.js'

export const GENERIC_CONTRIBUTOR_SETTING = 'genericContributorId'

export interface WorkOrderView extends WorkOrder {
  reference: string | null
  contributor: Contributor | null
  channel: string | null
  type: string | null
  suggestedType: string | null
  receivedAt: string | null
  dueDate: string | null
  replySentAt: string | null
  /** true/false once a reply closed the clock or the due date passed; null while still running. */
  standardMet: boolean | null
  missCause: string | null
  parentWorkOrderId: number | null
}

export function createService(repos: Repositories, options: ResolvedOptions) {
  async function withAttachments(messages: Array<Omit<Message, 'attachments'>>): Promise<Message[]> {
    const attachments = await repos.attachments.listByMessageIds(messages.map((m) => m.id))
    const byMessage = new Map<number, Message['attachments']>()
    for (const a of attachments) {
      const list = byMessage.get(a.messageId) ?? []
      list.push(toSummary(a))
      byMessage.set(a.messageId, list)
    }
    return messages.map((m) => ({ ...m, attachments: byMessage.get(m.id) ?? [] }))
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
      return (await repos.settings.get<number>(GENERIC_CONTRIBUTOR_SETTING)) ?? options.genericContributorId
    },

    async setGenericContributorId(contributorId: number): Promise<boolean> {
      if (!(await repos.host.findContributor(contributorId))) return false
      await repos.settings.set(GENERIC_CONTRIBUTOR_SETTING, contributorId)
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
        parentWorkOrderId: meta?.parentWorkOrderId ?? null
      }
    },

    /** The whole conversation of a work order, oldest first, with attachment summaries. */
    async getConversation(workOrderId: number): Promise<Message[]> {
      return withAttachments(await repos.messages.listByWorkOrder(workOrderId))
    },

    async searchMessages(filter: MessageSearch): Promise<Message[]> {
      return withAttachments(await repos.messages.search(filter))
    },

    async getMessage(id: number): Promise<Message | null> {
      const message = await repos.messages.findById(id)
      return message ? ((await withAttachments([message]))[0] ?? null) : null
    }
  }
}

export type CommunicationsService = ReturnType<typeof createService>
