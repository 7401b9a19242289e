// The operators' worklist: what needs their attention, queue by queue, one page at a time, with counts for the tabs.
// Queue membership is decided in SQL (src/repositories/worklist.ts); this module turns "now" into the Italian
// day and the due-soon boundary, checks who may see which queue, and completes a page with names, senders and the
// working days left on the ARERA clock.
import type { AreraService } from '../arera/service.js'
import { isAdminQueue, decodeCursor, encodeCursor, romeDayBounds, WORK_ORDER_QUEUES, type WorklistQueue, type WorklistSort } from '../domain/worklist.js'
import type { GenericContributor } from '../work-orders/generic-contributor.js'
import { HttpError } from '../http-errors.js'
import type { ResolvedOptions } from '../options.js'
import type { Repositories } from '../repositories/index.js'
import type { QueueContext, WorklistFilter } from '../repositories/worklist.js'
import type { Operator, WorkOrderState } from '../types.js'

export interface WorklistRequest {
  queue: WorklistQueue
  mailboxId?: number
  channel?: string
  type?: string
  status?: WorkOrderState
  text?: string
  sort?: WorklistSort
  limit?: number
  cursor?: string
  /** "Due soon" means due within this many working days (default 2). */
  dueWithinDays?: number
}

export interface WorklistItem {
  kind: 'work_order' | 'spam' | 'quarantine'
  workOrderId: number | null
  /** The spam or quarantine entry (null for a work order). */
  entryId: number | null
  reference: string | null
  subject: string | null
  contributorId: number | null
  contributorName: string | null
  sender: string | null
  channel: string | null
  type: string | null
  mailboxId: number | null
  lastActivityAt: string
  /** The contract's name for the same instant. */
  lastMessageAt: string
  receivedAt: string
  dueDate: string | null
  workingDaysLeft: number | null
  status: WorkOrderState | null
  hostStatus: string | null
  /** Why mail is in spam or quarantine. */
  reason: string | null
}

export interface WorklistPage {
  items: WorklistItem[]
  total: number
  nextCursor: string | null
}

export type WorklistCounts = Partial<Record<WorklistQueue, number>>

const DEFAULT_PAGE_SIZE = 50
const DEFAULT_DUE_WITHIN_DAYS = 2

interface Deps {
  repos: Repositories
  options: ResolvedOptions
  arera: AreraService
  genericContributor: GenericContributor
}

