// Territories: a deployment serving many municipalities has a calendar (patron saint, extra closures) and may have
// standards of its own per municipality or office (the Ente territorialmente competente may set better ones).
// A request belongs to the territory of the contributor's municipality or, failing that, of the mailbox that
// received it. Pure code: no I/O.
import { resolveStandards, type StandardCode, type StandardOverrides, type Standards } from './standards.js'
import { createWorkingCalendar, type ExtraClosure, type PatronSaint, type WorkingCalendar, type WorkingCalendarOptions } from './working-days.js'

export interface TerritoryConfig {
  /** Stable code stored on each request, e.g. 'bologna'. */
  code: string
  /** Shown in exports, e.g. 'Comune di Bologna'. */
  name: string
  /** Municipality names as the host's contributor table spells them (compared case- and accent-insensitively). */
  municipalities?: readonly string[]
  /** Mailboxes (ids or addresses) whose requests belong here when the contributor's municipality does not say. */
  mailboxes?: ReadonlyArray<number | string>
  patronSaint?: PatronSaint | null
  /** Closures of this territory's offices, on top of the deployment's own. */
  extraClosures?: readonly ExtraClosure[]
  /** Standards of this territory's charter, on top of the deployment's. */
  standards?: StandardOverrides
}

/** Standards an administrator changed at run time (audited): per territory code ('' = the deployment). */
export type RuntimeStandardOverrides = Readonly<Record<string, Partial<Record<StandardCode, number | null>>>>

export interface Territory {
  /** null for the deployment's default territory. */
  code: string | null
  name: string
  calendar: WorkingCalendar
  standards: Standards
  patronSaint: PatronSaint | null
  municipalities: readonly string[]
  mailboxes: ReadonlyArray<number | string>
}

export interface Territories {
  readonly default: Territory
  /** The configured territories (without the default), in configuration order. */
  readonly list: readonly Territory[]
  /** The territory of a stored code; an unknown or null code is the default one. */
  of(code: string | null | undefined): Territory
  /** The territory of a request: contributor's municipality first, then the receiving mailbox. */
  resolve(input: { municipality?: string | null; mailboxId?: number | null; mailboxAddress?: string | null }): Territory
}

export interface TerritoriesInput {
  name: string
  calendar: WorkingCalendarOptions
  standards: StandardOverrides
  territories: readonly TerritoryConfig[]
  runtime?: RuntimeStandardOverrides
}

function normalizePlace(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/** Validates the configuration; throws a RangeError naming the offending entry. */
export function checkTerritories(list: readonly TerritoryConfig[]): void {
  const codes = new Set<string>()
  list.forEach((t, i) => {
    if (typeof t.code !== 'string' || !/^[a-z0-9_-]{1,60}$/.test(t.code)) throw new RangeError(`territories[${i}].code must be 1–60 of a-z 0-9 _ -`)
    if (codes.has(t.code)) throw new RangeError(`territories[${i}].code "${t.code}" is repeated`)
    codes.add(t.code)
    if (typeof t.name !== 'string' || t.name.trim() === '') throw new RangeError(`territories[${i}].name is required`)
  })
}

export function createTerritories(input: TerritoriesInput): Territories {
  checkTerritories(input.territories)
  const runtime = input.runtime ?? {}
  const baseStandards = resolveStandards({ ...input.standards, ...(runtime[''] ?? {}) })
  const base: Territory = {
    code: null,
    name: input.name,
    calendar: createWorkingCalendar(input.calendar),
    standards: baseStandards,
    patronSaint: input.calendar.patronSaint ?? null,
    municipalities: [],
    mailboxes: []
  }
  const list: Territory[] = input.territories.map((t) => {
    const patronSaint = t.patronSaint === undefined ? (input.calendar.patronSaint ?? null) : t.patronSaint
    return {
      code: t.code,
      name: t.name,
      patronSaint,
      municipalities: t.municipalities ?? [],
      mailboxes: t.mailboxes ?? [],
      calendar: createWorkingCalendar({ ...input.calendar, patronSaint, extraClosures: [...(input.calendar.extraClosures ?? []), ...(t.extraClosures ?? [])] }),
      standards: resolveStandards({ ...(t.standards ?? {}), ...(runtime[t.code] ?? {}) }, baseStandards)
    }
  })
  const byCode = new Map(list.map((t) => [t.code as string, t]))
  const byMunicipality = new Map<string, Territory>()
  for (const t of list) for (const m of t.municipalities) byMunicipality.set(normalizePlace(m), t)
  return {
    default: base,
    list,
    of: (code) => (code ? (byCode.get(code) ?? base) : base),
    resolve({ municipality, mailboxId, mailboxAddress }) {
      const place = municipality ? byMunicipality.get(normalizePlace(municipality)) : undefined
      if (place) return place
      const address = mailboxAddress?.toLowerCase() ?? null
      const byMailbox = list.find((t) => t.mailboxes.some((m) => (typeof m === 'number' ? m === mailboxId : m.toLowerCase() === address)))
      return byMailbox ?? base
    }
  }
}
