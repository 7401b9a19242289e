// The register (TQRIF art. 56: one row per clock — the reasoned reply, and the service when the request also
// asked for one) and the yearly indicators (art. 58.3) computed from it, per territory or all together.
import { isMissCause, requestTypeLabel, serviceLabel } from '../domain/arera.js'
import type { Clock } from '../domain/clock.js'
import { computeIndicators } from '../domain/indicators.js'
import type { Territories } from '../domain/territories.js'
import { addCalendarDays, isIsoDate, romeDate, type IsoDate } from '../domain/working-days.js'
import type { WorkOrderMeta } from '../repositories/work-order-meta.js'
import { effectiveType, type AreraContext } from './context.js'
import type { IndicatorsReport, Outcome, RegisterEntry } from './types.js'

function yearBounds(year: number): { from: IsoDate; to: IsoDate } {
  const y = String(year).padStart(4, '0')
  return { from: `${y}-01-01`, to: `${y}-12-31` }
}

function outcomeOf(clock: Clock): Outcome {
  return clock.state === 'none' ? 'no_standard' : clock.standardMet === true ? 'met' : clock.standardMet === false ? 'missed' : 'pending'
}

export function createRegister(ctx: AreraContext) {
  const { repos, locale } = ctx

  /** Register entries for metas (one batch of host and event look-ups): the reply row, then the service row. */
  async function entriesOf(all: Territories, metas: readonly WorkOrderMeta[], now: Date): Promise<RegisterEntry[]> {
    const ids = metas.map((m) => m.workOrderId)
    const events = await repos.arera.listClockEventsFor(ids)
    const workOrders = new Map((await repos.host.findWorkOrdersByIds(ids)).map((w) => [w.id, w]))
    const contributorIds = [...new Set([...workOrders.values()].map((w) => w.contributorId).filter((id): id is number => id !== null))]
    const contributors = new Map((await repos.host.findContributorsByIds(contributorIds)).map((c) => [c.id, c]))
    return metas.flatMap((meta) => {
      const territory = all.of(meta.territory)
      const clock = ctx.clockOf(territory, meta, events.get(meta.workOrderId) ?? [], now)
      const type = effectiveType(meta.areraType)
      const contributorId = workOrders.get(meta.workOrderId)?.contributorId ?? null
      const outcome = outcomeOf(clock)
      const reply: RegisterEntry = {
        workOrderId: meta.workOrderId,
        reference: meta.reference,
        clock: 'reply',
        territory: territory.code,
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
      const second = ctx.serviceClockOf(territory, meta, now)
      if (!second || !meta.serviceClock) return [reply]
      const s = second.clock
      const serviceOutcome = outcomeOf(s)
      const service: RegisterEntry = {
        ...reply,
        clock: 'service',
        type: second.type,
        typeLabel: ctx.label(second.type),
        typeConfirmed: meta.serviceClock.confirmedAt !== null,
        receivedDate: s.receivedDate,
        dueDate: s.dueDate,
        extendedDueDate: null,
        replySentAt: meta.serviceClock.doneAt,
        replyDate: s.replyDate,
        standardWorkingDays: s.standardWorkingDays,
        workingDaysTaken: s.replyDate === null ? null : s.workingDaysTaken,
        suspendedWorkingDays: 0,
        outcome: serviceOutcome,
        standardMet: s.standardMet,
        missCause: serviceOutcome === 'missed' && isMissCause(meta.serviceClock.missCause) ? meta.serviceClock.missCause : null
      }
      return [reply, service]
    })
  }

  /** The register of the requests received from `from` to `to` (Rome calendar days, both included). */
  async function register(from: IsoDate, to: IsoDate, now: Date = new Date(), territory?: string | null): Promise<RegisterEntry[]> {
    if (!isIsoDate(from) || !isIsoDate(to) || from > to) throw new RangeError('register: invalid range')
    // Widen by a day on each side (Rome is UTC+1/+2), then keep the Rome days asked for.
    const metas = (
      await repos.workOrderMeta.listReceivedBetween(new Date(`${addCalendarDays(from, -1)}T00:00:00Z`), new Date(`${addCalendarDays(to, 2)}T00:00:00Z`))
    ).filter((m) => {
      // a merged request is counted once, in the work order it was merged into
      if (m.mergedIntoWorkOrderId !== null) return false
      const day = romeDate(new Date(m.receivedAt))
      return day >= from && day <= to
    })
    const all = await ctx.territories()
    const entries = await entriesOf(all, metas, now)
    return territory === undefined ? entries : entries.filter((e) => e.territory === (territory ? all.of(territory).code : null))
  }

  /** TQRIF art. 58.3 indicators of a year, requests counted by receipt day; `territory` undefined = all. */
  async function indicators(year: number, now: Date = new Date(), territory?: string | null): Promise<IndicatorsReport> {
    const { from, to } = yearBounds(year)
    const entries = await register(from, to, now, territory)
    const all = await ctx.territories()
    const standards = all.of(territory ?? null).standards
    const list = computeIndicators(
      entries.map((e) => ({
        type: e.type,
        standardMet: e.standardMet,
        missCause: e.missCause,
        workingDaysTaken: e.workingDaysTaken ?? 0,
        replied: e.replyDate !== null,
        standardWorkingDays: e.standardWorkingDays
      })),
      standards,
      ctx.minimumPercent
    )
    const scheme = ctx.scheme
    return {
      year,
      basis: 'receipt',
      from,
      to,
      generatedAt: now.toISOString(),
      territory: territory ?? null,
      scheme: scheme ? { id: scheme.id, label: scheme.label, minimumCompliancePercent: scheme.minimumCompliancePercent } : null,
      totals: {
        requests: new Set(entries.map((e) => e.workOrderId)).size,
        withStandard: list.reduce((n, s) => n + s.requests, 0),
        met: list.reduce((n, s) => n + s.met, 0),
        missed: list.reduce((n, s) => n + s.missed, 0),
        pending: list.reduce((n, s) => n + s.pending, 0)
      },
      standards: list
    }
  }

  return { register, indicators }
}