export function createWorklistService({ repos, options, arera, genericContributor }: Deps) {
  const statuses = options.mapping.workOrders.statuses
  const stateOf = new Map<string, WorkOrderState>()
  for (const [state, hostValue] of Object.entries(statuses) as Array<[WorkOrderState, string]>) if (!stateOf.has(hostValue)) stateOf.set(hostValue, state)

  const isAdmin = (operator: Operator) => operator.permissions.includes('admin')

  function filterOf(request: Omit<WorklistRequest, 'queue'>): WorklistFilter {
    const status = request.status
    return {
      ...(request.mailboxId !== undefined ? { mailboxId: request.mailboxId } : {}),
      ...(request.channel !== undefined ? { channel: request.channel } : {}),
      ...(request.type !== undefined ? { type: request.type } : {}),
      ...(status !== undefined ? { hostStatuses: statuses[status] === undefined ? [] : [statuses[status] as string] } : {}),
      ...(request.text !== undefined && request.text.trim() !== '' ? { text: request.text } : {})
    }
  }

  async function contextAt(now: Date, dueWithinDays = DEFAULT_DUE_WITHIN_DAYS): Promise<QueueContext> {
    const { day, start, end } = romeDayBounds(now)
    return {
      today: day,
      dueSoonUntil: arera.calendar.addWorkingDays(day, dueWithinDays),
      dayStart: start,
      dayEnd: end,
      genericContributorId: await genericContributor.get()
    }
  }

  const blank = { entryId: null, reference: null, contributorId: null, contributorName: null, channel: null, type: null, dueDate: null }

  async function adminPage(queue: 'spam' | 'quarantine', filter: WorklistFilter, limit: number, afterId: number | null): Promise<WorklistPage> {
    const list = queue === 'spam' ? repos.worklist.listSpam : repos.worklist.listQuarantine
    const rows = await list(filter, limit + 1, afterId)
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return {
      items: page.map((r) => ({
        ...blank,
        kind: queue,
        workOrderId: null,
        entryId: r.id,
        subject: r.subject,
        sender: r.from,
        mailboxId: r.mailboxId,
        lastActivityAt: r.at,
        lastMessageAt: r.at,
        receivedAt: r.at,
        workingDaysLeft: null,
        status: null,
        hostStatus: null,
        reason: r.reason
      })),
      total: queue === 'spam' ? await repos.worklist.countSpam(filter) : await repos.worklist.countQuarantine(filter),
      nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null
    }
  }

  return {
    /** One page of a queue; spam and quarantine only for administrators (403 otherwise). */
    async list(request: WorklistRequest, operator: Operator, now: Date = new Date()): Promise<WorklistPage> {
      const { queue } = request
      if (isAdminQueue(queue) && !isAdmin(operator)) throw new HttpError(403, 'worklistAdminQueue')
      const cursor = request.cursor === undefined ? null : decodeCursor(request.cursor)
      if (request.cursor !== undefined && cursor === null) throw new HttpError(400, 'worklistInvalidCursor', { value: request.cursor.slice(0, 60) })
      const limit = request.limit ?? DEFAULT_PAGE_SIZE
      const filter = filterOf(request)
      if (isAdminQueue(queue)) return adminPage(queue, filter, limit, cursor?.id ?? null)

      const sort = request.sort ?? 'due_date'
      const ctx = await contextAt(now, request.dueWithinDays)
      const rows = await repos.worklist.listPage(queue, filter, ctx, sort, limit + 1, cursor)
      const page = rows.slice(0, limit)
      const ids = page.map((r) => r.workOrderId)
      const [metas, events, senders] = [
        await repos.workOrderMeta.findByIds(ids),
        await repos.arera.listClockEventsFor(ids),
        await repos.worklist.lastSenders(ids)
      ]
      const metaById = new Map(metas.map((m) => [m.workOrderId, m]))
      const contributorIds = [...new Set(page.map((r) => r.contributorId).filter((id): id is number => id !== null))]
      const names = new Map((await repos.host.findContributorsByIds(contributorIds)).map((c) => [c.id, c.displayName]))
      const items = page.map((r): WorklistItem => {
        const meta = metaById.get(r.workOrderId)
        const clock = meta ? arera.clockOf(meta, events.get(r.workOrderId) ?? [], now) : null
        return {
          kind: 'work_order',
          workOrderId: r.workOrderId,
          entryId: null,
          reference: r.reference,
          subject: r.subject,
          contributorId: r.contributorId,
          contributorName: r.contributorId === null ? null : (names.get(r.contributorId) ?? null),
          sender: senders.get(r.workOrderId) ?? null,
          channel: r.channel,
          type: r.type,
          mailboxId: null,
          lastActivityAt: r.lastActivityAt,
          lastMessageAt: r.lastActivityAt,
          receivedAt: r.receivedAt,
          dueDate: r.dueDate,
          workingDaysLeft: meta?.replySentAt ? null : (clock?.daysLeft ?? null),
          status: r.hostStatus === null ? null : (stateOf.get(r.hostStatus) ?? null),
          hostStatus: r.hostStatus,
          reason: null
        }
      })
      const last = page.at(-1)
      const nextCursor =
        rows.length > limit && last
          ? encodeCursor(sort === 'last_activity' ? { id: last.workOrderId, at: last.lastActivityAt } : { id: last.workOrderId, due: last.dueDate })
          : null
      return { items, total: await repos.worklist.count(queue, filter, ctx), nextCursor }
    },

    /** The mailboxes to filter by: id and name only (the mailbox administration stays for administrators). */
    async mailboxes(): Promise<Array<{ id: number; name: string }>> {
      return (await repos.mailboxes.list()).map((m) => ({ id: m.id, name: m.name }))
    },

    /** How many items each queue holds under the same filters (spam and quarantine for administrators only). */
    async counts(request: Omit<WorklistRequest, 'queue' | 'sort' | 'limit' | 'cursor'>, operator: Operator, now: Date = new Date()): Promise<WorklistCounts> {
      const filter = filterOf(request)
      const ctx = await contextAt(now, request.dueWithinDays)
      const counts: WorklistCounts = {}
      for (const queue of WORK_ORDER_QUEUES) counts[queue] = await repos.worklist.count(queue, filter, ctx)
      if (isAdmin(operator)) {
        counts.spam = await repos.worklist.countSpam(filter)
        counts.quarantine = await repos.worklist.countQuarantine(filter)
      }
      return counts
    }
  }
}

export type WorklistService = ReturnType<typeof createWorklistService>
