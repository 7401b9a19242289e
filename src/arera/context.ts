// What every ARERA use case shares: the territories (calendars and standards, with the administrators' audited
// run-time changes), the two clocks of a work order, the view fields, the "work order must be tracked" check.
import {
  clockTypeLabel,
  isRequestType,
  isStandardCode,
  requestTypeLabel,
  resolveRegulatorySchemes,
  standardDays,
  type RegulatoryScheme,
  type RequestType,
  type StandardCode
} from '../domain/arera.js'
import { computeClock, type Clock } from '../domain/clock.js'
import { createTerritories, type RuntimeStandardOverrides, type Territories, type Territory } from '../domain/territories.js'
import { HttpError, notFound } from '../http-errors.js'
import type { Locale } from '../i18n.js'
import type { ResolvedOptions } from '../options.js'
import type { StoredClockEvent } from '../repositories/arera.js'
import type { Repositories } from '../repositories/index.js'
import type { WorkOrderMeta } from '../repositories/work-order-meta.js'
import type { Operator } from '../types.js'
import type { ClockFields, ServiceClockFields } from './types.js'

/** Settings key of the standards changed at run time: `{ [territoryCode or '']: { [standard]: days | null } }`. */
export const STANDARDS_SETTING = 'arera.standards'

/** Types outside the list (or missing) are treated as written complaints: TQRIF's prudential rule. */
export function effectiveType(type: string | null): RequestType {
  return isRequestType(type) ? type : 'reclamo_scritto'
}

export function createAreraContext(repos: Repositories, options: ResolvedOptions) {
  const locale: Locale = options.locale
  const scheme: RegulatoryScheme | null = resolveRegulatorySchemes().find((s) => s.id === options.arera.scheme) ?? null
  const build = (runtime: RuntimeStandardOverrides) =>
    createTerritories({
      name: options.organizationName,
      calendar: options.calendar,
      standards: options.standards,
      territories: options.arera.territories,
      runtime
    })
  const base = build({})
  let cached: { key: string; territories: Territories } = { key: '{}', territories: base }

  /** The territories with the run-time standard changes in effect (re-read on every use case: instances agree). */
  async function territories(repo: Repositories = repos): Promise<Territories> {
    const runtime = (await repo.settings.get<RuntimeStandardOverrides>(STANDARDS_SETTING)) ?? {}
    const key = JSON.stringify(runtime)
    if (cached.key !== key) cached = { key, territories: build(runtime) }
    return cached.territories
  }

  function minimumPercent(type: StandardCode): number | null {
    const override = options.arera.minimumPercent
    if (override === null || typeof override === 'number') return override
    if (override && isRequestType(type) && override[type] !== undefined) return override[type] ?? null
    return scheme?.minimumCompliancePercent ?? null
  }

  const label = (code: StandardCode) => clockTypeLabel(code, (t) => requestTypeLabel(t, locale), locale)

  function clockOf(territory: Territory, meta: WorkOrderMeta, events: readonly StoredClockEvent[], now: Date): Clock {
    return computeClock(territory.calendar, {
      standardWorkingDays: territory.standards[effectiveType(meta.areraType)].workingDays,
      receivedAt: new Date(meta.receivedAt),
      replySentAt: meta.replySentAt ? new Date(meta.replySentAt) : null,
      events,
      now
    })
  }

  /** The second clock: from its start to the service performed; suspensions do not apply to it. */
  function serviceClockOf(territory: Territory, meta: WorkOrderMeta, now: Date): { type: StandardCode; clock: Clock } | null {
    const s = meta.serviceClock
    if (!s || !isStandardCode(s.type)) return null
    const clock = computeClock(territory.calendar, {
      standardWorkingDays: standardDays(territory.standards[s.type], s.inspection),
      receivedAt: new Date(s.startedAt),
      replySentAt: s.doneAt ? new Date(s.doneAt) : null,
      events: [],
      now
    })
    return { type: s.type, clock }
  }

  function serviceFieldsOf(territory: Territory, meta: WorkOrderMeta, now: Date): ServiceClockFields | null {
    const s = meta.serviceClock
    const second = serviceClockOf(territory, meta, now)
    if (!s || !second) return null
    const { type, clock } = second
    return {
      type,
      typeLabel: label(type),
      inspection: s.inspection,
      article: territory.standards[type].article,
      standardWorkingDays: clock.standardWorkingDays,
      startedAt: s.startedAt,
      dueDate: clock.dueDate,
      doneAt: s.doneAt,
      daysLeft: clock.daysLeft,
      workingDaysTaken: clock.workingDaysTaken,
      clockState: clock.state,
      standardMet: clock.standardMet,
      missCause: s.missCause,
      confirmedAt: s.confirmedAt,
      confirmedBy: s.confirmedBy
    }
  }

  function fieldsOf(all: Territories, meta: WorkOrderMeta, events: readonly StoredClockEvent[], now: Date): ClockFields {
    const territory = all.of(meta.territory)
    const clock = clockOf(territory, meta, events, now)
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
      clockEvents: events.map((e) => ({ action: e.action, reason: e.reason, days: e.days, at: e.at.toISOString(), actorName: e.actorName })),
      territory: territory.code,
      territoryName: territory.name,
      noDueDateReason: meta.noDueDateReason,
      suggestedServiceType: meta.suggestedServiceType,
      serviceClock: serviceFieldsOf(territory, meta, now)
    }
  }

  async function requireMeta(repo: Repositories, workOrderId: number): Promise<WorkOrderMeta> {
    const meta = await repo.workOrderMeta.find(workOrderId)
    if (meta) return meta
    if (await repo.host.findWorkOrder(workOrderId)) throw new HttpError(409, 'workOrderNotTracked', { id: workOrderId })
    throw notFound('workOrderNotFound', { id: workOrderId })
  }

  const actor = (operator: Operator) => ({ actorType: 'operator' as const, actorId: operator.id, actorName: operator.name })

  return { repos, options, locale, scheme, base, territories, minimumPercent, label, clockOf, serviceClockOf, fieldsOf, requireMeta, actor }
}

export type AreraContext = ReturnType<typeof createAreraContext>
