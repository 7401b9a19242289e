// The `arera` plugin option: the operator's regulatory scheme, its minimum compliance percentages and the
// optional daily deadline digest. Validated at registration like every other option.
import { REGULATORY_SCHEMES, isRequestType, type RegulatorySchemeId, type RequestType } from '../domain/arera.js'
import { checkTerritories, type TerritoryConfig } from '../domain/territories.js'
import { OptionsError } from '../options.js'

export interface AreraOptions {
  /**
   * The regulatory scheme (TQRIF art. 3) the Ente territorialmente competente placed the operator in. Without
   * it the indicators show no minimum percentage.
   */
  scheme?: RegulatorySchemeId | null
  /**
   * Overrides of the scheme's minimum compliance percentage (0..100, null for none): one number for every
   * standard, or one per request type.
   */
  minimumPercent?: number | null | Partial<Record<RequestType, number | null>>
  /** Daily email listing overdue and due-soon requests, at `hour` (0..23, Europe/Rome). Needs `mail.from`. */
  digest?: { to: string[]; hour: number; dueWithinWorkingDays?: number } | null
  /**
   * Municipalities or offices with their own calendar (patron saint, closures) and standards. A request belongs
   * to the territory of its contributor's municipality (`mapping.contributors.municipality`) or, failing that, of
   * the mailbox that received it; otherwise to the deployment's default calendar and standards.
   */
  territories?: TerritoryConfig[]
}

export interface ResolvedAreraOptions {
  scheme: RegulatorySchemeId | null
  minimumPercent: number | null | undefined | Partial<Record<RequestType, number | null>>
  digest: { to: string[]; hour: number; dueWithinWorkingDays: number } | null
  territories: TerritoryConfig[]
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/

function checkPercent(value: unknown, option: string): number | null {
  if (value === null) return null
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw new OptionsError(option, `must be a percentage 0..100 or null, got ${JSON.stringify(value)}`)
  }
  return value
}

export function validateAreraOptions(input: unknown, mailFrom: string | undefined): ResolvedAreraOptions {
  if (input === undefined || input === null) return { scheme: null, minimumPercent: undefined, digest: null, territories: [] }
  if (typeof input !== 'object') throw new OptionsError('arera', 'must be an object { scheme, minimumPercent?, digest? }')
  const o = input as AreraOptions
  const scheme = o.scheme ?? null
  if (scheme !== null && !REGULATORY_SCHEMES.some((s) => s.id === scheme)) {
    throw new OptionsError('arera.scheme', `must be one of ${REGULATORY_SCHEMES.map((s) => `"${s.id}"`).join(', ')}, got ${JSON.stringify(scheme)}`)
  }
  let minimumPercent: ResolvedAreraOptions['minimumPercent']
  if (o.minimumPercent === undefined) minimumPercent = undefined
  else if (o.minimumPercent === null || typeof o.minimumPercent === 'number') minimumPercent = checkPercent(o.minimumPercent, 'arera.minimumPercent')
  else if (typeof o.minimumPercent === 'object') {
    const perType: Partial<Record<RequestType, number | null>> = {}
    for (const [type, value] of Object.entries(o.minimumPercent)) {
      if (!isRequestType(type)) throw new OptionsError(`arera.minimumPercent.${type}`, 'is not a request type')
      perType[type] = checkPercent(value, `arera.minimumPercent.${type}`)
    }
    minimumPercent = perType
  } else throw new OptionsError('arera.minimumPercent', 'must be a number, null, or { requestType: number }')

  let digest: ResolvedAreraOptions['digest'] = null
  if (o.digest) {
    const d = o.digest
    if (!Array.isArray(d.to) || d.to.length === 0) throw new OptionsError('arera.digest.to', 'must list at least one email address')
    d.to.forEach((address, i) => {
      if (typeof address !== 'string' || !EMAIL.test(address.trim()))
        throw new OptionsError(`arera.digest.to[${i}]`, `is not an email address: ${JSON.stringify(address)}`)
    })
    if (!Number.isInteger(d.hour) || d.hour < 0 || d.hour > 23) throw new OptionsError('arera.digest.hour', 'must be an hour 0..23 (Europe/Rome)')
    const within = d.dueWithinWorkingDays ?? 5
    if (!Number.isInteger(within) || within < 0 || within > 60) throw new OptionsError('arera.digest.dueWithinWorkingDays', 'must be an integer 0..60')
    if (!mailFrom) throw new OptionsError('arera.digest', 'needs "mail.from": the digest is sent from that address')
    digest = { to: d.to.map((a) => a.trim()), hour: d.hour, dueWithinWorkingDays: within }
  }
  const territories = o.territories ?? []
  if (!Array.isArray(territories))
    throw new OptionsError('arera.territories', 'must be a list of { code, name, municipalities?, mailboxes?, patronSaint?, extraClosures?, standards? }')
  try {
    checkTerritories(territories)
  } catch (err) {
    throw new OptionsError('arera.territories', (err as Error).message)
  }
  return { scheme, minimumPercent, digest, territories }
}
