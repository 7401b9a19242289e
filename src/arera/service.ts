// The ARERA side of the module: classification, the clock (suspend/resume/extend), miss causes, the register,
// the yearly indicators and the deadline list. Routes call this; it talks to repositories only.
import {
  MISS_CAUSES, REGULATORY_SCHEMES, REQUEST_TYPE_CODES, SERVICES, isMissCause, isRequestType, isServiceCode, requestTypeLabel, resolveRegulatorySchemes, serviceLabel,
  type Label, type MissCause, type RegulatoryScheme, type RequestType, type Standards
} from '../domain/arera.js'
import { checkClockAction, computeClock, type Clock, type ClockAction, type ClockRefusal, type ClockState } from '../domain/clock.js'
import { computeIndicators, type StandardIndicator } from '../domain/indicators.js'
import { addCalendarDays, isIsoDate, romeDate, type IsoDate, type WorkingCalendar } from '../domain/working-days.js'
import { HttpError, notFound } from '../http-errors.js'
import type { Locale, MessageKey } from '../i18n.js'
import type { ResolvedOptions } from '../options.js'
import type { StoredClockEvent } from '../repositories/arera.js'
import type { Repositories } from '../repositories/index.js'
import type { WorkOrderMeta } from '../repositories/work-order-meta.js'
import type { Operator } from '../types.js'

/** The ARERA fields of the work-order view. */
export interface ClockFields {
  type: string | null
  typeLabel: string | null
  suggestedType: string | null
  typeConfirmed: boolean
  typeConfirmedAt: string | null
  typeConfirmedBy: string | null
  service: string | null
  standardWorkingDays: number | null
  dueDate: string | null
  extendedDueDate: string | null
  daysLeft: number | null
  workingDaysTaken: number
  suspendedWorkingDays: number
  clockState: ClockState
  standardMet: boolean | null
  missCause: string | null
  clockEvents: Array<{ action: ClockAction; reason: string; days: number | null; at: string; actorName: string | null }>
}

export type Outcome = 'met' | 'missed' | 'pending' | 'no_standard'

export interface RegisterEntry {
  workOrderId: number
  reference: string
  channel: string
  contributorId: number | null
  contributorName: string | null
  type: RequestType
  typeLabel: string
  typeConfirmed: boolean
  service: string | null
  serviceLabel: string | null
  receivedAt: string
  receivedDate: IsoDate
  dueDate: IsoDate | null
  extendedDueDate: IsoDate | null
  replySentAt: string | null
  replyDate: IsoDate | null
  standardWorkingDays: number | null
  /** Net of suspensions; null until the reply is sent. */
  workingDaysTaken: number | null
  suspendedWorkingDays: number
  outcome: Outcome
  standardMet: boolean | null
  missCause: MissCause | null
}

export interface IndicatorsReport {
  year: number
  /** Requests are counted in the year of their receipt day (Europe/Rome): TQRIF art. 58.3 a. */
  basis: 'receipt'
  from: IsoDate
  to: IsoDate
  generatedAt: string
  scheme: { id: string; label: Label; minimumCompliancePercent: number | null } | null
  totals: { requests: number; withStandard: number; met: number; missed: number; pending: number }
  standards: StandardIndicator[]
}

export interface DeadlineFilter {
  mailboxId?: number
  type?: RequestType
  maxDaysLeft?: number
  /** true: only late requests; false: only those still on time. */
  overdue?: boolean
}

export interface DeadlineItem {
  workOrderId: number
  reference: string
  subject: string | null
  contributorId: number | null
  contributorName: string | null
  type: RequestType
  typeLabel: string
  receivedAt: string
  dueDate: IsoDate
  extendedDueDate: IsoDate | null
  daysLeft: number
  clockState: ClockState
  mailboxId: number | null
}

