// The requests still awaiting their reply or their service, most urgent first, and those left without a due date.
import type { Clock } from '../domain/clock.js'
import type { IsoDate } from '../domain/working-days.js'
import type { WorkOrderMeta } from '../repositories/work-order-meta.js'
import { effectiveType, type AreraContext } from './context.js'
import type { DeadlineFilter, DeadlineItem, UndatedItem } from './types.js'

export function createDeadlines(ctx: AreraContext) {
  const { repos } = ctx
  return {
    /** Both clocks: the reasoned reply and the service asked for next to it. */
    async deadlines(filter: DeadlineFilter = {}, now: Date = new Date()): Promise<DeadlineItem[]> {
      const all = await ctx.territories()
      const replies = (await repos.workOrderMeta.listAwaitingReply()).filter((m) => filter.type === undefined || effectiveType(m.areraType) === filter.type)
      const services = filter.type === undefined ? await repos.workOrderMeta.listAwaitingService() : []
      const ids = [...replies, ...services].map((m) => m.workOrderId)
      const events = await repos.arera.listClockEventsFor(ids)
      const mailboxes = await repos.arera.inboundMailboxes(ids)
      const items: Array<{ meta: WorkOrderMeta; clock: Clock; kind: 'reply' | 'service'; type: DeadlineItem['type'] }> = []
      const keep = (meta: WorkOrderMeta, clock: Clock) => {
        if (filter.mailboxId !== undefined && mailboxes.get(meta.workOrderId) !== filter.mailboxId) return false
        if (clock.daysLeft === null || clock.dueDate === null) return false
        if (filter.maxDaysLeft !== undefined && clock.daysLeft > filter.maxDaysLeft) return false
        if (filter.overdue === true && clock.daysLeft >= 0) return false
        return !(filter.overdue === false && clock.daysLeft < 0)
      }
      for (const meta of replies) {
        const clock = ctx.clockOf(all.of(meta.territory), meta, events.get(meta.workOrderId) ?? [], now)
        if (keep(meta, clock)) items.push({ meta, clock, kind: 'reply', type: effectiveType(meta.areraType) })
      }
      for (const meta of services) {
        const second = ctx.serviceClockOf(all.of(meta.territory), meta, now)
        if (second && keep(meta, second.clock)) items.push({ meta, clock: second.clock, kind: 'service', type: second.type })
      }
      const workOrders = new Map((await repos.host.findWorkOrdersByIds(items.map((i) => i.meta.workOrderId))).map((w) => [w.id, w]))
      const contributorIds = [...new Set([...workOrders.values()].map((w) => w.contributorId).filter((id): id is number => id !== null))]
      const contributors = new Map((await repos.host.findContributorsByIds(contributorIds)).map((c) => [c.id, c]))
      return items
        .map(({ meta, clock, kind, type }): DeadlineItem => {
          const wo = workOrders.get(meta.workOrderId)
          return {
            workOrderId: meta.workOrderId,
            reference: meta.reference,
            clock: kind,
            subject: wo?.subject ?? null,
            contributorId: wo?.contributorId ?? null,
            contributorName: wo?.contributorId == null ? null : (contributors.get(wo.contributorId)?.displayName ?? null),
            type,
            typeLabel: ctx.label(type),
            receivedAt: meta.receivedAt,
            dueDate: clock.dueDate as IsoDate,
            extendedDueDate: clock.extendedDueDate,
            daysLeft: clock.daysLeft as number,
            clockState: clock.state,
            mailboxId: mailboxes.get(meta.workOrderId) ?? null
          }
        })
        .sort((a, b) => a.daysLeft - b.daysLeft || a.workOrderId - b.workOrderId || (a.clock === b.clock ? 0 : a.clock === 'reply' ? -1 : 1))
    },

    /** Open requests without a due date; `reason` null means nobody recorded why: an operator must act. */
    async undated(): Promise<UndatedItem[]> {
      return (await repos.workOrderMeta.listUndated()).map((m) => ({
        workOrderId: m.workOrderId,
        reference: m.reference,
        type: m.areraType,
        receivedAt: m.receivedAt,
        territory: m.territory,
        reason: m.noDueDateReason
      }))
    }
  }
}
