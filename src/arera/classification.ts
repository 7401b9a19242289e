// Classification (TQRIF art. 13): the operator confirms or changes the suggested type; the second clock (the
// service the request also asks for) is confirmed, changed, performed or removed. Every change is audited.
import {
  REQUEST_TYPE_CODES,
  SERVICES,
  SERVICE_CLOCK_CODES,
  isMissCause,
  isRequestType,
  isServiceClockCode,
  isServiceCode,
  standardDays,
  suggestRequestType,
  MISS_CAUSES,
  type StandardCode
} from '../domain/arera.js'
import { HttpError } from '../http-errors.js'
import type { WorkOrderMeta } from '../repositories/work-order-meta.js'
import type { Operator } from '../types.js'
import type { AreraContext } from './context.js'
import type { ClockFields, SuggestionView } from './types.js'

export interface ClassifyInput {
  type?: unknown
  service?: unknown
  /** Required when the chosen type has no standard in force: nobody leaves a written request undated silently. */
  noDueDateReason?: unknown
}

export interface ServiceClockInput {
  /** A standard code (see SERVICE_CLOCK_CODES), or null to remove the second clock. */
  type?: unknown
  inspection?: unknown
  /** ISO instant the clock starts (default: the receipt); for a refund or a forwarded reply. */
  startedAt?: unknown
  /** ISO instant the service was performed (stops the clock), or null to reopen it. */
  doneAt?: unknown
  missCause?: unknown
}

function instant(value: unknown): Date | null | undefined {
  if (value === undefined) return undefined
  if (value === null) return null
  const date = typeof value === 'string' ? new Date(value) : null
  if (!date || Number.isNaN(date.getTime())) throw new HttpError(400, 'serviceDoneInvalid')
  return date
}

