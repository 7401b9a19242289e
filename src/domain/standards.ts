// Every TQRIF contractual and technical time standard (delibera 15/2022/R/rif, Allegato A) with its default,
// its article and a `toConfirm` mark where the figure or the article number still needs confirming against the
// operator's quality charter. Pure code: no I/O, no clock.
//
// Verified against the TQRIF table of contents (Allegato A, 19 January 2022): art. 8 tempo di risposta alle
// richieste di attivazione, art. 9 tempo di consegna delle attrezzature, art. 12 tempo di risposta alle richieste
// di variazione o cessazione, art. 13 classificazione delle richieste scritte, art. 14 reclami scritti, art. 15
// richieste scritte di informazioni. Everything else is marked `toConfirm`.
import type { Label } from './arera.js'
import { REQUEST_TYPE_CODES, type RequestType } from './request-types.js'
import { romeDate, type IsoDate, type WorkingCalendar } from './working-days.js'

/** Standards that are not a request type of their own: clocks that follow another request. */
export type FollowUpStandard = 'consegna_attrezzature' | 'rimborso_importi' | 'inoltro_tra_gestori' | 'inoltro_risposta'

/** Every standard the module knows: the request types plus the follow-up clocks. */
export type StandardCode = RequestType | FollowUpStandard

export const STANDARD_CODES: readonly StandardCode[] = Object.freeze([
  ...REQUEST_TYPE_CODES,
  'consegna_attrezzature',
  'rimborso_importi',
  'inoltro_tra_gestori',
  'inoltro_risposta'
] as StandardCode[])

/**
 * The standards a work order can carry as its **second clock**, next to the reasoned reply: the service the
 * request also asks for (intervention, repair, on-call collection, equipment delivery, activation/change/
 * termination), the refund after a founded billing correction, the forwarding between operators.
 */
export const SERVICE_CLOCK_CODES: readonly StandardCode[] = Object.freeze([
  'segnalazione_disservizio',
  'riparazione_attrezzature',
  'ritiro_su_chiamata',
  'consegna_attrezzature',
  'attivazione_variazione_cessazione',
  'rimborso_importi',
  'inoltro_tra_gestori',
  'inoltro_risposta'
] as StandardCode[])

const STANDARD_SET: ReadonlySet<string> = new Set(STANDARD_CODES)
const SERVICE_SET: ReadonlySet<string> = new Set(SERVICE_CLOCK_CODES)

export function isStandardCode(value: unknown): value is StandardCode {
  return typeof value === 'string' && STANDARD_SET.has(value)
}

export function isServiceClockCode(value: unknown): value is StandardCode {
  return typeof value === 'string' && SERVICE_SET.has(value)
}

/** The maximum time, in working days from the start of the clock, for the reply or the service; null = none. */
export interface Standard {
  type: StandardCode
  workingDays: number | null
  /** For the standards with an on-site inspection variant (equipment delivery, intervention, repair). */
  workingDaysWithInspection: number | null
  /** What is measured, e.g. 'Tempo di risposta motivata ai reclami scritti'. */
  label: Label
  /** Where the standard comes from, e.g. 'TQRIF art. 14'; null when none applies. */
  article: string | null
  /** true while the figure or the article number still has to be confirmed against the operator's charter. */
  toConfirm: boolean
}

export type Standards = Readonly<Record<StandardCode, Standard>>

type Def = [StandardCode, number | null, number | null, string | null, boolean, string, string]

// code, days, days with inspection, article, to confirm, Italian label, English label
const DEFS: readonly Def[] = [
  ['reclamo_scritto', 30, null, 'TQRIF art. 14', false, 'Tempo di risposta motivata ai reclami scritti', 'Reasoned reply to written complaints'],
  [
    'richiesta_informazioni',
    30,
    null,
    'TQRIF art. 15',
    false,
    'Tempo di risposta motivata alle richieste scritte di informazioni',
    'Reasoned reply to written information requests'
  ],
  [
    'rettifica_importi',
    60,
    null,
    'TQRIF art. 16',
    true,
    'Tempo di risposta motivata alle richieste scritte di rettifica degli importi addebitati',
    'Reasoned reply to billing-correction requests'
  ],
  // "as commonly published": 5 working days without an on-site inspection, 10 with one.
  [
    'segnalazione_disservizio',
    5,
    10,
    'TQRIF art. 33',
    true,
    'Tempo di intervento in caso di segnalazioni per disservizi',
    'Intervention time on service-failure reports'
  ],
  ['ritiro_su_chiamata', 15, null, 'TQRIF art. 31', true, 'Tempo di ritiro dei rifiuti su chiamata', 'On-call collection time'],
  [
    'riparazione_attrezzature',
    10,
    15,
    'TQRIF art. 34',
    true,
    'Tempo di riparazione delle attrezzature per la raccolta domiciliare',
    'Repair time of home-collection equipment'
  ],
  [
    'attivazione_variazione_cessazione',
    30,
    null,
    'TQRIF artt. 8, 12',
    false,
    'Tempo di risposta alle richieste di attivazione, variazione o cessazione del servizio',
    'Reply to service activation, change or termination requests'
  ],
  ['altro', null, null, null, false, 'Nessuno standard', 'No standard'],
  ['consegna_attrezzature', 5, 10, 'TQRIF art. 9', false, 'Tempo di consegna delle attrezzature per la raccolta', 'Delivery time of collection equipment'],
  ['rimborso_importi', 120, null, 'TQRIF art. 28', true, 'Tempo di rimborso degli importi non dovuti', 'Refund of amounts not due'],
  [
    'inoltro_tra_gestori',
    5,
    null,
    'TQRIF art. 51',
    true,
    'Tempo di inoltro al gestore competente (gestore della raccolta diverso da quello delle tariffe)',
    'Forwarding to the competent operator'
  ],
  [
    'inoltro_risposta',
    5,
    null,
    'TQRIF art. 52',
    true,
    "Tempo di trasmissione all'utente della risposta del gestore competente",
    "Passing the competent operator's reply on to the user"
  ]
]

