// ARERA TQRIF (delibera 15/2022/R/rif, Allegato A) request types, time standards, regulatory schemes and
// miss causes, plus a keyword classifier that suggests a request type to the operator.
//
// Pure code: no I/O, no clock. Article numbers refer to the TQRIF text as adopted in January 2022; where we
// are not sure of a number or a figure the comment says "to verify" — every figure is configurable because
// the Ente territorialmente competente may set better (shorter) standards in the service quality charter.
import type { Locale } from '../i18n.js'
import { REQUEST_TYPE_CODES, type RequestType } from './request-types.js'
import { romeDate, type WorkingCalendar } from './working-days.js'

/** A user-facing label in Italian (default) and English. */
export type Label = Readonly<Record<Locale, string>>

// ---------------------------------------------------------------------------------------------------
// Request types.

export { REQUEST_TYPE_CODES, type RequestType }

export interface RequestTypeInfo {
  type: RequestType
  label: Label
}

/**
 * The request types with their labels. TQRIF art. 13 classifies written requests as complaints, information
 * requests and billing-correction requests; the other types are the service requests for which TQRIF also sets
 * times (activation/change/termination, on-call collection, equipment repair, service-failure reports).
 */
export const REQUEST_TYPES: readonly RequestTypeInfo[] = Object.freeze([
  { type: 'reclamo_scritto', label: { it: 'Reclamo scritto', en: 'Written complaint' } },
  { type: 'richiesta_informazioni', label: { it: 'Richiesta scritta di informazioni', en: 'Written information request' } },
  {
    type: 'rettifica_importi',
    label: { it: 'Richiesta di rettifica degli importi addebitati', en: 'Billing-correction request' }
  },
  { type: 'segnalazione_disservizio', label: { it: 'Segnalazione di disservizio', en: 'Service-failure report' } },
  { type: 'ritiro_su_chiamata', label: { it: 'Ritiro su chiamata', en: 'On-call collection' } },
  {
    type: 'riparazione_attrezzature',
    label: { it: 'Riparazione delle attrezzature per la raccolta', en: 'Repair of collection equipment' }
  },
  {
    type: 'attivazione_variazione_cessazione',
    label: { it: 'Attivazione, variazione o cessazione del servizio', en: 'Service activation, change or termination' }
  },
  { type: 'altro', label: { it: 'Altro', en: 'Other' } }
] satisfies RequestTypeInfo[])

const REQUEST_TYPE_SET: ReadonlySet<string> = new Set(REQUEST_TYPE_CODES)

/** Type guard for values coming from forms, query strings and the database. */
export function isRequestType(value: unknown): value is RequestType {
  return typeof value === 'string' && REQUEST_TYPE_SET.has(value)
}

/** The label of a request type in a locale (Italian by default). */
export function requestTypeLabel(type: RequestType, locale: Locale = 'it'): string {
  const info = REQUEST_TYPES.find((r) => r.type === type)
  if (!info) throw new RangeError(`Unknown request type "${String(type)}"`)
  return info.label[locale]
}

// ---------------------------------------------------------------------------------------------------
// Time standards live in ./standards.ts; the suggestion in ./classifier.ts.

export * from './standards.js'
export * from './classifier.js'

/**
 * The regulatory time actually taken: working days from the receipt day (excluded) to the reply day
 * (included), both reckoned in Europe/Rome. A request meets a standard of n days when this is <= n.
 */
export function elapsedWorkingDays(calendar: WorkingCalendar, receivedAt: Date, repliedAt: Date): number {
  return calendar.workingDaysBetween(romeDate(receivedAt), romeDate(repliedAt))
}

// ---------------------------------------------------------------------------------------------------
// Regulatory schemes and miss causes.

export type RegulatorySchemeId = 'I' | 'II' | 'III' | 'IV'

export interface RegulatoryScheme {
  id: RegulatorySchemeId
  label: Label
  /**
   * Minimum share (percent) of requests that must meet the general standards in a year; null when the scheme
   * sets no general standards (Schema I only has service obligations).
   */
  minimumCompliancePercent: number | null
}

