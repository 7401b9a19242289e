// The yearly communication (TQRIF art. 58, due by 31 March of the following year): one export per territory and
// year with the users by type at 31 December (from the host's contributor table through the mapping) and, per
// standard, the requests that met it, those that missed it by cause (art. 55) and the average actual time.
// Schema I operators have no general standards: they get the obligations checklist instead.
import type { StandardIndicator } from '../domain/indicators.js'
import { GENERIC_CONTRIBUTOR_SETTING } from '../work-orders/generic-contributor.js'
import { HttpError } from '../http-errors.js'
import { SCHEMA_I_OBLIGATIONS, type Obligation } from '../domain/obligations.js'
import type { AreraContext } from './context.js'
import type { createRegister } from './register.js'
import type { IndicatorsReport } from './types.js'

export interface UsersAtYearEnd {
  /** The day counted: 31 December of the year. */
  on: string
  domestiche: number
  non_domestiche: number
  /** Rows whose type the mapping does not spell (or no type column): counted, shown apart. */
  non_classificate: number
  total: number
}

export interface YearlyCommunication {
  year: number
  /** By 31 March of the following year (TQRIF art. 58). */
  deadline: string
  operator: string
  territory: { code: string | null; name: string }
  scheme: IndicatorsReport['scheme']
  generatedAt: string
  /** null when the mapping has no municipality column and the territory is not the deployment's own. */
  users: UsersAtYearEnd | null
  /** Per standard: met, missed by cause, average actual time (empty for Schema I). */
  standards: StandardIndicator[]
  totals: IndicatorsReport['totals']
  /** Schema I: the obligations to declare instead of standards; null for the other schemes. */
  checklist: Obligation[] | null
}

export function createYearly(ctx: AreraContext, register: ReturnType<typeof createRegister>) {
  const { repos, options } = ctx
  const mapping = options.mapping.contributors
  const spelled = (list: string[] | undefined) => new Set((list ?? []).map((v) => v.trim().toLowerCase()))
  const domestic = spelled(mapping.userTypeValues?.domestica)
  const nonDomestic = spelled(mapping.userTypeValues?.non_domestica)

  async function users(year: number, code: string | null): Promise<UsersAtYearEnd | null> {
    const all = await ctx.territories()
    if (code !== null && !mapping.municipality) return null
    const on = `${String(year).padStart(4, '0')}-12-31`
    const generic = (await repos.settings.get<number>(GENERIC_CONTRIBUTOR_SETTING)) ?? options.genericContributorId
    const result: UsersAtYearEnd = { on, domestiche: 0, non_domestiche: 0, non_classificate: 0, total: 0 }
    for (const row of await repos.host.countUsersOn(on, generic)) {
      const territory = row.municipality === null ? all.default : all.resolve({ municipality: row.municipality })
      if (territory.code !== code) continue
      const type = row.userType?.trim().toLowerCase() ?? null
      if (type !== null && domestic.has(type)) result.domestiche += row.count
      else if (type !== null && nonDomestic.has(type)) result.non_domestiche += row.count
      else result.non_classificate += row.count
      result.total += row.count
    }
    return result
  }

  return {
    /** The art. 58 communication of one territory (null or omitted: the deployment's default one). */
    async yearlyCommunication(year: number, territory: string | null = null, now: Date = new Date()): Promise<YearlyCommunication> {
      const all = await ctx.territories()
      if (territory !== null && !all.list.some((t) => t.code === territory)) {
        throw new HttpError(400, 'invalidTerritory', { value: territory.slice(0, 60), allowed: all.list.map((t) => t.code).join(', ') || '(nessuno)' })
      }
      const t = all.of(territory)
      const report = await register.indicators(year, now, t.code)
      const schemaI = ctx.scheme?.id === 'I'
      return {
        year,
        deadline: `${String(year + 1).padStart(4, '0')}-03-31`,
        operator: options.organizationName,
        territory: { code: t.code, name: t.name },
        scheme: report.scheme,
        generatedAt: now.toISOString(),
        users: await users(year, t.code),
        standards: schemaI ? [] : report.standards,
        totals: report.totals,
        checklist: schemaI ? [...SCHEMA_I_OBLIGATIONS] : null
      }
    }
  }
}