/**
 * Default TQRIF standards. Time is measured from the day the operator receives the request to the day it sends
 * the reply (or performs the service), in working days: see `WorkingCalendar.addWorkingDays`.
 */
export const DEFAULT_STANDARDS: Standards = Object.freeze(
  Object.fromEntries(
    DEFS.map(([type, workingDays, workingDaysWithInspection, article, toConfirm, it, en]) => [
      type,
      Object.freeze({ type, workingDays, workingDaysWithInspection, label: Object.freeze({ it, en }), article, toConfirm })
    ])
  ) as Record<StandardCode, Standard>
)

/** An override: a bare number (or null to switch the standard off) or some fields of the standard. */
export type StandardOverride = number | null | Partial<Omit<Standard, 'type'>>

export type StandardOverrides = Partial<Record<StandardCode, StandardOverride>>

function checkWorkingDays(type: string, value: unknown): number | null {
  if (value === null) return null
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`Standard for "${type}": workingDays must be a non-negative integer or null, got ${String(value)}`)
  }
  return value
}

/**
 * The standards in effect: the defaults with the overrides merged in (the Ente territorialmente competente may
 * approve better standards in the quality charter). An override's figure is the operator's own, so it is no
 * longer marked `toConfirm` unless it says so. Unknown types and invalid values throw.
 */
export function resolveStandards(overrides: StandardOverrides = {}, base: Standards = DEFAULT_STANDARDS): Standards {
  for (const key of Object.keys(overrides)) {
    if (!isStandardCode(key)) throw new RangeError(`Unknown request type in standards: "${key}"`)
  }
  const result = {} as Record<StandardCode, Standard>
  for (const type of STANDARD_CODES) {
    const current = base[type]
    const override = overrides[type]
    let merged: Standard
    if (override === undefined) merged = { ...current }
    else if (override === null || typeof override === 'number') {
      merged = { ...current, workingDays: checkWorkingDays(type, override), toConfirm: false }
    } else {
      merged = {
        type,
        workingDays: override.workingDays === undefined ? current.workingDays : checkWorkingDays(type, override.workingDays),
        workingDaysWithInspection:
          override.workingDaysWithInspection === undefined ? current.workingDaysWithInspection : checkWorkingDays(type, override.workingDaysWithInspection),
        label: override.label ? { ...current.label, ...override.label } : current.label,
        article: override.article === undefined ? current.article : override.article,
        toConfirm: override.toConfirm ?? false
      }
    }
    result[type] = Object.freeze(merged)
  }
  return Object.freeze(result)
}

/** The working days of a standard, with or without an on-site inspection; null when it is off. */
export function standardDays(standard: Standard, inspection = false): number | null {
  if (standard.workingDays === null) return null
  return inspection && standard.workingDaysWithInspection !== null ? standard.workingDaysWithInspection : standard.workingDays
}

/**
 * The ARERA due date of a request, or null when its type has no standard. The receipt date is the calendar
 * day in Europe/Rome of `receivedAt` (for email, the mailbox's internal date), and that day is day 0.
 */
export function dueDate(
  calendar: WorkingCalendar,
  type: StandardCode,
  receivedAt: Date,
  standards: Standards = DEFAULT_STANDARDS,
  inspection = false
): IsoDate | null {
  const standard = standards[type]
  if (!standard) throw new RangeError(`Unknown request type "${String(type)}"`)
  const days = standardDays(standard, inspection)
  return days === null ? null : calendar.addWorkingDays(romeDate(receivedAt), days)
}

const FOLLOW_UP_LABELS: Readonly<Record<FollowUpStandard, Label>> = {
  consegna_attrezzature: { it: 'Consegna delle attrezzature per la raccolta', en: 'Delivery of collection equipment' },
  rimborso_importi: { it: 'Rimborso degli importi non dovuti', en: 'Refund of amounts not due' },
  inoltro_tra_gestori: { it: 'Inoltro al gestore competente', en: 'Forwarding to the competent operator' },
  inoltro_risposta: { it: 'Trasmissione della risposta del gestore competente', en: "Passing on the competent operator's reply" }
}

/** The short name of what a clock is about: the request type's label, or the follow-up's. */
export function clockTypeLabel(code: StandardCode, requestTypeLabel: (type: RequestType) => string, locale: 'it' | 'en'): string {
  return code in FOLLOW_UP_LABELS ? FOLLOW_UP_LABELS[code as FollowUpStandard][locale] : requestTypeLabel(code as RequestType)
}