/**
 * TQRIF art. 3 regulatory schemes; the Ente territorialmente competente places each operator in one. The
 * percentages come from TQRIF Appendix I, Table 2: Schema III = 70 % is the one we are confident about;
 * Schema I = none (TQRIF art. 58.2: no general quality levels); Schema II = 70 % and Schema IV = 90 % are
 * defaults to verify. Configure them with `resolveRegulatorySchemes`.
 */
export const REGULATORY_SCHEMES: readonly RegulatoryScheme[] = Object.freeze([
  {
    id: 'I',
    label: { it: 'Schema I – livello qualitativo minimo', en: 'Scheme I – minimum quality level' },
    minimumCompliancePercent: null
  },
  // to verify
  { id: 'II', label: { it: 'Schema II', en: 'Scheme II' }, minimumCompliancePercent: 70 },
  { id: 'III', label: { it: 'Schema III', en: 'Scheme III' }, minimumCompliancePercent: 70 },
  // to verify
  {
    id: 'IV',
    label: { it: 'Schema IV – livello qualitativo avanzato', en: 'Scheme IV – advanced quality level' },
    minimumCompliancePercent: 90
  }
] satisfies RegulatoryScheme[])

/** The schemes with the operator's minimum compliance percentages merged in (0..100, or null for none). */
export function resolveRegulatorySchemes(overrides: Partial<Record<RegulatorySchemeId, number | null>> = {}): readonly RegulatoryScheme[] {
  for (const [key, value] of Object.entries(overrides)) {
    if (!REGULATORY_SCHEMES.some((s) => s.id === key)) throw new RangeError(`Unknown regulatory scheme "${key}"`)
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100)) {
      throw new RangeError(`Scheme ${key}: minimum compliance must be a percentage 0..100 or null, got ${String(value)}`)
    }
  }
  return Object.freeze(
    REGULATORY_SCHEMES.map((s) => {
      const value = overrides[s.id]
      return Object.freeze({ ...s, minimumCompliancePercent: value === undefined ? s.minimumCompliancePercent : value })
    })
  )
}

export type MissCause = 'forza_maggiore' | 'utente_o_terzi' | 'gestore'

/**
 * Causes of a missed standard (TQRIF art. 55.1), recorded in the register for every miss and reported yearly
 * by cause (art. 58.3). Only misses caused by the operator are the operator's fault.
 */
export const MISS_CAUSES: ReadonlyArray<{ cause: MissCause; label: Label }> = Object.freeze([
  { cause: 'forza_maggiore', label: { it: 'Cause di forza maggiore', en: 'Force majeure' } },
  { cause: 'utente_o_terzi', label: { it: "Cause imputabili all'utente o a terzi", en: 'Caused by the user or third parties' } },
  { cause: 'gestore', label: { it: 'Cause imputabili al gestore', en: 'Caused by the operator' } }
] satisfies Array<{ cause: MissCause; label: Label }>)

export function isMissCause(value: unknown): value is MissCause {
  return typeof value === 'string' && MISS_CAUSES.some((c) => c.cause === value)
}

// ---------------------------------------------------------------------------------------------------
// Services a request concerns.

export type ServiceCode = 'raccolta_trasporto' | 'spazzamento_lavaggio' | 'tariffe_rapporto_utenti'

/**
 * The three services TQRIF names (the complaint form asks which one a complaint concerns): collection and
 * transport, street sweeping and washing, tariff management and user relations.
 */
export const SERVICES: ReadonlyArray<{ code: ServiceCode; label: Label }> = Object.freeze([
  { code: 'raccolta_trasporto', label: { it: 'Raccolta e trasporto', en: 'Collection and transport' } },
  { code: 'spazzamento_lavaggio', label: { it: 'Spazzamento e lavaggio delle strade', en: 'Street sweeping and washing' } },
  { code: 'tariffe_rapporto_utenti', label: { it: 'Gestione delle tariffe e rapporto con gli utenti', en: 'Tariff management and user relations' } }
] satisfies Array<{ code: ServiceCode; label: Label }>)

export function isServiceCode(value: unknown): value is ServiceCode {
  return typeof value === 'string' && SERVICES.some((s) => s.code === value)
}

/** The label of a service code; an unknown code (written by another channel) is shown as it is. */
export function serviceLabel(code: string, locale: Locale = 'it'): string {
  return SERVICES.find((s) => s.code === code)?.label[locale] ?? code
}