export function createClassification(ctx: AreraContext) {
  const { repos } = ctx

  async function view(workOrderId: number, now: Date): Promise<ClockFields> {
    const meta = (await repos.workOrderMeta.find(workOrderId)) as WorkOrderMeta
    return ctx.fieldsOf(await ctx.territories(), meta, await repos.arera.listClockEvents(workOrderId), now)
  }

  return {
    /**
     * The suggestion for a work order, explained: the words found, the rule, the second clock it calls for.
     * Recomputed from the first message, so it always explains the current rules.
     */
    async suggestion(workOrderId: number): Promise<SuggestionView> {
      await ctx.requireMeta(repos, workOrderId)
      const first = (await repos.messages.listByWorkOrder(workOrderId)).find((m) => m.direction === 'inbound')
      const s = suggestRequestType(first?.subject ?? '', (first?.text ?? '').slice(0, 20_000))
      return {
        type: s.type,
        confidence: s.confidence,
        rule: s.rule,
        matched: s.matched,
        explanation: s.explanation[ctx.locale],
        service: s.service ? { type: s.service.type, typeLabel: ctx.label(s.service.type), matched: s.service.matched } : null
      }
    },

    /**
     * An operator confirms or changes the ARERA type (and optionally the service): the due date is recomputed
     * from the receipt day and the territory's standard, the host type column follows the mapping, and the
     * change is audited (from → to, who). A type without a standard in force needs a recorded reason.
     */
    async classify(workOrderId: number, input: ClassifyInput, operator: Operator, now: Date = new Date()): Promise<ClockFields> {
      if (!isRequestType(input.type))
        throw new HttpError(400, 'invalidRequestType', { value: String(input.type).slice(0, 60), allowed: REQUEST_TYPE_CODES.join(', ') })
      const type = input.type
      if (input.service !== undefined && input.service !== null && !isServiceCode(input.service)) {
        throw new HttpError(400, 'invalidService', { value: String(input.service).slice(0, 60), allowed: SERVICES.map((x) => x.code).join(', ') })
      }
      const service = input.service === undefined ? undefined : (input.service as string | null)
      const reasonInput = typeof input.noDueDateReason === 'string' ? input.noDueDateReason.trim() : undefined
      return repos.transaction(async (tx) => {
        const all = await ctx.territories(tx)
        const meta = await ctx.requireMeta(tx, workOrderId)
        const events = await tx.arera.listClockEvents(workOrderId)
        const updated: WorkOrderMeta = { ...meta, areraType: type, service: service === undefined ? meta.service : service }
        const clock = ctx.clockOf(all.of(meta.territory), updated, events, now)
        const reason = clock.dueDate !== null ? null : reasonInput !== undefined && reasonInput.length >= 3 ? reasonInput : meta.noDueDateReason
        if (clock.dueDate === null && !reason) throw new HttpError(409, 'dueDateReasonRequired', { type })
        await tx.workOrderMeta.update(
          workOrderId,
          {
            areraType: type,
            dueDate: clock.dueDate,
            typeConfirmedAt: now,
            typeConfirmedBy: operator.name,
            noDueDateReason: reason,
            ...(service !== undefined ? { service } : {}),
            ...(clock.dueDate !== meta.dueDate ? { publicChangedAt: now } : {})
          },
          now
        )
        await tx.host.setWorkOrderType(workOrderId, type)
        await tx.audit.record(
          {
            ...ctx.actor(operator),
            action: 'arera.classified',
            workOrderId,
            details: {
              from: meta.areraType,
              to: type,
              suggested: meta.suggestedType,
              serviceFrom: meta.service,
              serviceTo: updated.service,
              dueDateFrom: meta.dueDate,
              dueDateTo: clock.dueDate,
              ...(reason ? { noDueDateReason: reason } : {})
            }
          },
          now
        )
        await tx.changes.append(workOrderId, 'state', now)
        const fresh = (await tx.workOrderMeta.find(workOrderId)) as WorkOrderMeta
        return ctx.fieldsOf(all, fresh, events, now)
      })
    },

    /**
     * Confirms, changes or removes the second clock, or records the service performed and the cause of a miss.
     * The due date is the clock's start plus the territory's standard (with or without an on-site inspection).
     */
    async setServiceClock(workOrderId: number, input: ServiceClockInput, operator: Operator, now: Date = new Date()): Promise<ClockFields> {
      if (input.type !== undefined && input.type !== null && !isServiceClockCode(input.type)) {
        throw new HttpError(400, 'invalidServiceClock', { value: String(input.type).slice(0, 60), allowed: SERVICE_CLOCK_CODES.join(', ') })
      }
      if (input.missCause !== undefined && input.missCause !== null && !isMissCause(input.missCause)) {
        throw new HttpError(400, 'invalidMissCause', { value: String(input.missCause).slice(0, 40), allowed: MISS_CAUSES.map((c) => c.cause).join(', ') })
      }
      const startedAt = instant(input.startedAt)
      const doneAt = instant(input.doneAt)
      await repos.transaction(async (tx) => {
        const all = await ctx.territories(tx)
        const meta = await ctx.requireMeta(tx, workOrderId)
        const before = meta.serviceClock
        if (input.type === null) {
          await tx.workOrderMeta.updateServiceClock(workOrderId, { type: null }, now)
        } else {
          const type = (input.type ?? before?.type) as StandardCode | undefined
          if (!type || !isServiceClockCode(type)) throw new HttpError(409, 'serviceClockMissing')
          const territory = all.of(meta.territory)
          const inspection = typeof input.inspection === 'boolean' ? input.inspection : (before?.inspection ?? false)
          if (standardDays(territory.standards[type], inspection) === null) throw new HttpError(409, 'serviceClockOff', { type })
          const start = startedAt ?? (before ? new Date(before.startedAt) : new Date(meta.receivedAt))
          const done = doneAt === undefined ? (before?.doneAt ? new Date(before.doneAt) : null) : doneAt
          if (done && done.getTime() < start.getTime()) throw new HttpError(400, 'serviceDoneInvalid')
          const next: WorkOrderMeta = {
            ...meta,
            serviceClock: {
              type,
              inspection,
              startedAt: start.toISOString(),
              dueDate: null,
              doneAt: done ? done.toISOString() : null,
              missCause: input.missCause === undefined ? (before?.missCause ?? null) : (input.missCause as string | null),
              confirmedAt: null,
              confirmedBy: null
            }
          }
          const second = ctx.serviceClockOf(territory, next, now)
          const missed = second?.clock.standardMet === false
          if (input.missCause && !missed) throw new HttpError(409, 'missCauseNotApplicable')
          // a cause recorded earlier means nothing once a correction (inspection, dates, type) makes the clock met
          const missCause = missed ? (next.serviceClock?.missCause ?? null) : null
          await tx.workOrderMeta.updateServiceClock(
            workOrderId,
            {
              type,
              inspection,
              startedAt: start,
              doneAt: done,
              dueDate: second?.clock.dueDate ?? null,
              missCause,
              confirmedAt: now,
              confirmedBy: operator.name
            },
            now
          )
        }
        const after = (await tx.workOrderMeta.find(workOrderId))?.serviceClock ?? null
        await tx.audit.record(
          {
            ...ctx.actor(operator),
            action: 'arera.serviceClock',
            workOrderId,
            details: {
              from: before
                ? { type: before.type, inspection: before.inspection, dueDate: before.dueDate, doneAt: before.doneAt, missCause: before.missCause }
                : null,
              to: after ? { type: after.type, inspection: after.inspection, dueDate: after.dueDate, doneAt: after.doneAt, missCause: after.missCause } : null,
              suggested: meta.suggestedServiceType
            }
          },
          now
        )
      })
      return view(workOrderId, now)
    }
  }
}
