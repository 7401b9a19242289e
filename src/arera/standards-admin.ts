// The standards in force per territory, where each figure comes from, and the administrators' run-time changes:
// switching a standard off is a visible, audited setting, never a silent default.
import { DEFAULT_STANDARDS, STANDARD_CODES, isStandardCode, type Label, type StandardCode } from '../domain/arera.js'
import type { RuntimeStandardOverrides, Territory } from '../domain/territories.js'
import { HttpError } from '../http-errors.js'
import type { Operator } from '../types.js'
import { STANDARDS_SETTING, type AreraContext } from './context.js'

export interface StandardView {
  type: StandardCode
  label: Label
  article: string | null
  /** The figure or the article still needs confirming against the operator's charter. */
  toConfirm: boolean
  defaultWorkingDays: number | null
  workingDays: number | null
  workingDaysWithInspection: number | null
  /** Off: requests of this type get no due date unless an operator records why. */
  switchedOff: boolean
  /** Where the figure in force comes from. */
  source: 'default' | 'options' | 'runtime'
}

export interface TerritoryView {
  code: string | null
  name: string
  patronSaint: Territory['patronSaint']
  municipalities: readonly string[]
  mailboxes: ReadonlyArray<number | string>
  workingWeekdays: readonly number[]
  standards: StandardView[]
}

export interface StandardChange {
  territory?: unknown
  workingDays?: unknown
  reason?: unknown
}

export function createStandardsAdmin(ctx: AreraContext) {
  const { repos, options } = ctx

  function checkTerritory(code: unknown, codes: ReadonlyArray<string>): string {
    if (code === undefined || code === null || code === '') return ''
    if (typeof code !== 'string' || !codes.includes(code)) {
      throw new HttpError(400, 'invalidTerritory', { value: String(code).slice(0, 60), allowed: codes.join(', ') || '(nessuno)' })
    }
    return code
  }

  return {
    /** Every territory with its calendar facts and its standards (the default one first). */
    async territories(): Promise<TerritoryView[]> {
      const all = await ctx.territories()
      const runtime = (await repos.settings.get<RuntimeStandardOverrides>(STANDARDS_SETTING)) ?? {}
      return [all.default, ...all.list].map((t) => {
        const configured = t.code === null ? options.standards : (options.arera.territories.find((x) => x.code === t.code)?.standards ?? {})
        const changed = runtime[t.code ?? ''] ?? {}
        return {
          code: t.code,
          name: t.name,
          patronSaint: t.patronSaint,
          municipalities: t.municipalities,
          mailboxes: t.mailboxes,
          workingWeekdays: t.calendar.workingWeekdays,
          standards: STANDARD_CODES.filter((c) => c !== 'altro').map((type) => {
            const s = t.standards[type]
            return {
              type,
              label: s.label,
              article: s.article,
              toConfirm: s.toConfirm,
              defaultWorkingDays: DEFAULT_STANDARDS[type].workingDays,
              workingDays: s.workingDays,
              workingDaysWithInspection: s.workingDaysWithInspection,
              switchedOff: s.workingDays === null,
              source: type in changed ? 'runtime' : type in configured || (t.code !== null && type in options.standards) ? 'options' : 'default'
            }
          })
        }
      })
    },

    /** Changes (or with null switches off) one standard of one territory ('' or null: the deployment); audited. */
    async setStandard(
      type: unknown,
      change: StandardChange,
      operator: Operator,
      now: Date = new Date()
    ): Promise<{ type: StandardCode; territory: string | null; workingDays: number | null }> {
      if (!isStandardCode(type) || type === 'altro') {
        throw new HttpError(400, 'invalidStandard', { value: String(type).slice(0, 60), allowed: STANDARD_CODES.filter((c) => c !== 'altro').join(', ') })
      }
      const all = await ctx.territories()
      const territory = checkTerritory(
        change.territory,
        all.list.map((t) => t.code as string)
      )
      const days = change.workingDays
      if (days !== null && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365)) throw new HttpError(400, 'standardDaysInvalid')
      const reason = typeof change.reason === 'string' ? change.reason.trim() : ''
      if (reason.length < 3) throw new HttpError(400, 'standardReasonRequired')
      await repos.transaction(async (tx) => {
        const runtime = (await tx.settings.get<RuntimeStandardOverrides>(STANDARDS_SETTING)) ?? {}
        const from = all.of(territory || null).standards[type].workingDays
        const next = { ...runtime, [territory]: { ...(runtime[territory] ?? {}), [type]: days } }
        await tx.settings.set(STANDARDS_SETTING, next, now)
        await tx.audit.record(
          { ...ctx.actor(operator), action: 'arera.standardChanged', details: { type, territory: territory || null, from, to: days, reason } },
          now
        )
      })
      return { type, territory: territory || null, workingDays: days }
    },

    /** The audited history of standard changes, newest first. */
    async standardChanges(): Promise<Array<{ at: string; actorName: string | null; details: Record<string, unknown> }>> {
      return (await repos.audit.listByAction('arera.standardChanged')).map((a) => ({ at: a.at, actorName: a.actorName, details: a.details }))
    }
  }
}
