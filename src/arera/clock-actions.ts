// The reply clock's events (suspend, resume, extend; rules in src/domain/clock.ts) and the cause of a miss.
// Stored as events, audited.
import { MISS_CAUSES, isMissCause } from '../domain/arera.js'
import { checkClockAction, type ClockRefusal } from '../domain/clock.js'
import { HttpError } from '../http-errors.js'
import type { MessageKey } from '../i18n.js'
import type { WorkOrderMeta } from '../repositories/work-order-meta.js'
import type { Operator } from '../types.js'
import type { AreraContext } from './context.js'
import type { ClockFields } from './types.js'

const CLOCK_REFUSALS: Record<ClockRefusal, MessageKey> = {
  noStandard: 'clockRefusedNoStandard',
  replied: 'clockRefusedReplied',
  alreadySuspended: 'clockRefusedAlreadySuspended',
  notSuspended: 'clockRefusedNotSuspended',
  late: 'clockRefusedLate'
}

export function createClockActions(ctx: AreraContext) {
  const { repos } = ctx
  return {
    /** Suspend, resume or extend the clock; stored as an event, audited. */
    async clockAction(
      workOrderId: number,
      input: { action?: unknown; reason?: unknown; days?: unknown },
      operator: Operator,
      now: Date = new Date()
    ): Promise<ClockFields> {
      const action = input.action
      if (action !== 'suspend' && action !== 'resume' && action !== 'extend')
        throw new HttpError(400, 'invalidClockAction', { value: String(action).slice(0, 40) })
      const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
      if (reason.length < 3) throw new HttpError(400, 'clockReasonRequired')
      let days: number | null = null
      if (action === 'extend') {
        if (typeof input.days !== 'number' || !Number.isInteger(input.days) || input.days < 1 || input.days > 120) throw new HttpError(400, 'clockDaysInvalid')
        days = input.days
      }
      return repos.transaction(async (tx) => {
        const all = await ctx.territories(tx)
        const meta = await ctx.requireMeta(tx, workOrderId)
        const territory = all.of(meta.territory)
        const events = await tx.arera.listClockEvents(workOrderId)
        const refusal = checkClockAction(ctx.clockOf(territory, meta, events, now), action)
        if (refusal) throw new HttpError(409, CLOCK_REFUSALS[refusal])
        await tx.arera.insertClockEvent({ workOrderId, action, reason, days, at: now, actorId: operator.id, actorName: operator.name })
        const after = await tx.arera.listClockEvents(workOrderId)
        const clock = ctx.clockOf(territory, meta, after, now)
        await tx.workOrderMeta.update(workOrderId, { dueDate: clock.dueDate, ...(clock.dueDate !== meta.dueDate ? { publicChangedAt: now } : {}) }, now)
        await tx.audit.record(
          {
            ...ctx.actor(operator),
            action: `arera.clock.${action}`,
            workOrderId,
            details: { reason, days, dueDateFrom: meta.dueDate, dueDateTo: clock.dueDate, extendedDueDate: clock.extendedDueDate }
          },
          now
        )
        await tx.changes.append(workOrderId, 'state', now)
        const fresh = (await tx.workOrderMeta.find(workOrderId)) as WorkOrderMeta
        return ctx.fieldsOf(all, fresh, after, now)
      })
    },

    /** Records (or clears, with null) why a request missed its standard; refused when it did not miss it. */
    async setMissCause(workOrderId: number, cause: unknown, operator: Operator, now: Date = new Date()): Promise<ClockFields> {
      if (cause !== null && !isMissCause(cause)) {
        throw new HttpError(400, 'invalidMissCause', { value: String(cause).slice(0, 40), allowed: MISS_CAUSES.map((c) => c.cause).join(', ') })
      }
      return repos.transaction(async (tx) => {
        const all = await ctx.territories(tx)
        const meta = await ctx.requireMeta(tx, workOrderId)
        const events = await tx.arera.listClockEvents(workOrderId)
        if (cause !== null && ctx.clockOf(all.of(meta.territory), meta, events, now).standardMet !== false) throw new HttpError(409, 'missCauseNotApplicable')
        await tx.workOrderMeta.update(workOrderId, { missCause: cause }, now)
        await tx.audit.record({ ...ctx.actor(operator), action: 'arera.missCause', workOrderId, details: { from: meta.missCause, to: cause } }, now)
        return ctx.fieldsOf(all, { ...meta, missCause: cause }, events, now)
      })
    }
  }
}