const CLOCK_REFUSALS: Record<ClockRefusal, MessageKey> = {
  noStandard: 'clockRefusedNoStandard',
  replied: 'clockRefusedReplied',
  alreadySuspended: 'clockRefusedAlreadySuspended',
  notSuspended: 'clockRefusedNotSuspended',
  late: 'clockRefusedLate'
}

/** Types outside the list (or missing) are treated as written complaints: TQRIF's prudential rule. */
export function effectiveType(type: string | null): RequestType {
  return isRequestType(type) ? type : 'reclamo_scritto'
}

function yearBounds(year: number): { from: IsoDate; to: IsoDate } {
  const y = String(year).padStart(4, '0')
  return { from: `${y}-01-01`, to: `${y}-12-31` }
}

export function createAreraService(repos: Repositories, options: ResolvedOptions, calendar: WorkingCalendar, standards: Standards) {
  const locale: Locale = options.locale
  const schemes = resolveRegulatorySchemes()
  const scheme: RegulatoryScheme | null = schemes.find((s) => s.id === options.arera.scheme) ?? null

  function minimumPercent(type: RequestType): number | null {
    const override = options.arera.minimumPercent
    if (override === null || typeof override === 'number') return override
    if (override && override[type] !== undefined) return override[type] ?? null
    return scheme?.minimumCompliancePercent ?? null
  }

  function clockOf(meta: WorkOrderMeta, events: readonly StoredClockEvent[], now: Date): Clock {
    const type = effectiveType(meta.areraType)
    return computeClock(calendar, {
      standardWorkingDays: standards[type].workingDays,
      receivedAt: new Date(meta.receivedAt),
      replySentAt: meta.replySentAt ? new Date(meta.replySentAt) : null,
      events,
      now
    })
  }

  function fieldsOf(meta: WorkOrderMeta, events: readonly StoredClockEvent[], now: Date): ClockFields {
    const clock = clockOf(meta, events, now)
    return {
      type: meta.areraType,
      typeLabel: isRequestType(meta.areraType) ? requestTypeLabel(meta.areraType, locale) : meta.areraType,
      suggestedType: meta.suggestedType,
      typeConfirmed: meta.typeConfirmedAt !== null,
      typeConfirmedAt: meta.typeConfirmedAt,
      typeConfirmedBy: meta.typeConfirmedBy,
      service: meta.service,
      standardWorkingDays: clock.standardWorkingDays,
      dueDate: clock.dueDate,
      extendedDueDate: clock.extendedDueDate,
      daysLeft: clock.daysLeft,
      workingDaysTaken: clock.workingDaysTaken,
      suspendedWorkingDays: clock.suspendedWorkingDays,
      clockState: clock.state,
      standardMet: clock.standardMet,
      missCause: meta.missCause,
      clockEvents: events.map((e) => ({ action: e.action, reason: e.reason, days: e.days, at: e.at.toISOString(), actorName: e.actorName }))
    }
  }

  async function requireMeta(repo: Repositories, workOrderId: number): Promise<WorkOrderMeta> {
    const meta = await repo.workOrderMeta.find(workOrderId)
    if (meta) return meta
    if (await repo.host.findWorkOrder(workOrderId)) throw new HttpError(409, 'workOrderNotTracked', { id: workOrderId })
    throw notFound('workOrderNotFound', { id: workOrderId })
  }

  const actor = (operator: Operator) => ({ actorType: 'operator' as const, actorId: operator.id, actorName: operator.name })

  /** Register entries for metas (one batch of host and event look-ups). */
  async function entriesOf(metas: readonly WorkOrderMeta[], now: Date): Promise<RegisterEntry[]> {
    const ids = metas.map((m) => m.workOrderId)
    const events = await repos.arera.listClockEventsFor(ids)
    const workOrders = new Map((await repos.host.findWorkOrdersByIds(ids)).map((w) => [w.id, w]))
    const contributorIds = [...new Set([...workOrders.values()].map((w) => w.contributorId).filter((id): id is number => id !== null))]
    const contributors = new Map((await repos.host.findContributorsByIds(contributorIds)).map((c) => [c.id, c]))
    return metas.map((meta) => {
      const clock = clockOf(meta, events.get(meta.workOrderId) ?? [], now)
      const type = effectiveType(meta.areraType)
      const contributorId = workOrders.get(meta.workOrderId)?.contributorId ?? null
      const outcome: Outcome = clock.state === 'none' ? 'no_standard' : clock.standardMet === true ? 'met' : clock.standardMet === false ? 'missed' : 'pending'
      return {
        workOrderId: meta.workOrderId,
        reference: meta.reference,
        channel: meta.channel,
        contributorId,
        contributorName: contributorId === null ? null : (contributors.get(contributorId)?.displayName ?? null),
        type,
        typeLabel: requestTypeLabel(type, locale),
        typeConfirmed: meta.typeConfirmedAt !== null,
        service: meta.service,
        serviceLabel: meta.service ? serviceLabel(meta.service, locale) : null,
        receivedAt: meta.receivedAt,
        receivedDate: clock.receivedDate,
        dueDate: clock.dueDate,
        extendedDueDate: clock.extendedDueDate,
        replySentAt: meta.replySentAt,
        replyDate: clock.replyDate,
        standardWorkingDays: clock.standardWorkingDays,
        workingDaysTaken: clock.replyDate === null ? null : clock.workingDaysTaken,
        suspendedWorkingDays: clock.suspendedWorkingDays,
        outcome,
        standardMet: clock.standardMet,
        // a cause left over from before a reclassification means nothing once the request meets its standard
        missCause: outcome === 'missed' && isMissCause(meta.missCause) ? meta.missCause : null
      }
    })
  }

  async function register(from: IsoDate, to: IsoDate, now: Date = new Date()): Promise<RegisterEntry[]> {
    if (!isIsoDate(from) || !isIsoDate(to) || from > to) throw new RangeError('register: invalid range')
    // Widen by a day on each side (Rome is UTC+1/+2), then keep the Rome days asked for.
    const metas = (await repos.workOrderMeta.listReceivedBetween(new Date(`${addCalendarDays(from, -1)}T00:00:00Z`), new Date(`${addCalendarDays(to, 2)}T00:00:00Z`)))
      .filter((m) => {
        // a merged request is counted once, in the work order it was merged into
        if (m.mergedIntoWorkOrderId !== null) return false
        const day = romeDate(new Date(m.receivedAt))
        return day >= from && day <= to
      })
    return entriesOf(metas, now)
  }

  return {
    calendar,
    standards,
    scheme,
    schemes: REGULATORY_SCHEMES,
    minimumPercent,
    clockOf,

    /** The ARERA fields of a work order's view (null when the module does not track it). */
    async clockFields(meta: WorkOrderMeta, now: Date = new Date()): Promise<ClockFields> {
      return fieldsOf(meta, await repos.arera.listClockEvents(meta.workOrderId), now)
    },

    /**
     * An operator confirms or changes the ARERA type (and optionally the service): the due date is recomputed
     * from the receipt day and the new standard, the host type column follows the mapping, and the change is
     * audited (from → to, who).
     */
    async classify(workOrderId: number, input: { type?: unknown; service?: unknown }, operator: Operator, now: Date = new Date()): Promise<ClockFields> {
      if (!isRequestType(input.type)) throw new HttpError(400, 'invalidRequestType', { value: String(input.type).slice(0, 60), allowed: REQUEST_TYPE_CODES.join(', ') })
      const type = input.type
      if (input.service !== undefined && input.service !== null && !isServiceCode(input.service)) {
        throw new HttpError(400, 'invalidService', { value: String(input.service).slice(0, 60), allowed: SERVICES.map((x) => x.code).join(', ') })
      }
      const service = input.service === undefined ? undefined : (input.service as string | null)
      return repos.transaction(async (tx) => {
        const meta = await requireMeta(tx, workOrderId)
        const events = await tx.arera.listClockEvents(workOrderId)
        const updated: WorkOrderMeta = { ...meta, areraType: type, service: service === undefined ? meta.service : service }
        const clock = clockOf(updated, events, now)
        await tx.workOrderMeta.update(workOrderId, {
          areraType: type, dueDate: clock.dueDate, typeConfirmedAt: now, typeConfirmedBy: operator.name,
          ...(service !== undefined ? { service } : {}), ...(clock.dueDate !== meta.dueDate ? { publicChangedAt: now } : {})
        }, now)
        await tx.host.setWorkOrderType(workOrderId, type)
        await tx.audit.record({
          ...actor(operator), action: 'arera.classified', workOrderId,
          details: { from: meta.areraType, to: type, suggested: meta.suggestedType, serviceFrom: meta.service, serviceTo: updated.service, dueDateFrom: meta.dueDate, dueDateTo: clock.dueDate }
        }, now)
        const fresh = (await tx.workOrderMeta.find(workOrderId)) as WorkOrderMeta
        return fieldsOf(fresh, events, now)
      })
    },

    /** Suspend, resume or extend the clock (rules in src/domain/clock.ts); stored as an event, audited. */
    async clockAction(workOrderId: number, input: { action?: unknown; reason?: unknown; days?: unknown }, operator: Operator, now: Date = new Date()): Promise<ClockFields> {
      const action = input.action
      if (action !== 'suspend' && action !== 'resume' && action !== 'extend') throw new HttpError(400, 'invalidClockAction', { value: String(action).slice(0, 40) })
      const reason = typeof input.reason === 'string' ? input.reason.trim() : ''
      if (reason.length < 3) throw new HttpError(400, 'clockReasonRequired')
      let days: number | null = null
      if (action === 'extend') {
        if (typeof input.days !== 'number' || !Number.isInteger(input.days) || input.days < 1 || input.days > 120) throw new HttpError(400, 'clockDaysInvalid')
        days = input.days
      }
      return repos.transaction(async (tx) => {
        const meta = await requireMeta(tx, workOrderId)
        const events = await tx.arera.listClockEvents(workOrderId)
        const refusal = checkClockAction(clockOf(meta, events, now), action)
        if (refusal) throw new HttpError(409, CLOCK_REFUSALS[refusal])
        await tx.arera.insertClockEvent({ workOrderId, action, reason, days, at: now, actorId: operator.id, actorName: operator.name })
        const after = await tx.arera.listClockEvents(workOrderId)
        const clock = clockOf(meta, after, now)
        await tx.workOrderMeta.update(workOrderId, { dueDate: clock.dueDate, ...(clock.dueDate !== meta.dueDate ? { publicChangedAt: now } : {}) }, now)
        await tx.audit.record({ ...actor(operator), action: `arera.clock.${action}`, workOrderId, details: { reason, days, dueDateFrom: meta.dueDate, dueDateTo: clock.dueDate, extendedDueDate: clock.extendedDueDate } }, now)
        const fresh = (await tx.workOrderMeta.find(workOrderId)) as WorkOrderMeta
        return fieldsOf(fresh, after, now)
      })
    },

    /** Records (or clears, with null) why a request missed its standard; refused when it did not miss it. */
    async setMissCause(workOrderId: number, cause: unknown, operator: Operator, now: Date = new Date()): Promise<ClockFields> {
      if (cause !== null && !isMissCause(cause)) {
        throw new HttpError(400, 'invalidMissCause', { value: String(cause).slice(0, 40), allowed: MISS_CAUSES.map((c) => c.cause).join(', ') })
      }
      return repos.transaction(async (tx) => {
        const meta = await requireMeta(tx, workOrderId)
        const events = await tx.arera.listClockEvents(workOrderId)
        if (cause !== null && clockOf(meta, events, now).standardMet !== false) throw new HttpError(409, 'missCauseNotApplicable')
        await tx.workOrderMeta.update(workOrderId, { missCause: cause }, now)
        await tx.audit.record({ ...actor(operator), action: 'arera.missCause', workOrderId, details: { from: meta.missCause, to: cause } }, now)
        return fieldsOf({ ...meta, missCause: cause }, events, now)
      })
    },

    /** The register of the requests received from `from` to `to` (Rome calendar days, both included). */
    register,

    /** TQRIF art. 58.3 indicators of a year, requests counted by receipt day. */
    async indicators(year: number, now: Date = new Date()): Promise<IndicatorsReport> {
      const { from, to } = yearBounds(year)
      const entries = await register(from, to, now)
      const list = computeIndicators(
        entries.map((e) => ({ type: e.type, standardMet: e.standardMet, missCause: e.missCause, workingDaysTaken: e.workingDaysTaken ?? 0, replied: e.replyDate !== null })),
        standards,
        minimumPercent
      )
      return {
        year, basis: 'receipt', from, to, generatedAt: now.toISOString(),
        scheme: scheme ? { id: scheme.id, label: scheme.label, minimumCompliancePercent: scheme.minimumCompliancePercent } : null,
        totals: {
          requests: entries.length,
          withStandard: list.reduce((n, s) => n + s.requests, 0),
          met: list.reduce((n, s) => n + s.met, 0),
          missed: list.reduce((n, s) => n + s.missed, 0),
          pending: list.reduce((n, s) => n + s.pending, 0)
        },
        standards: list
      }
    },

    /** Requests still awaiting their reply, most urgent first. */
    async deadlines(filter: DeadlineFilter = {}, now: Date = new Date()): Promise<DeadlineItem[]> {
      const metas = (await repos.workOrderMeta.listAwaitingReply()).filter((m) => filter.type === undefined || effectiveType(m.areraType) === filter.type)
      const ids = metas.map((m) => m.workOrderId)
      const events = await repos.arera.listClockEventsFor(ids)
      const mailboxes = await repos.arera.inboundMailboxes(ids)
      const items: Array<{ meta: WorkOrderMeta; clock: Clock }> = []
      for (const meta of metas) {
        if (filter.mailboxId !== undefined && mailboxes.get(meta.workOrderId) !== filter.mailboxId) continue
        const clock = clockOf(meta, events.get(meta.workOrderId) ?? [], now)
        if (clock.daysLeft === null || clock.dueDate === null) continue
        if (filter.maxDaysLeft !== undefined && clock.daysLeft > filter.maxDaysLeft) continue
        if (filter.overdue === true && clock.daysLeft >= 0) continue
        if (filter.overdue === false && clock.daysLeft < 0) continue
        items.push({ meta, clock })
      }
      const workOrders = new Map((await repos.host.findWorkOrdersByIds(items.map((i) => i.meta.workOrderId))).map((w) => [w.id, w]))
      const contributorIds = [...new Set([...workOrders.values()].map((w) => w.contributorId).filter((id): id is number => id !== null))]
      const contributors = new Map((await repos.host.findContributorsByIds(contributorIds)).map((c) => [c.id, c]))
      return items
        .map(({ meta, clock }): DeadlineItem => {
          const wo = workOrders.get(meta.workOrderId)
          const type = effectiveType(meta.areraType)
          return {
            workOrderId: meta.workOrderId, reference: meta.reference, subject: wo?.subject ?? null, contributorId: wo?.contributorId ?? null,
            contributorName: wo?.contributorId == null ? null : (contributors.get(wo.contributorId)?.displayName ?? null),
            type, typeLabel: requestTypeLabel(type, locale), receivedAt: meta.receivedAt, dueDate: clock.dueDate as IsoDate,
            extendedDueDate: clock.extendedDueDate, daysLeft: clock.daysLeft as number, clockState: clock.state,
            mailboxId: mailboxes.get(meta.workOrderId) ?? null
          }
        })
        .sort((a, b) => a.daysLeft - b.daysLeft || a.workOrderId - b.workOrderId)
    }
  }
}

export type AreraService = ReturnType<typeof createAreraService>
